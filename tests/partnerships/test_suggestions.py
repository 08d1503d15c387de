"""Suggestions for an introduction request: overlap and text similarity, members first, never the requester."""

import datetime as dt
from decimal import Decimal

import pytest

from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Competence, Organisation
from grappe.partnerships import services
from grappe.partnerships.suggestions import suggest
from grappe.referential.models import NaceCode


@pytest.fixture
def reuse(db) -> Competence:
    return Competence.objects.create(name="Réemploi des matériaux", slug="reemploi")


@pytest.fixture
def tiles(reuse) -> Competence:
    return Competence.objects.create(name="Tuiles de réemploi", slug="tuiles-reemploi", parent=reuse)


def _org(name: str, description: str, *, member: bool = False, **fields) -> Organisation:
    org = eco.organisation_create(
        actor=None, name=name, kind=Organisation.Kind.COMPANY, description=description, **fields
    )
    if member:
        eco.membership_create(actor=None, organisation=org, start_date=dt.date(2020, 1, 1), yearly_fee=Decimal("300"))
    return org


def test_suggestions_rank_by_overlap_and_text_members_first_without_the_requester(org_a, member_a, reuse, tiles):
    roofer = _org("Toitures Delta", "Démontage de toitures et revente de tuiles anciennes.", member=True)
    roofer.competences.add(tiles)
    stranger = _org("Tuilerie Epsilon", "Tuiles anciennes récupérées, négoce de tuiles de réemploi.")
    _org("Logiciels Zeta", "Développement de logiciels de gestion.", member=True)
    org_a.competences.add(reuse)  # the requester matches perfectly, and must not appear
    org_a.description = "Tuiles anciennes"
    org_a.save()
    request = services.introduction_request_submit(
        actor=member_a,
        organisation=org_a,
        needs="Nous cherchons un partenaire qui récupère des tuiles anciennes pour un chantier.",
        competences=[reuse],
    )
    result = suggest(request)
    names = [s.organisation.name for s in result]
    assert "Alpha Matériaux" not in names
    assert "Logiciels Zeta" not in names
    assert names[:2] == ["Toitures Delta", "Tuilerie Epsilon"]
    delta, epsilon = result[0], result[1]
    assert delta.is_member and not epsilon.is_member
    assert "Réemploi des matériaux" in delta.reason  # a sub-competence satisfies the requested one
    assert "tuile" in epsilon.reason
    assert delta.parts["competences"] == 1.0 and epsilon.parts["competences"] == 0.0
    assert stranger.pk == epsilon.organisation.pk
    # Once introduced for this request, Delta is listed under the request and no longer suggested.
    services.introduction_create(
        actor=None, organisation_a=org_a, organisation_b=roofer, reason="Tuiles", request=request
    )
    assert [s.organisation.name for s in suggest(request)][:1] == ["Tuilerie Epsilon"]


def test_nace_codes_match_at_any_level(org_a, member_a):
    demolition = _org("Démolition Eta", "Chantiers.")
    eco.activity_set(actor=None, organisation=demolition, codes=["43.110"], main="43.110")
    division = NaceCode.objects.filter(version="2025", code="43").first() or NaceCode.objects.get(
        version="2008", code="43"
    )
    request = services.introduction_request_submit(
        actor=member_a, organisation=org_a, needs="Une entreprise de démolition sélective.", nace_codes=[division]
    )
    (first, *_rest) = suggest(request)
    assert first.organisation == demolition
    assert first.parts["nace"] == 1.0
    assert "NACE 43" in first.reason


def test_a_request_matching_nothing_suggests_nobody(org_a, member_a):
    _org("Logiciels Zeta", "Développement de logiciels de gestion.")
    request = services.introduction_request_submit(
        actor=member_a, organisation=org_a, needs="Quelqu'un qui fabrique des cloches de bronze."
    )
    assert suggest(request) == []


def _b2b_profile(organisation: Organisation, *, day: dt.date, offers: str = "", seeks: str = "", **fields):
    """A matchmaking profile of ``organisation`` at a B2B event held on ``day``."""
    from django.utils import timezone

    from grappe.events.models import Event, MatchmakingSession, Participant

    start = dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_default_timezone())
    event = Event.objects.create(
        kind="b2b",
        title=f"Rencontres B2B {day}",
        slug=f"b2b-{day}-{organisation.pk}",
        start=start,
        end=start + dt.timedelta(hours=4),
    )
    session = MatchmakingSession.objects.create(event=event)
    person = eco.person_create(actor=None, first_name="Profil", last_name=organisation.name, email="")
    competences = fields.pop("competences", [])
    profile = Participant.objects.create(
        session=session,
        person=person,
        organisation=organisation,
        type="supplier",
        offers=offers,
        requests=seeks,
        **fields,
    )
    profile.competences.set(competences)
    return profile


def test_the_events_selector_gives_each_organisation_its_b2b_offers_or_needs(
    org_a, org_b, reuse, django_assert_num_queries
):
    from grappe.events.selectors import matchmaking_offers

    _b2b_profile(org_a, day=dt.date(2025, 3, 1), offers="Tuiles anciennes", seeks="Transporteur", tags=["tuiles"])
    _b2b_profile(org_a, day=dt.date(2025, 9, 1), offers="Tuiles anciennes", seeks="Laboratoire", competences=[reuse])
    _b2b_profile(org_b, day=dt.date(2025, 9, 1), offers="", seeks="")
    silent = _org("Sans profil", "")
    with django_assert_num_queries(2):
        offers = matchmaking_offers([org_a.pk, org_b.pk, silent.pk])
    # Newest session first, each distinct text once; organisations with nothing to say are absent.
    assert offers == {org_a.pk: "Tuiles anciennes\nRéemploi des matériaux\ntuiles"}
    with django_assert_num_queries(1):
        assert matchmaking_offers([org_a.pk], seeks=True) == {org_a.pk: "Laboratoire\nTransporteur"}
    assert matchmaking_offers([]) == {}


def test_matchmaking_offers_count_in_the_suggestions(org_a, member_a):
    quiet = _org("Bureau Theta", "Bureau d'études.")
    _org("Bureau Iota", "Bureau d'études.")
    request = services.introduction_request_submit(
        actor=member_a, organisation=org_a, needs="Un bureau qui réalise les inventaires amiante."
    )
    assert all("B2B" not in s.reason for s in suggest(request))
    _b2b_profile(quiet, day=dt.date(2025, 5, 1), offers="Inventaires amiante avant démolition")
    (first, *_rest) = suggest(request)
    assert first.organisation == quiet
    assert "profil B2B proche" in first.reason and "« amiante »" in first.reason
