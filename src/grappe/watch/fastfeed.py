"""A fast path for well-formed RSS 2.0 and Atom 1.0 feeds, with feedparser's results.

feedparser drives a Python state machine through SAX callbacks for every element and character run;
on the feeds we poll it was more than half of the ingest's CPU. Most feeds are plain, well-formed
RSS 2.0 or Atom 1.0, and for those this module builds the same entries from an lxml tree: the same
field values feedparser would give ``parsing._feed_entry`` (title, link, id, summary, content,
dates), computed with feedparser's own helpers where its rules are subtle (encoding detection, URI
joining, date parsing, HTML guessing, relative URIs inside HTML).

It returns ``None`` — and the caller uses feedparser — on ANY doubt: another format (RSS 0.9/1.0,
Atom 0.3, JSON, ...), an encoding feedparser would not read as declared, a DOCTYPE or entity, a
parse error, ``xml:base``, XHTML or base64 content, an element it does not know in an entry, nested
markup in a text element, repeated elements whose precedence feedparser decides by document order
(two descriptions, two channel titles)... The equivalence is tested on every feed fixture and on
generated variants (tests/watch/test_fastfeed.py).

XML safety: ``check_xml_safety`` runs before either parser; this one also refuses any DOCTYPE and
parses with entity resolution, DTD loading and network access off and lxml's size limits on.
"""

import contextlib
import re

from feedparser.datetimes import _parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri, resolve_relative_uris
from feedparser.util import FeedParserDict
from lxml import etree

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Extension namespaces whose elements feedparser stores under keys we never read (wfw_commentrss...).
HARMLESS = {
    "http://wellformedweb.org/CommentAPI/",
    "http://purl.org/rss/1.0/modules/slash/",
    "http://purl.org/rss/1.0/modules/syndication/",
    "http://rssnamespace.org/feedburner/ext/1.0",
}
# Every namespace feedparser knows (it names their elements with its own prefix and may handle them).
_KNOWN = {uri.lower() for uri in _FeedParserMixin.namespaces}
# Namespaces feedparser reads as the core vocabulary (elements lose their prefix): declaring one of
# them changes how feedparser names elements and guesses the version, so only Atom (in Atom feeds and
# for atom:link in an RSS channel) is accepted.
_CORE = {uri.lower() for uri, prefix in _FeedParserMixin.namespaces.items() if prefix == ""} - {""}

_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_RSS_CHANNEL = {
    "title", "link", "description", "language", "copyright", "managingeditor", "webmaster", "pubdate",
    "lastbuilddate", "category", "generator", "docs", "cloud", "ttl", "image", "rating", "textinput",
    "skiphours", "skipdays", "item",
}  # fmt: skip
_RSS_ITEM = {"title", "link", "description", "guid", "pubdate", "author", "category", "comments", "enclosure"}
_CHANNEL_PARTS = {"title", "url", "link", "width", "height", "description", "name", "hour", "day"}
_ATOM_FEED = {
    "title", "subtitle", "link", "id", "updated", "author", "contributor", "category", "generator", "icon",
    "logo", "rights", "entry",
}  # fmt: skip
_ATOM_ENTRY = {"title", "link", "id", "published", "updated", "summary", "content", "author", "contributor"}
_ATOM_ENTRY |= {"category", "rights"}
_PERSON = {"name", "uri", "email"}
_ATOM_TYPES = {"text": "text/plain", "html": "text/html", "text/plain": "text/plain", "text/html": "text/html"}
# Attributes feedparser's RelativeURIResolver rewrites: without one, it has nothing to resolve.
_URI_ATTRIBUTE = re.compile(
    r"(?i)\b(?:href|src|cite|codebase|background|action|longdesc|profile|usemap|classid|data|poster)\s*="
)
_C1 = re.compile("[\x80-\x9f]")  # what feedparser's _cp1252 table maps
_HTML_TYPES = _FeedParserMixin.html_types
_RELATIVE_URI_ELEMENTS = _FeedParserMixin.can_contain_relative_uris
_looks_like_html = _FeedParserMixin.looks_like_html


class Unsupported(Exception):
    """Something feedparser must handle; never leaves this module."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )


def parse(body: bytes, response_headers: dict[str, str]) -> FeedParserDict | None:
    """feedparser's result for ``body`` (only the parts ``parsing`` reads), or None when unsure."""
    try:
        return _parse(body, response_headers)
    except Unsupported:
        return None


