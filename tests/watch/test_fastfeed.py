"""The fast RSS/Atom path gives exactly feedparser's entries, and falls back to feedparser when unsure.

Both paths run over every feed fixture (tests/watch/fixtures/feeds, copies of the shared sample set)
with several Content-Type headers, and over a few hundred generated feeds mixing the constructs
whose handling differs between parsers (entities, CDATA, HTML in titles, relative links, guid
rules, element order, dates, C1 and mis-decoded characters, extensions). ``parse_xml_feed(...,
fast=False)`` is the feedparser path.
"""

import random
from pathlib import Path

import pytest

from grappe.watch import fastfeed
from grappe.watch.parsing import ParseError, parse_xml_feed

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
URL = "http://example.org/blog/feed/"
CONTENT_TYPES = [
    "application/rss+xml; charset=utf-8",
    "application/atom+xml",
    "application/xml",
    "text/xml; charset=utf-8",
    "text/xml",
    "text/html; charset=utf-8",
    "",
]


def both(body: bytes, content_type: str, url: str = URL):
    results = []
    for fast in (False, True):
        try:
            results.append(parse_xml_feed(body, content_type, url, fast=fast))
        except ParseError as exc:
            results.append(f"ParseError: {exc}")
    return results


def headers(content_type: str, url: str = URL) -> dict[str, str]:
    return {"content-location": url, "content-type": content_type} if content_type else {"content-location": url}


def simulated_type(body: bytes) -> str | None:
    """The ``Header: Content-type: ...`` line of feedparser's own test files."""
    for line in body.decode("latin-1").splitlines()[:12]:
        if line.strip().lower().startswith("header: content-type:"):
            return line.split(":", 2)[2].strip()
    return None


