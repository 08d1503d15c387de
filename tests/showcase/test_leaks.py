"""Private data never reaches public output: sentinels planted in every private field, every public page scanned."""

import datetime as dt
from decimal import Decimal

import pytest

from grappe.ecosystem import services
from grappe.ecosystem.models import Consent, Membership, Organisation
from tests.showcase.conftest import LANGUAGES

SENTINELS = [
    "SENTINEL-ORG-NOTES",
    "SENTINEL-MEMBERSHIP-NOTES",
    "98765",  # the yearly fee 98765.43, in any format
    "98 765",
    "98.765",
    "98,765",
    "Sentinelprenom",
    "Sentinelnom",
    "sentinel.person@private.test",
    "+32 499 11 22 33",
    "SENTINEL-PERSON-NOTES",
    "SENTINEL-FUNCTION",
    "sentinel.affiliation@private.test",
    "+32 499 44 55 66",
    "Rue Sentinelle",
    "SENTINEL-SITE-LABEL",
    "0403019261",  # enterprise number: not part of the published profile
    "0403.019.261",
    "SENTINEL-PROPOSAL",  # a pending profile proposal
    "SENTINEL-REVIEW-COMMENT",  # a staff comment on a rejected proposal
    "SENTINEL-ACTION-NOTES",  # promotion log notes
    "SENTINEL-ACTION-TITLE",  # the promotion log is staff-only altogether
    "SENTINEL-MODERATION",  # opportunity moderation note
    "SENTINEL-PENDING-OPPORTUNITY",
    "SENTINEL-DRAFT-POST",
]


@pytest.fixture
def planted(directory) -> Organisation:
    """A public member whose every private field carries a sentinel, plus people with private data."""
    org = directory.ecobeton
    services.organisation_update(actor=None, organisation=org, internal_notes="SENTINEL-ORG-NOTES")
    Organisation.objects.filter(pk=org.pk).update(enterprise_number="0403019261")
    services.site_add(
        actor=None,
        organisation=org,
        postal_code="4020",
        street="Rue Sentinelle",
        number="7",
        label="SENTINEL-SITE-LABEL",
    )
    membership = org.memberships.get()
    services.membership_update(
        actor=None, membership=membership, notes="SENTINEL-MEMBERSHIP-NOTES", yearly_fee=Decimal("98765.43")
    )
    assert Membership.objects.get(pk=membership.pk).yearly_fee == Decimal("98765.43")
    for target in (org, directory.bois, directory.hidden):
        person = services.person_create(
            actor=None,
            first_name="Sentinelprenom",
            last_name="Sentinelnom",
            email="sentinel.person@private.test",
            phone="+32 499 11 22 33",
            notes="SENTINEL-PERSON-NOTES",
        )
        services.consent_record(
            actor=None,
            person=person,
            purpose=Consent.Purpose.CONTACT_SHARING,
            given_at=dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
        )
        services.affiliation_create(
            actor=None,
            person=person,
            organisation=target,
            function="SENTINEL-FUNCTION",
            email="sentinel.affiliation@private.test",
            phone="+32 499 44 55 66",
            is_primary_contact=True,
        )
    _plant_showcase_rows(org)
    return org


def _plant_showcase_rows(org: Organisation) -> None:
    from django.utils import timezone

    from grappe.showcase.models import CommunicationAction, Opportunity, Post, ProfileProposal

    ProfileProposal.objects.create(organisation=org, proposed={"description_fr": "SENTINEL-PROPOSAL"})
    ProfileProposal.objects.create(
        organisation=org,
        status=ProfileProposal.Status.REJECTED,
        proposed={"description_en": "SENTINEL-PROPOSAL"},
        review_comment="SENTINEL-REVIEW-COMMENT",
    )
    action = CommunicationAction.objects.create(
        kind="trade_fair", title="SENTINEL-ACTION-TITLE", date=dt.date(2026, 3, 1), notes="SENTINEL-ACTION-NOTES"
    )
    action.organisations.set([org])
    today = timezone.localdate()
    Opportunity.objects.create(
        kind="job",
        status="published",
        title="Poste ouvert",
        description="Public.",
        organisation=org,
        expires_on=today + dt.timedelta(days=5),
        published_at=timezone.now(),
        moderation_note="SENTINEL-MODERATION",
    )
    Opportunity.objects.create(
        kind="job", title="SENTINEL-PENDING-OPPORTUNITY", description="x", expires_on=today + dt.timedelta(days=5)
    )
    Post.objects.create(kind="news", slug="draft", title_fr="SENTINEL-DRAFT-POST", body_fr="SENTINEL-DRAFT-POST")
    published = Post.objects.create(
        kind="story",
        status="published",
        slug="public-story",
        published_at=timezone.now() - dt.timedelta(days=1),
        title_fr="Récit public",
        body_fr="Texte.",
    )
    published.organisations.set([org])


def public_urls(directory) -> list[str]:
    urls = [
        "/sitemap.xml",
        "/robots.txt",
        "/opendata/organisations.csv",
        "/opendata/organisations.json",
        "/opendata/catalog.jsonld",
    ]
    for lang in LANGUAGES:
        urls += [
            f"/{lang}/",
            f"/{lang}/directory/",
            f"/{lang}/directory/?q=beton",
            f"/{lang}/directory/?q=sentinel",
            f"/{lang}/directory/?competence=reemploi&value_chain=batiment",
            f"/{lang}/value-chains/batiment/",
            f"/{lang}/value-chains/renovation/",
            f"/{lang}/competences/",
            f"/{lang}/events/",
            f"/{lang}/opportunities/",
            f"/{lang}/opportunities/rss.xml",
            f"/{lang}/news/",
            f"/{lang}/news/rss.xml",
            f"/{lang}/news/atom.xml",
            f"/{lang}/stories/",
            f"/{lang}/stories/rss.xml",
            f"/{lang}/stories/atom.xml",
            f"/{lang}/stories/public-story/",
            f"/{lang}/widget/members/",
            f"/{lang}/embed/",
        ]
        urls += [f"/{lang}/directory/{o.slug}/" for o in (directory.ecobeton, directory.bois, directory.isolants)]
    return urls


def test_no_private_value_appears_in_any_public_output(client, directory, planted):
    scanned = 0
    for url in public_urls(directory):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for sentinel in SENTINELS:
            assert sentinel not in body, f"{sentinel!r} leaked on {url}"
        scanned += 1
    # The planted organisation is really published (the scan would be vacuous otherwise).
    assert "Écobéton Liège" in client.get(f"/fr/directory/{planted.slug}/").content.decode()
    assert "4020 Liège" in client.get(f"/fr/directory/{planted.slug}/").content.decode()
    assert scanned == 5 + 23 * len(LANGUAGES)


def test_htmx_directory_fragment_leaks_nothing(client, directory, planted):
    body = client.get("/en/directory/?q=ecobeton", headers={"HX-Request": "true"}).content.decode()
    assert "Écobéton Liège" in body
    for sentinel in SENTINELS:
        assert sentinel not in body
