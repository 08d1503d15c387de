"""Turn fetched bytes into entries: RSS/Atom (feedparser), JSON Feed 1.x, iCalendar, watched web pages.

Every parser keeps what it can read and reports the rest as warnings; a document that is not what we
can read at all (an HTML page where a feed was expected, an entity bomb, an empty file) raises
``ParseError`` with a reason shown to staff. All HTML leaving this module is sanitised with nh3.
"""

import datetime as dt
import difflib
import json
import re
import time
import warnings
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urljoin

import feedparser
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.watch import fastfeed
from grappe.watch.cleaning import clean_html, plain_text

MAX_ENTITY_EXPANSION = 100_000  # characters an internal entity may add to a document, all uses together
MAX_ENTITY_DECLARATIONS = 50
_ENTITY_DECL = re.compile(
    r"<!ENTITY\s+(?P<param>%\s+)?(?P<name>[^\s%\"']+)\s+(?P<value>\"[^\"]*\"|'[^']*'|SYSTEM\b|PUBLIC\b)", re.S
)


class ParseError(Exception):
    """A document that cannot be read as the expected kind; ``str(error)`` is the reason."""


@dataclass
class ParsedEntry:
    title: str
    link: str = ""
    guid: str = ""
    summary: str = ""  # sanitised HTML
    content: str = ""  # sanitised HTML
    published: dt.datetime | None = None
    date_broken: bool = False
    language: str = ""
    kind: str = "entry"
    event_start: dt.datetime | None = None
    event_end: dt.datetime | None = None
    location: str = ""
    diff: str = ""