def _parse(body: bytes, response_headers: dict[str, str]) -> FeedParserDict:
    result: dict = {}
    data = convert_to_utf8(response_headers, body, result)
    if result.get("bozo") or not result.get("encoding"):
        raise Unsupported("encoding")  # feedparser would report it (and maybe read it another way)
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise Unsupported("doctype")
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise Unsupported("syntax") from exc
    location = response_headers.get("content-location", "")
    base = make_safe_absolute_uri("", location) or make_safe_absolute_uri(location) or ""
    base = make_safe_absolute_uri(base, base) or base if base else base
    state = _State(base)
    _check_tree(root)
    if root.tag == "rss" or (isinstance(root.tag, str) and root.tag.lower() == "rss"):
        return state.rss(root)
    if root.tag == f"{{{ATOM}}}feed":
        return state.atom(root)
    raise Unsupported("format")


def _check_tree(root) -> None:
    """Refuse what feedparser's state machine reads in ways we do not reproduce."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Entity):
                raise Unsupported("entity")
            continue  # comments and processing instructions: checked where text is read
        for name in element.attrib:
            if name == f"{{{XML_NS}}}base" or name.lower() == "base":
                raise Unsupported("xml:base")
        for prefix, uri in element.nsmap.items():
            if uri.lower() in _CORE and uri != ATOM:
                raise Unsupported("core namespace")
            if prefix is None and uri != ATOM:
                raise Unsupported("default namespace")


def _split(element) -> tuple[str, str]:
    """``(namespace, lower-case local name)``; comments and PIs give ``("", "")``."""
    tag = element.tag
    if not isinstance(tag, str):
        return "", ""
    if tag[0] == "{":
        namespace, local = tag[1:].split("}", 1)
        return namespace, local.lower()
    return "", tag.lower()


def _harmless(element) -> bool:
    """An element feedparser stores under a key of its own (``gd_image``, ``feedburner_origlink``...): in a
    namespace it has no handler for (or one listed in ``HARMLESS``), and so are all its descendants."""
    for node in element.iter():
        namespace, local = _split(node)
        if not local:
            continue
        if namespace in HARMLESS:
            continue
        if not namespace or namespace.lower() in _KNOWN:
            return False
        # feedparser names an unknown namespace's element with the document's own prefix.
        name = f"{node.prefix or ''}_{local}"
        if hasattr(_FeedParserMixin, f"_start_{name}") or hasattr(_FeedParserMixin, f"_end_{name}"):
            return False
    return True


def _text(element) -> str:
    """The text of an element that holds only text (feedparser would re-serialise nested markup)."""
    if len(element):
        raise Unsupported("nested markup")
    return element.text or ""


def _fix(output: str) -> str:
    """What feedparser's ``pop`` does to every value in a document it decoded as UTF-8."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        output = output.encode("iso-8859-1").decode("utf-8")
    # str.translate with a dict walks every character in Python: only when there is one to map.
    return output.translate(_cp1252) if _C1.search(output) else output


def _language(element) -> str | None:
    lang = element.get(f"{{{XML_NS}}}lang", element.get("lang"))
    return lang or None