FIXTURES = sorted(p for p in FEEDS.iterdir() if p.suffix in (".xml", ".rss", ".atom"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_fixture_parses_the_same_on_both_paths(path):
    body = path.read_bytes()
    types = [*CONTENT_TYPES, *([simulated_type(body)] if simulated_type(body) else [])]
    for content_type in types:
        slow, fast = both(body, content_type)
        assert fast == slow, (path.name, content_type)


def test_the_fast_path_is_taken_for_the_well_formed_rss_and_atom_fixtures():
    taken = {
        path.name for path in FIXTURES if fastfeed.parse(path.read_bytes(), headers("application/xml")) is not None
    }
    expected = {
        "rss-parser__content-encoded.rss",  # a real WordPress feed: content:encoded, atom:updated, links, images
        "rss-parser__nhs-feed.rss",
        "wellformed__atom10__entry_content_escaped_markup.xml",
        "wellformed__atom10__entry_link_rel_enclosure.xml",
        "wellformed__rss__item_content_encoded.xml",
        "wellformed__rss__item_description_escaped_markup.xml",
        "wellformed__rss__item_guid_not_permalink.xml",
        "wellformed__rss__item_pubDate_map_updated_parsed.xml",
        "encoding__demoronize-1.xml",
    }
    assert expected <= taken
    # Never taken: ill-formed documents, entities and DOCTYPEs, xml:base, XHTML content, other versions.
    for name in (
        "illformed__rss_incomplete_cdata.xml",
        "illformed__undeclared_namespace.xml",
        "illformed__rss_item_link_corrupted_ampersands.xml",
        "entities__hellip.xml",
        "wellformed__rss__entity_in_doctype.xml",
        "wellformed__atom10__relative_uri_inherit.xml",
        "wellformed__atom10__entry_content_inline_markup.xml",
        "wellformed__rss__rss_version_090.xml",
        "encoding__bozo_linenoise.xml",
    ):
        assert name not in taken, name


# --- generated feeds ---------------------------------------------------------------------------------

TEXTS = [
    "Plain title",
    "Caf\u00e9 cr\u00e8me &amp; \u00e9nergie",
    "AT&amp;T &lt;b&gt;bold&lt;/b&gt; news",
    "&lt;p&gt;escaped &lt;a href=&quot;/rel/link&quot;&gt;relative&lt;/a&gt; paragraph&lt;/p&gt;",
    "<![CDATA[<p>CDATA with <a href='page.html'>link</a> &amp; <img src=\"/i.png\"></p>]]>",
    "<![CDATA[<script>alert(1)</script><b onclick='x()'>bold</b>]]>",
    "  spaced   out \n title  ",
    "a &lt; b &gt; c",
    "Ã©tÃ© mis-decoded",
    "smart \u0093quotes\u0094 and \u0080 euro",
    "&#38;#169; double escaped",
    "&lt;em&gt;only an entity &amp;eacute; here&lt;/em&gt;",
    "",
    "&lt;![CDATA[ nested ]]&gt;",
    '<![CDATA[<p>un <a href="javascript:alert(1)">lien</a> <a href="mailto:x@example.org">mail</a></p>]]>',
    "Beno\u00eet \u2014 \u00ab guillemets \u00bb \U0001f600",
    "&lt;p&gt;Bien &lt;br&gt; ou mal &lt;/b&gt; ferm\u00e9&lt;p&gt;",
    "<![CDATA[<blockquote cite='../q'>q</blockquote><q cite=\"q2\">x</q>]]>",
]
LINKS = [
    "https://example.org/a/1",
    "/relative/path?x=1&amp;y=2",
    "article.html",
    "https://example.org/a/2?utm_source=rss&amp;amp;b=c",
    "  https://example.org/spaced  ",
    "javascript:alert(1)",
    "",
    "HTTPS://Example.ORG/UPPER",
    "https://example.org/a?x=&amp;copy;1",
]
DATES = [
    "Tue, 07 Jan 2025 10:00:00 +0100",
    "Tue, 07 Jan 2025 10:00:00 GMT",
    "7 Jan 2025 10:00 EST",
    "2025-01-07T10:00:00Z",
    "2025-01-07T10:00:00.123+02:00",
    "2025-01-07",
    "not a date",
    "",
    "Mon, 31 Feb 2025 10:00:00 GMT",
    "Tue, 07 Jan 1890 10:00:00 GMT",
    "Sun, 06 Nov 1994 08:49:37 GMT",
]


def rss_item(rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.9:
        parts.append(f"<title>{rng.choice(TEXTS)}</title>")
    if rng.random() < 0.15:
        parts.append(f"<title>{rng.choice(TEXTS)}</title>")
    if rng.random() < 0.8:
        parts.append(f"<link>{rng.choice(LINKS)}</link>")
    if rng.random() < 0.1:
        parts.append(f"<link>{rng.choice(LINKS)}</link>")
    if rng.random() < 0.7:
        permalink = rng.choice(["", ' isPermaLink="false"', ' isPermaLink="true"', ' isPermaLink="False"'])
        parts.append(f"<guid{permalink}>{rng.choice([*LINKS, 'tag:example.org,2025:1', 'urn:x:1'])}</guid>")
    if rng.random() < 0.8:
        parts.append(f"<pubDate>{rng.choice(DATES)}</pubDate>")
    if rng.random() < 0.15:
        parts.append(f"<dc:date>{rng.choice(DATES)}</dc:date>")
    if rng.random() < 0.1:
        parts.append(f"<atom:updated>{rng.choice(DATES)}</atom:updated>")
    if rng.random() < 0.8:
        parts.append(f"<description>{rng.choice(TEXTS)}</description>")
    if rng.random() < 0.3:
        parts.append(f"<content:encoded>{rng.choice(TEXTS)}</content:encoded>")
    if rng.random() < 0.1:
        rel = rng.choice(["alternate", "self", "related"])
        parts.append(f'<atom:link rel="{rel}" href="{rng.choice(LINKS)}"/>')
    extras = [
        "<author>a@example.org (A)</author>",
        "<category>Cat</category>",
        "<comments>/c/1</comments>",
        '<enclosure url="/f.mp3" length="1" type="audio/mpeg"/>',
        "<dc:creator>Someone</dc:creator>",
        "<wfw:commentRss>/c/rss</wfw:commentRss>",
        "<x:thing>ignored</x:thing>",
        "<dc2:title>unknown namespace, known-looking prefix</dc2:title>",
        "<media:title>media</media:title>",
        "<source url='http://s.example/'>Source</source>",
        "<!-- a comment -->",
        "<language>nl-BE</language>",
        "<title>second <b>title</b></title>".replace("<b>", "&lt;b&gt;").replace("</b>", "&lt;/b&gt;"),
        "<description>second description</description>",
        "<itunes:summary>podcast</itunes:summary>",
    ]
    for extra in extras:
        if rng.random() < 0.06:
            parts.insert(rng.randrange(len(parts) + 1), extra)
    rng.shuffle(parts) if rng.random() < 0.3 else None
    return "<item>" + "".join(parts) + "</item>"


def rss_feed(rng: random.Random) -> str:
    root_lang = rng.choice(["", ' xml:lang="fr-BE"', ' xml:lang="de_DE"'])
    namespaces = (
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom" xmlns:wfw="http://wellformedweb.org/CommentAPI/"'
        ' xmlns:x="http://example.com/ext" xmlns:dc2="http://example.com/dc"'
        ' xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"'
    )
    channel = [f"<title>{rng.choice(TEXTS)}</title>", "<link>https://example.org/</link>"]
    if rng.random() < 0.5:
        channel.append(f"<language>{rng.choice(['fr', 'nl-be', 'EN', ''])}</language>")
    if rng.random() < 0.2:
        channel.insert(0, "<image><title>Logo</title><url>/logo.png</url><link>/</link></image>")
    if rng.random() < 0.1:
        channel.append('<atom:link rel="self" href="https://example.org/feed/"/>')
    if rng.random() < 0.05:
        channel.append(f"<title>{rng.choice(TEXTS)}</title>")
    channel += [rss_item(rng) for _ in range(rng.randint(1, 4))]
    version = rng.choice(["2.0", "2.0", "0.92", "0.91", ""])
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="{version}"{root_lang}{namespaces}><channel>'
        + "".join(channel)
        + "</channel></rss>"
    )


def atom_text(rng: random.Random, name: str) -> str:
    kind = rng.choice(["", ' type="text"', ' type="html"', ' type="html"', ' type="TEXT"'])
    value = rng.choice(TEXTS)
    return f"<{name}{kind}>{value}</{name}>"


def atom_entry(rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.9:
        parts.append(atom_text(rng, "title"))
    if rng.random() < 0.1:
        parts.append(atom_text(rng, "title"))
    for _ in range(rng.choice([0, 1, 1, 2])):
        rel = rng.choice(["", ' rel="alternate"', ' rel="self"', ' rel="enclosure"', ' rel="ALTERNATE"'])
        kind = rng.choice(["", ' type="text/html"', ' type="application/pdf"', ' type="html"'])
        parts.append(f'<link{rel}{kind} href="{rng.choice(LINKS)}"/>')
    if rng.random() < 0.8:
        parts.append(f"<id>{rng.choice([*LINKS, 'tag:example.org,2025:1', 'urn:uuid:1234'])}</id>")
    for name in ("published", "updated"):
        if rng.random() < 0.7:
            parts.append(f"<{name}>{rng.choice(DATES)}</{name}>")
    if rng.random() < 0.7:
        parts.append(atom_text(rng, "summary"))
    if rng.random() < 0.4:
        parts.append(atom_text(rng, "content"))
    if rng.random() < 0.2:
        parts.append("<author><name>A</name><email>a@example.org</email><x:image src='/a.png'/></author>")
    if rng.random() < 0.1:
        parts.append('<category term="t"/>')
    if rng.random() < 0.05:
        parts.append('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content>')
    if rng.random() < 0.05:
        parts.append('<content src="/body.html"/>')
    if rng.random() < 0.05:
        parts.append("<x:extension>ignored</x:extension>")
    if rng.random() < 0.05:
        parts.append("<media:thumbnail url='/t.png'/>")
    if rng.random() < 0.3:
        rng.shuffle(parts)
    base = ' xml:base="http://other.example/base/"' if rng.random() < 0.03 else ""
    return f"<entry{base}>" + "".join(parts) + "</entry>"


def atom_feed(rng: random.Random) -> str:
    lang = rng.choice(["", ' xml:lang="nl"', ' xml:lang=""'])
    parts = [atom_text(rng, "title"), "<id>urn:feed</id>", "<updated>2025-01-07T10:00:00Z</updated>"]
    parts += [atom_entry(rng) for _ in range(rng.randint(1, 4))]
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"{lang}'
        ' xmlns:x="http://example.com/ext" xmlns:media="http://search.yahoo.com/mrss/">' + "".join(parts) + "</feed>"
    )


@pytest.mark.parametrize("seed", range(6))
def test_generated_feeds_parse_the_same_on_both_paths(seed):
    rng = random.Random(seed)
    fast_taken = 0
    for index in range(60):
        kind = "rss" if index % 2 == 0 else "atom"
        body = (rss_feed(rng) if kind == "rss" else atom_feed(rng)).encode()
        content_type = rng.choice(
            [f"application/{kind}+xml; charset=utf-8", f"application/{kind}+xml", "application/xml"]
        )
        url = rng.choice([URL, "https://example.org/", ""])
        slow, fast = both(body, content_type, url)
        assert fast == slow, body.decode()
        fast_taken += fastfeed.parse(body, headers(content_type, url)) is not None
    assert fast_taken >= 20  # the comparison is not vacuous: many of them took the fast path


def test_the_benchmark_feed_takes_the_fast_path_with_the_same_result():
    import importlib.util

    spec = importlib.util.spec_from_file_location("watch_ingest", Path(__file__).parents[2] / "bench/watch_ingest.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    body = bench.feed_body(3, 50, 1)
    content_type = "application/rss+xml; charset=utf-8"
    assert fastfeed.parse(body, headers(content_type)) is not None
    slow, fast = both(body, content_type)
    assert fast == slow
    assert len(fast.entries) == 50


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # entities, even harmless ones, and any DOCTYPE: feedparser (after check_xml_safety) decides
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]><rss version="2.0"><channel><title>&a;</title>'
        b"</channel></rss>",
        b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://example.org/rss.dtd"><rss version="2.0"><channel>'
        b"</channel></rss>",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>&nbsp;</title></channel></rss>',
        b"<html><body><p>not a feed</p></body></html>",
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>unclosed</channel></rss>',
        b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>\xe9t\xe9</title>'
        b"</channel></rss>".replace(b"iso-8859-1", b"utf-8"),  # declared UTF-8, is not: feedparser guesses
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><description><p>raw html</p></description>'
        b"</item></channel></rss>",
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/"><channel><title>t</title></channel></rdf:RDF>',
        b"\xff\xfe<\x00r\x00s\x00s\x00/\x00>\x00",
        b"",
    ],
)
def test_the_fast_path_refuses_what_it_does_not_reproduce(body):
    assert fastfeed.parse(body, headers("application/rss+xml")) is None


def test_declared_encodings_are_decoded_as_feedparser_does():
    body = b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel><title>\xe9t\xe9</title>'
    body += b"<item><title>\xe9t\xe9 \x80</title></item></channel></rss>"
    for content_type in ("application/rss+xml", "application/rss+xml; charset=windows-1252", "text/xml"):
        slow, fast = both(body, content_type)
        assert fast == slow
    assert fastfeed.parse(body, headers("application/rss+xml")) is not None


def test_entity_bombs_never_reach_either_parser():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<rss version="2.0"><channel><title>&lol2;</title></channel></rss>'
    )
    with pytest.raises(ParseError):
        parse_xml_feed(bomb, "application/rss+xml", URL)
    assert fastfeed.parse(bomb, headers("application/rss+xml")) is None


def test_a_huge_text_node_falls_back_to_feedparser():
    huge = b"x" * (11 * 1024 * 1024)  # above libxml2's 10 MB text node limit without huge_tree
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>t</title><description>'
    body += huge + b"</description></item></channel></rss>"
    assert fastfeed.parse(body, headers("application/rss+xml")) is None
