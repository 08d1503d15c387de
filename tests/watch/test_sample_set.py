"""Every feed and calendar of the shared sample set, fetched from the local server through the real poll path,
is either ingested with the right item count, titles and dates, or rejected with a recorded reason."""

import datetime as dt
from pathlib import Path

import pytest

from grappe.watch.models import FetchLog, Item, Source
from grappe.watch.polling import poll_source

FIXTURES = Path(__file__).parent / "fixtures"
UTC = dt.UTC


def at(*args: int, offset_hours: float = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone(dt.timedelta(hours=offset_hours)))


# file -> (items stored, first item's title or None, first item's date or None, warning expected)
# A date is published_at for feeds and event_start for calendars; None means "no date in the file".
FEEDS = {
    "encoding__bozo_linenoise.xml": (1, "\xe2\u20ac\u2122\xe2\u20ac\x9d\u0160", None, True),
    "encoding__demoronize-1.xml": (1, "don\u2019t", None, False),
    "encoding__http_text_xml_charset_overrides_encoding.xml": (0, None, None, False),
    "encoding__utf-8-bom.xml": (0, None, None, False),
    "entities__hellip.xml": (0, None, None, True),
    "illformed__rss_incomplete_cdata.xml": (1, "(sans titre)", None, True),
    "illformed__rss_item_link_corrupted_ampersands.xml": (1, "http://link/get?a=1&b=2", None, True),
    "illformed__undeclared_namespace.xml": (0, None, None, True),
    "json__example.json": (2, "post 2", None, False),
    "wellformed__atom10__entry_category_term_non_ascii.xml": (1, "(sans titre)", None, False),
    "wellformed__atom10__entry_content_escaped_markup.xml": (1, "Example Atom", None, False),
    "wellformed__atom10__entry_content_inline_markup.xml": (1, "Example Atom", None, False),
    "wellformed__atom10__entry_link_rel_enclosure.xml": (1, "(sans titre)", None, False),
    "wellformed__atom10__relative_uri_inherit.xml": (0, None, None, False),
    "wellformed__atom__atom_namespace_1.xml": (0, None, None, False),
    "wellformed__rss__entity_in_doctype.xml": (1, "tag:example.com,2006-05-04:/blog/", None, False),
    "wellformed__rss__item_content_encoded.xml": (1, "Example content", None, False),
    "wellformed__rss__item_description_escaped_markup.xml": (1, "Example description", None, False),
    "wellformed__rss__item_enclosure_multiple.xml": (1, "http://example.com/", None, False),
    "wellformed__rss__item_guid_not_permalink.xml": (1, "http://guid.example.com/", None, False),
    "wellformed__rss__item_pubDate_map_updated_parsed.xml": (1, "(sans titre)", at(2004, 1, 1, 19, 48, 21), False),
    "wellformed__rss__rss_version_090.xml": (0, None, None, False),
    "wellformed__rss__rss_version_091_netscape.xml": (0, None, None, False),
    "wellformed__rss__rss_version_20.xml": (0, None, None, False),
    "wellformed__sanitize__entry_content_script.xml": (1, "safe description", None, False),
    "rss-parser__content-encoded.rss": (7, "THE CREATIVE FORAGER", at(2018, 4, 9, 18, 55, 38), False),
    "rss-parser__encoding.rss": (40, "Mãe de utente é a nova presidente da Raríssimas", at(2018, 1, 3, 13, 47), False),
    "rss-parser__feedburner.atom": (
        25,
        "AdWords and DFP Java client library will soon require Java 7+",
        at(2016, 6, 3, 14, 38),
        False,
    ),
    "rss-parser__narro.rss": (1, "FAQ for Narro", at(2015, 2, 20, 9, 51, 15), False),
    "rss-parser__nhs-feed.rss": (
        2,
        "As measles cases continue to rise, NHS North West invites thousands of school children to catch up "
        "with life-saving MMR",
        at(2024, 3, 18, 10, 0),
        False,
    ),
    "rss-parser__rss091.rss": (15, "Vida de jogador: trocando seis por nada", None, True),
}
CALENDARS = {
    "calendars__alarm_google_future.ics": (1, "event with alarms", at(2024, 10, 4, 18, 15), False),
    "calendars__alarm_thunderbird_future.ics": (1, "event with alarms", at(2024, 10, 23, 15, 0, offset_hours=1), False),
    "calendars__bom_calendar.ics": (0, None, None, False),
    "calendars__broken_ical.ics": (1, "An Event with too many semicolons", None, True),
    "calendars__example.ics": (3, "New Year's Day", at(2022, 1, 1, 0, 0, offset_hours=1), False),
    "calendars__issue_127_categories_with_commas.ics": (
        1,
        "Test Event with Categories Containing Commas",
        at(2014, 2, 4, 14, 0),
        False,
    ),
    "calendars__issue_722_missing_timezones.ics": (
        3,
        "an event with a custom tz name",
        at(2014, 8, 29, 8, 0, offset_hours=-4),
        False,
    ),
    "calendars__rfc_7986_conferences.ics": (1, "(sans titre)", None, False),
    "calendars__rfc_7986_properties.ics": (0, None, None, False),
    "calendars__timezoned.ics": (1, "artsprint 2012", at(2012, 2, 13, 10, 0, offset_hours=1), False),
    "calendars__x_location.ics": (1, "Daily Sync", at(2016, 10, 28, 14, 0, offset_hours=2), False),
    "events__event_with_escaped_characters.ics": (1, "(sans titre)", None, False),
    "events__event_with_recurrence.ics": (
        1,
        "A recurring event with exdates",
        at(1996, 4, 1, 1, 0, offset_hours=2),
        False,
    ),
    "events__issue_101_icalendar_chokes_on_umlauts_in_organizer.ics": (
        1,
        "wichtiger termin 1",
        at(2013, 4, 16, 10, 0),
        False,
    ),
    "events__issue_53_description_parsed_properly.ics": (
        1,
        "DevOps DC Meetup",
        at(2012, 7, 12, 18, 30, offset_hours=-4),
        False,
    ),
    "icalevents__multi_exdate_same_line_ms.ics": (
        1,
        "Recurring With Exclusions",
        at(2022, 3, 11, 11, 0, offset_hours=-5),
        False,
    ),
}
# file -> words the recorded reason must contain
REJECTED = {
    "feeds/illformed__rss_empty_document.xml": "pas un flux",
    "ics/calendars__pr_480_summary_with_colon.ics": "tronqué",
    "ics/icalevents__icloud.ics": "Offset must be less than 24 hours",
}