class _State:
    def __init__(self, base: str) -> None:
        self.base = base
        self.version = ""
        self.guidislink = False

    # --- feedparser's pop(), for one text-only element ---------------------------------------------

    def pop(self, element_name: str, raw: str, content_type: str | None = None) -> str:
        output = raw.strip()
        if element_name in ("link", "id", "comments", "href") and output and (element_name != "id" or self.guidislink):
            output = _urljoin(self.base or "", output)
        if not self.version.startswith("atom") and content_type == "text/plain" and _looks_like_html(output):
            content_type = "text/html"
        # feedparser re-serialises HTML values to resolve relative URIs. Without a URI attribute there is
        # nothing to resolve and nh3, which sanitises every value afterwards, normalises the rest the same
        # way; except declarations (comments, CDATA, <!...>, <?...?>), which feedparser's SGML parser
        # drops or keeps by its own rules: those go through it.
        if (
            (content_type or "text/html") in _HTML_TYPES
            and element_name in _RELATIVE_URI_ELEMENTS
            and "<" in output
            and (_URI_ATTRIBUTE.search(output) or "<!" in output or "<?" in output)
        ):
            output = resolve_relative_uris(output, self.base, "utf-8", content_type or "text/html")
        return _fix(output)

    def content_type(self, element, default: str) -> str:
        declared = element.get("type")
        if declared is None:
            return default
        mapped = _ATOM_TYPES.get(declared.lower())
        if mapped is None:
            raise Unsupported("content type")  # xhtml, base64 media types, ...
        return mapped

    # --- RSS 2.0 -----------------------------------------------------------------------------------

    def rss(self, root) -> FeedParserDict:
        attr_version = root.get("version", "")
        self.version = _RSS_VERSIONS.get(attr_version) or ("rss20" if attr_version.startswith("2.") else "rss")
        feed = FeedParserDict()
        lang = _language(root)
        if lang:
            feed["language"] = lang.replace("_", "-")
        channels = [child for child in root if isinstance(child.tag, str)]
        if len(channels) != 1 or _split(channels[0]) != ("", "channel") or channels[0].attrib:
            raise Unsupported("channel")
        entries = []
        titles = 0
        for child in channels[0]:
            namespace, name = _split(child)
            if not name:
                continue
            if namespace:
                if not (namespace == ATOM and name == "link" and not len(child)) and not _harmless(child):
                    raise Unsupported("channel extension")
                continue
            if name not in _RSS_CHANNEL:
                raise Unsupported("channel element")
            if name == "item":
                entries.append(self.rss_item(child))
                continue
            for descendant in child.iterdescendants():
                namespace, inner = _split(descendant)
                if inner and (namespace or inner not in _CHANNEL_PARTS or len(descendant)):
                    raise Unsupported("channel element content")
            if name == "title":
                titles += 1
                if titles > 1:
                    raise Unsupported("two channel titles")
                feed["title"] = self.pop("title", _text(child), self.content_type(child, "text/plain"))
            elif name == "language":
                feed["language"] = self.pop("language", _text(child))
        return FeedParserDict(bozo=False, version=self.version, feed=feed, entries=entries)

    def rss_item(self, item) -> FeedParserDict:
        if item.attrib:
            raise Unsupported("item attributes")
        self.guidislink = False
        entry = FeedParserDict()
        title_set = False
        descriptions = 0
        for child in item:
            namespace, name = _split(child)
            if not name:
                continue
            if namespace == CONTENT and name == "encoded":
                if child.attrib:
                    raise Unsupported("content attributes")
                value = self.pop("content", _text(child), "text/html")
                entry.setdefault("content", []).append(FeedParserDict(type="text/html", value=value))
                entry.setdefault("summary", value)
                continue
            if namespace == DC and name in ("creator", "subject"):
                _text(child)
                continue
            if namespace == DC and name == "date":
                value = self.pop("updated", _text(child))
                entry["updated"] = value
                entry["updated_parsed"] = _parse_date(value)
                continue
            if namespace == ATOM and name in ("updated", "published"):
                value = self.pop(name, _text(child))
                entry[name] = value
                entry[f"{name}_parsed"] = _parse_date(value)
                continue
            if namespace == ATOM and name == "link":
                self.atom_link(child, entry)
                continue
            if namespace and _harmless(child):
                continue
            if namespace or name not in _RSS_ITEM:
                raise Unsupported("item element")
            if name in ("author", "category", "comments"):
                _text(child)
            elif name == "enclosure":
                if len(child):
                    raise Unsupported("enclosure children")
            elif name == "title":
                value = self.pop("title", _text(child), self.content_type(child, "text/plain"))
                if not title_set:
                    entry["title"] = value
                    title_set = bool(value)
            elif name == "link":
                if child.attrib:
                    raise Unsupported("link attributes")
                output = self.pop("link", _text(child)).replace("&amp;", "&")
                entry["link"] = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", output)
            elif name == "description":
                descriptions += 1
                if descriptions > 1 or child.attrib:
                    raise Unsupported("description")
                entry["summary"] = self.pop("description", _text(child), "text/html")
            elif name == "guid":
                self.guidislink = child.get("isPermaLink", child.get("ispermalink", "true")) == "true"
                if len([name for name in child.attrib if name.lower() == "ispermalink"]) > 1:
                    raise Unsupported("guid attributes")
                value = self.pop("id", _text(child))
                entry["id"] = value
                entry["guidislink"] = self.guidislink and "link" not in entry
                if self.guidislink:
                    entry.setdefault("link", value)
            elif name == "pubdate":
                value = self.pop("published", _text(child))
                entry["published"] = value
                entry["published_parsed"] = _parse_date(value)
        return entry

    # --- Atom 1.0 ----------------------------------------------------------------------------------

    def atom(self, root) -> FeedParserDict:
        self.version = "atom10"
        feed = FeedParserDict()
        lang = _language(root)
        if lang:
            feed["language"] = lang.replace("_", "-")
        entries = []
        titles = 0
        for child in root:
            namespace, name = _split(child)
            if not name:
                continue
            if namespace != ATOM and _harmless(child):
                continue
            if namespace != ATOM or name not in _ATOM_FEED:
                raise Unsupported("feed element")
            if name == "entry":
                entries.append(self.atom_entry(child))
            elif name == "title":
                titles += 1
                if titles > 1:
                    raise Unsupported("two feed titles")
                feed["title"] = self.pop("title", _text(child), self.content_type(child, "text/plain"))
            elif name in ("author", "contributor"):
                self.person(child)
            elif name != "link":
                _text(child)
        return FeedParserDict(bozo=False, version=self.version, feed=feed, entries=entries)

    def person(self, element) -> None:
        for child in element:
            namespace, name = _split(child)
            if name and namespace != ATOM and _harmless(child):
                continue
            if name and (namespace != ATOM or name not in _PERSON):
                raise Unsupported("person element")
            if name:
                _text(child)

    def atom_entry(self, element) -> FeedParserDict:
        if any(name != f"{{{XML_NS}}}lang" for name in element.attrib):
            raise Unsupported("entry attributes")
        self.guidislink = False
        entry = FeedParserDict()
        title_set = False
        summaries = 0
        for child in element:
            namespace, name = _split(child)
            if not name:
                continue
            if namespace != ATOM and _harmless(child):
                continue
            if namespace != ATOM or name not in _ATOM_ENTRY:
                raise Unsupported("entry element")
            if name in ("author", "contributor"):
                self.person(child)
            elif name in ("category", "rights"):
                _text(child)
                if name == "rights":
                    self.content_type(child, "text/plain")
            elif name == "title":
                value = self.pop("title", _text(child), self.content_type(child, "text/plain"))
                if not title_set:
                    entry["title"] = value
                    title_set = bool(value)
            elif name == "link":
                self.atom_link(child, entry)
            elif name == "id":
                self.guidislink = True
                value = self.pop("id", _text(child))
                entry["id"] = value
                entry["guidislink"] = "link" not in entry
                entry.setdefault("link", value)
            elif name in ("published", "updated"):
                value = self.pop(name, _text(child))
                entry[name] = value
                entry[f"{name}_parsed"] = _parse_date(value)
            elif name == "summary":
                summaries += 1
                if summaries > 1:
                    raise Unsupported("two summaries")
                entry["summary"] = self.pop("summary", _text(child), self.content_type(child, "text/plain"))
            elif name == "content":
                if child.get("src") is not None or child.get("mode") is not None:
                    raise Unsupported("content src or mode")
                kind = self.content_type(child, "text/plain")
                value = self.pop("content", _text(child), kind)
                entry.setdefault("content", []).append(FeedParserDict(type=kind, value=value))
                entry.setdefault("summary", value)
        return entry

    def atom_link(self, element, entry: FeedParserDict) -> None:
        if len(element) or (element.text or "").strip():
            raise Unsupported("link content")
        attributes = {name.lower(): value for name, value in element.attrib.items()}
        if "url" in attributes or "uri" in attributes or "href" not in attributes:
            raise Unsupported("link without href")
        rel = attributes.get("rel", "alternate").lower()
        kind = attributes.get("type", "application/atom+xml" if rel == "self" else "text/html").lower()
        kind = {"html": "text/html", "xhtml": "application/xhtml+xml"}.get(kind, kind)
        if rel == "alternate" and kind in _HTML_TYPES:
            entry["link"] = _urljoin(self.base or "", attributes["href"])
