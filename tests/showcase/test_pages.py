"""Competences, events, news and stories with feeds, opportunities, widget and DCAT-AP catalogue."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from grappe.showcase import selectors
from grappe.showcase.models import Opportunity, Post
from tests.showcase.conftest import LANGUAGES

ROLES = ["client", "member_a_client", "observer_client", "staff_client", "admin_client_"]


@pytest.fixture
def posts(directory):
    now = timezone.now()
    news = Post.objects.create(
        kind=Post.Kind.NEWS,
        status=Post.Status.PUBLISHED,
        slug="nouveau-label",
        published_at=now - dt.timedelta(days=2),
        title_fr="Un nouveau label bas carbone",
        title_en="A new low-carbon label",
        lead_fr="Le cluster lance un label.",
        body_fr="Premier paragraphe.\n\nSecond paragraphe.",
    )
    story = Post.objects.create(
        kind=Post.Kind.STORY,
        status=Post.Status.PUBLISHED,
        slug="beton-recycle",
        published_at=now - dt.timedelta(days=10),
        title_fr="Du béton recyclé pour l'hôpital",
        body_fr="Écobéton a fourni 3 000 m³.",
    )
    story.organisations.set([directory.ecobeton, directory.hidden])
    Post.objects.create(kind=Post.Kind.NEWS, status=Post.Status.DRAFT, slug="brouillon", title_fr="SENTINEL-DRAFT")
    Post.objects.create(
        kind=Post.Kind.NEWS,
        status=Post.Status.PUBLISHED,
        slug="futur",
        published_at=now + dt.timedelta(days=3),
        title_fr="SENTINEL-FUTURE",
    )
    return news, story


@pytest.fixture
def opportunities(directory):
    today = timezone.localdate()
    return [
        Opportunity.objects.create(
            kind=Opportunity.Kind.JOB,
            status=Opportunity.Status.PUBLISHED,
            title="Ingénieur·e matériaux",
            description="CDI à Liège.",
            organisation=directory.ecobeton,
            expires_on=today + dt.timedelta(days=30),
            published_at=timezone.now(),
            contact_email="jobs@ecobeton.example",
            moderation_note="SENTINEL-MODERATION",
        ),
        Opportunity.objects.create(
            kind=Opportunity.Kind.TENDER,
            status=Opportunity.Status.PUBLISHED,
            title="SENTINEL-EXPIRED",
            description="x",
            expires_on=today - dt.timedelta(days=1),
        ),
        Opportunity.objects.create(
            kind=Opportunity.Kind.TENDER, title="SENTINEL-PENDING-OPP", description="x", expires_on=today
        ),
        Opportunity.objects.create(
            kind=Opportunity.Kind.PARTNERSHIP_REQUEST,
            status=Opportunity.Status.PUBLISHED,
            title="Recherche partenaire isolation",
            description="y",
            organisation=directory.hidden,
            expires_on=today,
        ),
    ]


def test_competences_page_counts_public_members(client, directory):
    html = client.get("/en/competences/").content.decode()
    assert "Reuse" in html, html[html.find("<main") :][:800]
    assert re.search(r"2 (members|membres)", html)
    assert 'href="/en/directory/?competence=reemploi"' in html


def test_news_and_stories_pages_show_published_only(client, posts):
    html = client.get("/fr/news/").content.decode()
    assert "Un nouveau label bas carbone" in html
    assert "SENTINEL-DRAFT" not in html and "SENTINEL-FUTURE" not in html
    assert client.get("/fr/news/brouillon/").status_code == 404
    assert client.get("/fr/news/futur/").status_code == 404
    assert client.get("/fr/news/beton-recycle/").status_code == 404  # a story is not a news item
    detail = client.get("/en/news/nouveau-label/").content.decode()
    assert "A new low-carbon label" in detail and "Second paragraphe." in detail
    assert '"@type": "NewsArticle"' in detail
    story = client.get("/nl/stories/beton-recycle/").content.decode()
    assert "niet vertaald" in story or "pas encore traduit" in story or 'lang="fr"' in story
    assert "Écobéton Liège" in story and "Discrète Matériaux" not in story  # only public members are cited


def test_feeds_per_language(client, posts):
    rss = client.get("/en/news/rss.xml")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    body = rss.content.decode()
    assert "A new low-carbon label" in body and "/en/news/nouveau-label/" in body
    assert "SENTINEL" not in body
    atom = client.get("/fr/stories/atom.xml")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert "Du béton recyclé" in atom.content.decode()


def test_opportunities_page_and_feed(client, opportunities):
    html = client.get("/fr/opportunities/").content.decode()
    assert "Ingénieur·e matériaux" in html and "jobs@ecobeton.example" in html
    assert "SENTINEL" not in html
    assert "Recherche partenaire isolation" in html and "Discrète Matériaux" not in html
    rss = client.get("/fr/opportunities/rss.xml").content.decode()
    assert "Ingénieur·e matériaux" in rss and "SENTINEL" not in rss


def test_events_page_lists_published_public_events(client, directory):
    html = client.get("/fr/events/")
    assert html.status_code == 200
    assert "events/feed.ics" in html.content.decode()


def test_widget_is_embeddable_and_filters_by_value_chain(client, directory):
    response = client.get("/fr/widget/members/?value_chain=renovation")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "Isolants du Sud" in html and "Écobéton Liège" not in html
    assert client.get("/fr/widget/members/?value_chain=%00nope").status_code == 200
    assert "iframe" in client.get("/fr/embed/").content.decode()


def test_dcat_catalogue(client, directory):
    response = client.get("/opendata/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    catalogue = json.loads(response.content)
    assert catalogue["@type"] == "dcat:Catalog"
    dataset = catalogue["dcat:dataset"][0]
    assert {d["dct:format"] for d in dataset["dcat:distribution"]} == {"CSV", "JSON"}
    assert dataset["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "3" in dataset["dct:description"][0]["@value"]


def test_stories_published_selector_for_objectives(posts):
    today = timezone.localdate()
    assert selectors.stories_published(today - dt.timedelta(days=30), today).count() == 1


@pytest.mark.parametrize("role_client", ROLES)
def test_every_role_reads_the_new_public_pages(request, directory, posts, opportunities, role_client):
    browser = request.getfixturevalue(role_client)
    for path in ("competences/", "events/", "news/", "stories/", "opportunities/", "embed/", "widget/members/"):
        assert browser.get(f"/de/{path}").status_code == 200, path
    assert browser.post("/fr/news/").status_code == 405


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_have_landmarks_and_hreflang(client, directory, posts, lang):
    for path in ("competences/", "news/", "stories/", "opportunities/", "events/"):
        html = client.get(f"/{lang}/{path}").content.decode()
        assert re.search(r"<main[^>]*>", html) and 'hreflang="x-default"' in html, path


def test_profile_lists_related_stories_and_opportunities(client, directory, posts, opportunities):
    html = client.get(f"/fr/directory/{directory.ecobeton.slug}/").content.decode()
    assert "Du béton recyclé pour l" in html and "Ingénieur·e matériaux" in html
    assert "SENTINEL" not in html
