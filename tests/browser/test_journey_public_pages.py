"""Journeys of the public site (issue #8, "Done when").

1. A Dutch-speaking visitor searches the directory on /nl/ with a typo and a facet, opens a profile and
   switches to English with the language switcher: same profile, right URL, lang and hreflang.
2. axe-core (no serious or critical violation) on every public page type: home, directory, profile,
   value chain, competences, events (list and detail), opportunities, news (list and post), stories
   (list and story) and the 404 page.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from grappe.ecosystem import services
from grappe.ecosystem.models import Competence, Organisation, Segment, ValueChain
from grappe.events import services as event_services
from grappe.events.models import Event
from grappe.showcase.models import Certification, Opportunity, Post
from tests.browser.axe import CHROMIUM, assert_accessible, login_as, new_page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]


def _page(browser, locale: str = "nl-BE"):
    page = new_page(browser, locale=locale)
    page.set_default_navigation_timeout(60_000)  # the first directory search loads the index (slow on a busy host)
    return page


def _public(name: str, postal_code: str, **fields) -> Organisation:
    org = services.organisation_create(
        actor=None, name=name, kind=Organisation.Kind.COMPANY, public_profile_consent=True, **fields
    )
    services.site_add(actor=None, organisation=org, postal_code=postal_code, street="Rue du Port", number="3")
    services.membership_create(actor=None, organisation=org, start_date=dt.date(2022, 1, 1), yearly_fee=Decimal("500"))
    return org


def _world() -> dict:
    with translation.override("fr"):
        chain = ValueChain.objects.create(name="Bâtiment circulaire", name_nl="Circulair bouwen", slug="batiment")
        segment = Segment.objects.create(value_chain=chain, name="Matériaux", name_nl="Materialen", slug="materiaux")
        reuse = Competence.objects.create(name="Réemploi", name_en="Reuse", name_nl="Hergebruik", slug="reemploi")
        bim = Competence.objects.create(name="Maquette BIM", name_nl="BIM-model", slug="bim")
        ecobeton = _public(
            "Écobéton Liège",
            "4000",
            description_fr="Béton recyclé à partir de déchets de démolition.",
            description_en="Recycled concrete made from demolition waste.",
            description_nl="Gerecycleerd beton uit sloopafval.",
            segments=[segment],
            competences=[reuse],
            website="https://ecobeton.example",
            export_markets=["NL", "LU"],
        )
        _public(
            "Betonwerken Namen",
            "5000",
            description_nl="Gerecycleerd beton en prefab-elementen.",
            segments=[segment],
            competences=[bim],
        )
        _public("Isolants du Sud", "6000", description_fr="Isolants biosourcés.", competences=[reuse])
    Certification.objects.create(
        organisation=ecobeton,
        name="ISO 14001",
        issuer="Vinçotte",
        valid_until=timezone.localdate() + dt.timedelta(days=300),
        status=Certification.Status.APPROVED,
    )
    now = timezone.now()
    news = Post.objects.create(
        kind=Post.Kind.NEWS,
        status=Post.Status.PUBLISHED,
        slug="nouveau-label",
        published_at=now - dt.timedelta(days=1),
        title_fr="Un nouveau label bas carbone",
        title_nl="Een nieuw koolstofarm label",
        lead_fr="Le cluster lance un label.",
        body_fr="Premier paragraphe.\n\nSecond paragraphe.",
    )
    story = Post.objects.create(
        kind=Post.Kind.STORY,
        status=Post.Status.PUBLISHED,
        slug="beton-recycle",
        published_at=now - dt.timedelta(days=3),
        title_fr="Du béton recyclé pour l'hôpital",
        body_fr="Écobéton a fourni 3 000 m³.",
    )
    story.organisations.set([ecobeton])
    Opportunity.objects.create(
        kind=Opportunity.Kind.JOB,
        status=Opportunity.Status.PUBLISHED,
        title="Ingénieur·e matériaux",
        description="CDI à Liège.",
        organisation=ecobeton,
        contact_email="jobs@ecobeton.example",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
        published_at=now,
    )
    day = timezone.localdate() + dt.timedelta(days=14)
    tz = timezone.get_default_timezone()
    event = event_services.event_create(
        actor=None,
        title="Visite d'un chantier de réemploi",
        start=dt.datetime.combine(day, dt.time(14), tzinfo=tz),
        end=dt.datetime.combine(day, dt.time(16), tzinfo=tz),
        venue_name="Chantier pilote",
        venue_address="Rue du Réemploi 3",
        audience=Event.Audience.PUBLIC,
        status=Event.Status.PUBLISHED,
    )
    return {"chain": chain, "ecobeton": ecobeton, "news": news, "story": story, "event": event}


@pytest.mark.django_db(transaction=True)
def test_dutch_visitor_searches_with_a_typo_and_a_facet_then_switches_language(browser, live_server):
    world = _world()
    slug = world["ecobeton"].slug
    page = _page(browser)
    page.goto(f"{live_server.url}/nl/directory/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    results = page.locator(".directory-results li")
    expect(results).to_have_count(3)

    # "gerecyclerd": one letter missing from the Dutch descriptions' "gerecycleerd".
    page.locator("#directory-q").fill("gerecyclerd")
    page.locator("form[role=search] button[type=submit]").click()
    expect(results).to_have_count(2)
    assert "q=gerecyclerd" in page.url
    assert_accessible(page)

    competence = page.locator("#facet-competence")
    option = competence.locator("option", has_text="Hergebruik").first  # the facet's label in Dutch
    competence.select_option(option.get_attribute("value"))
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Écobéton Liège")
    assert "competence=reemploi" in page.url and "q=gerecyclerd" in page.url
    assert_accessible(page)

    results.first.get_by_role("link", name="Écobéton Liège").click()
    page.wait_for_url(f"**/nl/directory/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Écobéton Liège")
    expect(page.locator(".description[lang=nl]")).to_contain_text("Gerecycleerd beton uit sloopafval.")
    expect(page.locator("main")).to_contain_text("ISO 14001")
    for code in ("fr", "en", "nl", "de"):
        alternate = page.locator(f"link[rel=alternate][hreflang={code}]")
        expect(alternate).to_have_attribute("href", f"{live_server.url}/{code}/directory/{slug}/")
    expect(page.locator("link[rel=alternate][hreflang=x-default]")).to_have_attribute(
        "href", f"{live_server.url}/fr/directory/{slug}/"
    )
    assert_accessible(page)

    switcher = page.get_by_role("navigation", name="Taal")
    current = switcher.locator("a[aria-current=true]")
    expect(current).to_have_attribute("hreflang", "nl")
    switcher.locator("a[hreflang=en]").click()
    page.wait_for_url(f"{live_server.url}/en/directory/{slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Écobéton Liège")
    expect(page.locator(".description[lang=en]")).to_contain_text("Recycled concrete made from demolition waste.")
    expect(page.locator("link[rel=canonical]")).to_have_attribute("href", f"{live_server.url}/en/directory/{slug}/")
    expect(page.locator("link[rel=alternate][hreflang=nl]")).to_have_attribute(
        "href", f"{live_server.url}/nl/directory/{slug}/"
    )
    expect(page.locator("meta[property='og:locale']")).to_have_attribute("content", "en")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_every_public_page_type_passes_axe(browser, live_server):
    world = _world()
    base = live_server.url
    pages = {
        "home": f"{base}/nl/",
        "directory": f"{base}/nl/directory/?q=beton&competence=reemploi",
        "profile": f"{base}/de/directory/{world['ecobeton'].slug}/",
        "value chain": f"{base}/nl/value-chains/{world['chain'].slug}/",
        "competences": f"{base}/en/competences/",
        "events": f"{base}/fr/events/",
        "event": f"{base}/events/{world['event'].slug}/",
        "opportunities": f"{base}/en/opportunities/",
        "news": f"{base}/nl/news/",
        "news post": f"{base}/nl/news/{world['news'].slug}/",
        "stories": f"{base}/fr/stories/",
        "story": f"{base}/de/stories/{world['story'].slug}/",
        "embed help": f"{base}/fr/embed/",
    }
    page = _page(browser)
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {response.status}"
        expect(page.locator("h1").first).to_be_visible()
        assert_accessible(page)

    for url in (f"{base}/nl/directory/no-such-member/", f"{base}/xx/directory/", f"{base}/nl/news/no-such-post/"):
        response = page.goto(url)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("main a[href$='/directory/']").first).to_be_visible()  # a way back
        assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_member_proposes_a_certification_staff_approve_visitor_sees_it(
    browser, live_server, org_a, member_a, staff_user
):
    services.organisation_update(actor=None, organisation=org_a, public_profile_consent=True)
    member = login_as(browser, live_server, member_a)
    member.set_default_navigation_timeout(60_000)
    member.goto(f"{live_server.url}/portal/public-profile/")
    member.get_by_role("link", name=f"Certifications — {org_a.name}").click()
    member.wait_for_url(f"**/portal/public-profile/{org_a.pk}/certifications/")
    assert_accessible(member)
    member.get_by_label("Certification ou label").fill("ISO 9001")
    member.get_by_label("Organisme de certification").fill("Vinçotte")
    member.get_by_label("Valide jusqu'au").fill((timezone.localdate() + dt.timedelta(days=200)).isoformat())
    member.get_by_role("button", name="Envoyer pour vérification").click()
    expect(member.locator("table")).to_contain_text("en attente de validation")
    assert_accessible(member)

    visitor = _page(browser, locale="fr-BE")
    visitor.goto(f"{live_server.url}/fr/directory/{org_a.slug}/")
    expect(visitor.locator("main")).not_to_contain_text("ISO 9001")

    staff = login_as(browser, live_server, staff_user)
    staff.set_default_navigation_timeout(60_000)
    staff.goto(f"{live_server.url}/staff/showcase/certifications/")
    assert_accessible(staff)
    staff.get_by_role("button", name="Valider").click()
    expect(staff.locator(".messages")).to_contain_text("Certification validée")
    staff.goto(f"{live_server.url}/staff/showcase/organisations/{org_a.pk}/certifications/")
    assert_accessible(staff)

    visitor.reload()
    expect(visitor.locator("ul.certifications")).to_contain_text("ISO 9001 — Vinçotte")
    assert_accessible(visitor)