def test_the_expectations_cover_every_copied_sample():
    copied = {f"feeds/{p.name}" for p in (FIXTURES / "feeds").iterdir() if p.suffix != ".tsv"} | {
        f"ics/{p.name}" for p in (FIXTURES / "ics").iterdir() if p.suffix == ".ics"
    }
    expected = {f"feeds/{n}" for n in FEEDS} | {f"ics/{n}" for n in CALENDARS} | set(REJECTED)
    assert copied == expected


def _poll(server, path: str) -> Source:
    source = Source.objects.create(url=server.url("/" + path))
    poll_source(source.pk, force=True)
    source.refresh_from_db()
    return source


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "expected"),
    [(f"feeds/{k}", v) for k, v in FEEDS.items()] + [(f"ics/{k}", v) for k, v in CALENDARS.items()],
)
def test_sample_is_ingested_with_its_items_titles_and_dates(server, path, expected):
    count, title, date, warning = expected
    source = _poll(server, path)
    assert source.last_error == ""
    assert source.consecutive_failures == 0
    assert source.last_success_at is not None
    items = list(Item.objects.filter(source=source).order_by("pk"))
    assert len(items) == count
    log = FetchLog.objects.get(source=source)
    assert (log.outcome, log.items_new) == (FetchLog.Outcome.OK, count)
    if count:
        first = items[0]
        assert first.title == title
        moment = first.event_start if path.startswith("ics/") else first.published_at
        if date is None and path.startswith("feeds/"):
            assert first.date_missing  # kept, dated by the fetch, flagged
        elif date is not None:
            assert moment == date
            assert moment.utcoffset() is not None
    assert bool(source.last_warning) == warning or (count and any(i.date_missing for i in items))
    if path.startswith("ics/"):
        assert source.kind == Source.Kind.ICAL
        assert all(i.kind == Item.Kind.EVENT for i in items)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "reason"), REJECTED.items())
def test_unreadable_sample_is_rejected_with_a_recorded_reason(server, path, reason):
    source = _poll(server, path)
    assert reason in source.last_error
    assert source.consecutive_failures == 1
    assert source.last_error_at is not None
    assert not Item.objects.filter(source=source).exists()
    assert FetchLog.objects.get(source=source).outcome == FetchLog.Outcome.ERROR


@pytest.mark.django_db
def test_feed_details_survive_the_fetch(server):
    # HTTP charset header overriding the XML declaration, xml entities, HTML sanitising, relative links.
    source = _poll(server, "feeds/entities__hellip.xml")
    assert source.title == "testing \u2026 entity"
    source = _poll(server, "feeds/wellformed__atom10__entry_content_escaped_markup.xml")
    item = Item.objects.get(source=source)
    assert (item.summary or item.content) == "Example <b>Atom</b>"
    source = _poll(server, "feeds/json__example.json")
    second = Item.objects.get(source=source, guid="1")
    assert "<script>" not in second.content and "Hello, world!" in second.content
    assert second.link == "https://example.org/initial-post"
    source = _poll(server, "feeds/wellformed__rss__entity_in_doctype.xml")
    assert Item.objects.get(source=source).guid == "tag:example.com,2006-05-04:/blog/"
    source = _poll(server, "feeds/rss-parser__encoding.rss")
    assert source.kind == Source.Kind.RSS
    source = _poll(server, "feeds/rss-parser__feedburner.atom")
    assert source.kind == Source.Kind.ATOM
    assert Item.objects.filter(source=source, language="en").count() >= 20
