"""Rich text that Grappe shows as HTML is sanitised twice: when it comes in (each app, e.g. watch.cleaning)
and when it goes out (the ``clean_html`` template filter), so a row written by an old version, an import
or the admin cannot carry a script to a reader. One allow-list for the whole site."""

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "mark", "ol", "p", "pre", "q",
    "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "time": {"datetime"},
    "abbr": {"title"},
}


def clean_html(value: object) -> str:
    """HTML without scripts, styles, event handlers, forms, frames or javascript:/data: links."""
    if not value:
        return ""
    return nh3.clean(
        str(value),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
