"""Issue #8 audit: the 404 page, schema.org Event on event pages, posts in the sitemap, visible fallbacks,
bad input (long search, unknown facet) never a 500."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone, translation

from grappe.ecosystem import services
from grappe.events import services as event_services
from grappe.events.models import Event
from grappe.showcase.models import Post


def _json_ld(html: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


@pytest.mark.parametrize(
    ("url", "lang"), [("/nl/directory/nobody/", "nl"), ("/de/news/nothing/", "de"), ("/fr/value-chains/x/", "fr")]
)
def test_not_found_page_is_the_public_layout_in_the_visitors_language(client, db, url, lang):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert re.search(r"<main[^>]*>", html) and "<h1>" in html
    assert f'href="/{lang}/directory/"' in html  # a way back
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="alternate" hreflang' not in html  # a missing page has no language versions


def test_unknown_language_prefix_is_a_404_page(client, db):
    response = client.get("/xx/directory/")
    assert response.status_code == 404 and "<h1>" in response.content.decode()


@pytest.fixture
def event(db):
    day = timezone.localdate() + dt.timedelta(days=10)
    tz = timezone.get_default_timezone()
    return event_services.event_create(
        actor=None,
        title="Visite de chantier",
        start=dt.datetime.combine(day, dt.time(14), tzinfo=tz),
        end=dt.datetime.combine(day, dt.time(16), tzinfo=tz),
        venue_name="Chantier pilote",
        venue_address="Rue du Réemploi 3",
        audience=Event.Audience.PUBLIC,
        status=Event.Status.PUBLISHED,
    )


def test_event_page_and_events_list_carry_schema_org_event(client, event):
    data = _json_ld(client.get(f"/events/{event.slug}/").content.decode())
    assert len(data) == 1 and data[0]["@type"] == "Event" and data[0]["name"] == "Visite de chantier"
    assert dt.datetime.fromisoformat(data[0]["startDate"]) == event.start
    assert re.search(r"T14:00:00\+0[12]:00$", data[0]["startDate"])  # Brussels time, as visitors read it
    assert data[0]["location"]["@type"] == "Place" and data[0]["location"]["name"] == "Chantier pilote"
    assert data[0]["url"] == f"http://testserver/events/{event.slug}/"
    graph = _json_ld(client.get("/en/events/").content.decode())[0]["@graph"]
    assert [item["name"] for item in graph] == ["Visite de chantier"]


def test_sitemap_lists_list_pages_and_published_posts_only(client, db):
    now = timezone.now()
    Post.objects.create(kind=Post.Kind.NEWS, status=Post.Status.PUBLISHED, slug="lancement", published_at=now)
    Post.objects.create(kind=Post.Kind.STORY, status=Post.Status.PUBLISHED, slug="recit", published_at=now)
    Post.objects.create(kind=Post.Kind.NEWS, status=Post.Status.DRAFT, slug="sentinel-draft")
    Post.objects.create(
        kind=Post.Kind.NEWS,
        status=Post.Status.PUBLISHED,
        slug="sentinel-future",
        published_at=now + dt.timedelta(days=2),
    )
    body = client.get("/sitemap.xml").content.decode()
    for path in ("/fr/news/lancement/", "/nl/stories/recit/", "/de/opportunities/", "/en/competences/", "/fr/events/"):
        assert f"http://testserver{path}" in body, path
    assert "sentinel" not in body


def test_profile_description_falls_back_to_any_language_visibly(client, db):
    with translation.override("fr"):
        org = services.organisation_create(
            actor=None, name="Nur Deutsch GmbH", public_profile_consent=True, description_de="Nur auf Deutsch."
        )
        services.site_add(actor=None, organisation=org, postal_code="4700", street="Hauptstraße", number="1")
        services.membership_create(actor=None, organisation=org, start_date=dt.date(2022, 1, 1), yearly_fee=100)
    html = client.get(f"/nl/directory/{org.slug}/").content.decode()
    assert '<div class="description" lang="de">' in html and "Nur auf Deutsch." in html
    assert 'class="message message-info"' in html


def test_bad_directory_input_is_never_a_500(client, db):
    for params in (
        {"q": "x" * 10_000},
        {"q": "béton " * 2000, "competence": "nope", "province": "99999", "market": "XX", "sort": "evil"},
        {"value_chain": "\x00", "kind": "' OR 1=1 --", "page": "-3"},
    ):
        response = client.get("/nl/directory/", params)
        assert response.status_code == 200, params
    html = client.get("/fr/directory/", {"q": "x" * 10_000}).content.decode()
    assert "raccourcie à 200 caractères" in html
    html = client.get("/fr/directory/", {"competence": "nope"}).content.decode()
    assert "valeur inconnue" in html
    assert client.get("/fr/widget/members/", {"value_chain": "nope"}).status_code == 200