@dataclass
class ParsedDocument:
    kind: str
    title: str = ""
    language: str = ""
    entries: list[ParsedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- sniffing --------------------------------------------------------------------------------------


def _head(body: bytes) -> bytes:
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return body[:4096].decode("utf-16", errors="ignore").encode("utf-8", errors="ignore").lower()
    return body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()


def sniff(body: bytes, content_type: str) -> str:
    """ "json", "ical", "html" or "xml", from the body first (servers mislabel) then the media type."""
    head = _head(body)
    media = content_type.split(";", 1)[0].strip().lower()
    if head.startswith(b"{") or (media in ("application/feed+json", "application/json") and not head.startswith(b"<")):
        return "json"
    if head.startswith(b"begin:vcalendar") or head.startswith(b"begin:vevent") or media == "text/calendar":
        return "ical"
    if any(marker in head for marker in (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")):
        return "xml"
    if b"<html" in head or head.startswith(b"<!doctype html") or media in ("text/html", "application/xhtml+xml"):
        return "html"
    return "xml"


def parse_document(body: bytes, content_type: str, url: str) -> ParsedDocument:
    """Parse a feed or calendar of any supported kind; raise ``ParseError`` when it is none of them."""
    if not body.strip():
        raise ParseError(_("Document vide."))
    kind = sniff(body, content_type)
    if kind == "json":
        return parse_json_feed(body, url)
    if kind == "ical":
        return parse_ical(body)
    if kind == "html":
        feeds = discover_feeds(body, url)
        if feeds:
            raise ParseError(
                _("Page HTML reçue au lieu d'un flux ; cette page annonce le flux %(feed)s.") % {"feed": feeds[0]}
            )
        raise ParseError(_("Page HTML reçue au lieu d'un flux (choisissez le format « page web » pour la surveiller)."))
    return parse_xml_feed(body, content_type, url)


# --- XML feeds -------------------------------------------------------------------------------------


def check_xml_safety(body: bytes) -> None:
    """Refuse entity tricks before any XML parser sees the document.

    Internal entities with plain values (``<!ENTITY id "tag:example.com,">``) are fine and real feeds
    use them; external entities, parameter entities, entities that reference other entities (the
    "billion laughs") and entities whose uses would add more than ``MAX_ENTITY_EXPANSION``
    characters (the quadratic blow-up) are refused.
    """
    text = body.decode("utf-16", errors="ignore") if body[:2] in (b"\xff\xfe", b"\xfe\xff") else body.decode("latin-1")
    if "<!ENTITY" not in text:
        return
    declarations = list(_ENTITY_DECL.finditer(text))
    if len(declarations) != text.count("<!ENTITY"):
        raise ParseError(_("Déclaration d'entité XML illisible : document refusé par sécurité."))
    if len(declarations) > MAX_ENTITY_DECLARATIONS:
        raise ParseError(_("Trop de déclarations d'entités XML : document refusé par sécurité."))
    expansion = 0
    for decl in declarations:
        name, value = decl.group("name"), decl.group("value")
        if decl.group("param"):
            raise ParseError(_("Entité paramètre XML (%(name)s) : document refusé par sécurité.") % {"name": name})
        if value in ("SYSTEM", "PUBLIC"):
            raise ParseError(_("Entité XML externe (%(name)s) : document refusé par sécurité.") % {"name": name})
        if "&" in value or "%" in value:
            raise ParseError(
                _("Entité XML imbriquée (%(name)s, attaque « billion laughs ») : document refusé par sécurité.")
                % {"name": name}
            )
        expansion += (len(value) - 2) * text.count(f"&{name};")
        if expansion > MAX_ENTITY_EXPANSION:
            raise ParseError(_("Expansion d'entités XML excessive : document refusé par sécurité."))


def _struct_to_datetime(value: time.struct_time | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime(*value[:6], tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


def plausible(moment: dt.datetime | None) -> dt.datetime | None:
    """A publication date we believe: after 1990 and not more than a year ahead."""
    if moment is None:
        return None
    if moment.year < 1990 or moment > timezone.now() + dt.timedelta(days=366):
        return None
    return moment


def _fallback_title(*candidates: str) -> str:
    for candidate in candidates:
        text = plain_text(candidate, limit=120)
        if text:
            return text
    return _("(sans titre)")


def parse_xml_feed(body: bytes, content_type: str, url: str, *, fast: bool = True) -> ParsedDocument:
    """RSS or Atom: well-formed RSS 2.0 and Atom 1.0 through ``fastfeed`` (the same entries, several
    times faster), everything else — and anything ``fastfeed`` is unsure of — through feedparser."""
    check_xml_safety(body)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = fastfeed.parse(body, headers) if fast else None
    if parsed is None:
        # feedparser's own HTML sanitiser is slow and redundant: every HTML value goes through nh3 below.
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=True)
    version = parsed.get("version", "")
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not version and not parsed.entries:
        detail = f"{type(problem).__name__}: {problem}" if problem else _("format inconnu")
        raise ParseError(_("Ce document n'est pas un flux RSS ou Atom lisible (%(detail)s).") % {"detail": detail})
    document = ParsedDocument(
        kind="atom" if version.startswith("atom") else "rss",
        title=plain_text(parsed.feed.get("title", ""), limit=300),
        language=(parsed.feed.get("language") or "")[:2].lower(),
    )
    if problem is not None:
        document.warnings.append(
            _("Flux mal formé (%(error)s) ; les éléments lisibles sont gardés.")
            % {"error": f"{type(problem).__name__}: {problem}"}
        )
    for entry in parsed.entries:
        document.entries.append(_feed_entry(entry))
    return document


def _feed_entry(entry) -> ParsedEntry:
    with warnings.catch_warnings():
        # feedparser warns when "published_parsed" falls back to "updated_parsed"; we ask for both anyway.
        warnings.simplefilter("ignore", DeprecationWarning)
        summary = clean_html(entry.get("summary", ""))
        content = ""
        for part in entry.get("content", []) or []:
            if part.get("value"):
                content = clean_html(part["value"])
                break
        if content == summary:
            content = ""
        raw_date = entry.get("published") or entry.get("updated") or entry.get("created")
        published = plausible(
            _struct_to_datetime(
                entry.get("published_parsed") or entry.get("updated_parsed") or entry.get("created_parsed")
            )
        )
        link = entry.get("link", "") or ""
        return ParsedEntry(
            title=_fallback_title(entry.get("title", ""), summary, content, link, entry.get("id", "")),
            link=link if link.startswith(("http://", "https://")) else "",
            guid=(entry.get("id") or "")[:1000],
            summary=summary,
            content=content,
            published=published,
            date_broken=bool(raw_date) and published is None,
            language=(entry.get("language") or "")[:2].lower(),
        )


# --- JSON Feed -------------------------------------------------------------------------------------


def _iso_datetime(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return plausible(moment)


def parse_json_feed(body: bytes, url: str) -> ParsedDocument:
    """JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(_("JSON illisible : %(error)s") % {"error": exc}) from exc
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/1"):
        raise ParseError(_("Document JSON qui n'est pas un JSON Feed 1.x (champ « version » absent ou inconnu)."))
    items = data.get("items")
    if not isinstance(items, list):
        raise ParseError(_("JSON Feed sans liste « items »."))
    document = ParsedDocument(
        kind="jsonfeed", title=plain_text(str(data.get("title", "")), limit=300), language=str(data.get("language", ""))
    )
    document.language = document.language[:2].lower()
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            document.warnings.append(_("Élément %(n)d ignoré : ce n'est pas un objet.") % {"n": position})
            continue
        link = str(item.get("url") or item.get("external_url") or "")
        link = urljoin(url, link) if link else ""
        guid = str(item.get("id") or "")
        if not guid and not link:
            document.warnings.append(_("Élément %(n)d ignoré : ni « id » ni « url ».") % {"n": position})
            continue
        html_content = item.get("content_html")
        text_content = item.get("content_text")
        content = clean_html(html_content) if isinstance(html_content, str) else ""
        if not content and isinstance(text_content, str):
            content = clean_html("<p>" + text_content.replace("&", "&amp;").replace("<", "&lt;") + "</p>")
        summary = clean_html(str(item.get("summary") or ""))
        raw_date = item.get("date_published") or item.get("date_modified")
        published = _iso_datetime(item.get("date_published")) or _iso_datetime(item.get("date_modified"))
        document.entries.append(
            ParsedEntry(
                title=_fallback_title(str(item.get("title") or ""), summary, content, link, guid),
                link=link if link.startswith(("http://", "https://")) else "",
                guid=guid[:1000],
                summary=summary,
                content=content,
                published=published,
                date_broken=bool(raw_date) and published is None,
                language=str(item.get("language") or "")[:2].lower(),
            )
        )
    return document


# --- iCalendar -------------------------------------------------------------------------------------


def _local_zone() -> dt.tzinfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _ical_moment(component, name: str) -> dt.datetime | None:
    """An aware datetime: dates become local midnight; floating times are read as Brussels time."""
    prop = component.get(name)
    value = getattr(prop, "dt", None)
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=_local_zone())
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min, tzinfo=_local_zone())
    return None


def parse_ical(body: bytes) -> ParsedDocument:
    """Partner agendas: one entry per VEVENT (recurring events: their first occurrence)."""
    import icalendar

    try:
        components = icalendar.Calendar.from_ical(body, multiple=True)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError... on broken files
        raise ParseError(_("Calendrier illisible : %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}) from exc
    if not components:
        raise ParseError(_("Aucun composant iCalendar complet (fichier tronqué ou vide)."))
    document = ParsedDocument(kind="ical")
    for component in components:
        name = component.get("X-WR-CALNAME") or component.get("NAME")
        if name and not document.title:
            document.title = plain_text(str(name), limit=300)
        events = [component] if component.name == "VEVENT" else list(component.walk("VEVENT"))
        for event in events:
            for error in getattr(event, "errors", []) or []:
                document.warnings.append(_("Propriété illisible ignorée : %(error)s") % {"error": error})
            start = _ical_moment(event, "DTSTART")
            end = _ical_moment(event, "DTEND")
            stamp = (
                _ical_moment(event, "LAST-MODIFIED") or _ical_moment(event, "DTSTAMP") or _ical_moment(event, "CREATED")
            )
            description = str(event.get("DESCRIPTION") or "")
            summary_text = str(event.get("SUMMARY") or "")
            link = str(event.get("URL") or "")
            document.entries.append(
                ParsedEntry(
                    title=_fallback_title(summary_text, description),
                    link=link if link.startswith(("http://", "https://")) else "",
                    guid=(str(event.get("UID") or "") + "|" + str(event.get("RECURRENCE-ID") or "")).strip("|")[:1000],
                    summary=clean_html("<p>" + description.replace("&", "&amp;").replace("<", "&lt;") + "</p>")
                    if description
                    else "",
                    published=plausible(stamp),
                    date_broken=stamp is None,
                    kind="event",
                    event_start=start,
                    event_end=end,
                    location=plain_text(str(event.get("LOCATION") or ""), limit=500),
                )
            )
    if not document.entries and not any(c.name == "VCALENDAR" for c in components):
        raise ParseError(_("Aucun événement dans ce document iCalendar."))
    return document


# --- web pages -------------------------------------------------------------------------------------

_NOISE = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "svg", "iframe", "template")
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section", "article", "dd", "dt", "pre"}


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    return match.group(1) if match else None


def _html_tree(body: bytes, content_type: str):
    import lxml.html

    parser = lxml.html.HTMLParser(encoding=_charset(content_type), remove_comments=True)
    try:
        return lxml.html.document_fromstring(body, parser=parser)
    except (ValueError, LookupError):
        return lxml.html.document_fromstring(body)


def discover_feeds(body: bytes, url: str) -> list[str]:
    """Feeds an HTML page announces with ``<link rel="alternate" type="application/rss+xml">``."""
    try:
        tree = _html_tree(body, "")
    except Exception:  # an unparseable page simply announces nothing
        return []
    found = []
    for link in tree.iter("link"):
        kind = (link.get("type") or "").lower()
        if "alternate" in (link.get("rel") or "").lower() and kind in (
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json",
        ):
            href = link.get("href")
            if href:
                found.append(urljoin(url, href))
    return found


def extract_page(body: bytes, content_type: str) -> tuple[str, str]:
    """``(title, main text)`` of an HTML page: navigation, scripts and styles removed; ``<main>``/``<article>``
    preferred to the whole body; one line per block."""
    try:
        tree = _html_tree(body, content_type)
    except Exception as exc:  # lxml raises several types on garbage
        raise ParseError(_("Page HTML illisible : %(error)s") % {"error": exc}) from exc
    title = plain_text(tree.findtext(".//title") or "", limit=300)
    for element in list(tree.iter(*_NOISE)):
        element.drop_tree()
    candidates = tree.xpath("//main | //*[@role='main'] | //article")
    roots = candidates[:1] if candidates else tree.xpath("//body") or [tree]
    lines: list[str] = []
    for root in roots:
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag in _BLOCKS:
                element.tail = "\n" + (element.tail or "")
                if element.text:
                    element.text = "\n" + element.text
        lines.extend(re.sub(r"[ \t\xa0]+", " ", line).strip() for line in root.text_content().splitlines())
    return title, "\n".join(line for line in lines if line)


def page_diff(before: str, after: str) -> str:
    """A readable unified diff of two extracted texts (two lines of context)."""
    return "\n".join(
        difflib.unified_diff(
            before.splitlines(), after.splitlines(), fromfile=_("avant"), tofile=_("après"), lineterm="", n=2
        )
    )
