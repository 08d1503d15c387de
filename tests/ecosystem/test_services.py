"""Ecosystem services: validation, invariants, audit and merge."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grappe.core.models import AuditEntry
from grappe.ecosystem import selectors, services
from grappe.ecosystem.models import Affiliation, Membership, Organisation, Person, Relationship, Site

pytestmark = pytest.mark.django_db


def make_org(name: str = "Recy-Mat Hainaut", **fields) -> Organisation:
    return services.organisation_create(actor=None, name=name, **fields)


def test_enterprise_number_is_stored_normalised_and_displayed_with_dots():
    org = make_org(enterprise_number="BE 403.019.261")
    assert org.enterprise_number == "0403019261"
    assert org.enterprise_number_display == "0403.019.261"


def test_invalid_enterprise_number_names_the_field_and_saves_nothing():
    with pytest.raises(ValidationError) as error:
        make_org(enterprise_number="0403.019.262")
    assert "enterprise_number" in error.value.message_dict
    assert "0403.019.262" in error.value.message_dict["enterprise_number"][0]
    assert Organisation.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_duplicate_enterprise_number_is_refused_with_a_clear_message():
    make_org(enterprise_number="0403019261")
    with pytest.raises(ValidationError) as error:
        make_org("Another name", enterprise_number="0403.019.261")
    assert "Une organisation porte déjà ce numéro d'entreprise." in str(error.value)
    assert Organisation.objects.count() == 1


def test_organisations_without_number_may_coexist():
    make_org("A")
    make_org("B")
    assert Organisation.objects.filter(enterprise_number__isnull=True).count() == 2


def test_slug_is_unique_and_accent_free():
    first = make_org("Béton Liégeois")
    second = make_org("Béton Liégeois")
    assert first.slug == "beton-liegeois"
    assert second.slug == "beton-liegeois-2"


@pytest.mark.parametrize(
    ("kind", "headcount", "turnover", "expected"),
    [
        ("company", "1-4", "", "micro"),
        ("company", "10-19", "", "small"),
        ("company", "5-9", "lt10m", "small"),
        ("company", "50-99", "lt10m", "medium"),
        ("company", "200-249", "lt50m", "medium"),
        ("company", "250-499", "lt2m", "large"),
        ("company", "20-49", "ge50m", "large"),
        ("startup", "1-4", "", "micro"),
        ("company", "", "", "unknown"),
        ("university", "1000+", "", "unknown"),
    ],
)
def test_sme_status_follows_the_eu_definition(kind, headcount, turnover, expected):
    org = make_org(kind=kind, headcount_band=headcount, turnover_band=turnover)
    assert org.sme_status == expected


def test_creation_and_update_are_audited_with_field_diffs(staff_user):
    org = make_org(website="https://a.example")
    services.organisation_update(actor=staff_user, organisation=org, website="https://b.example", name="Recy-Mat")
    entry = AuditEntry.objects.filter(action="ecosystem.organisation.updated").get()
    assert entry.actor == staff_user
    assert entry.organisation_id == org.pk
    assert entry.changes["website"] == ["https://a.example", "https://b.example"]
    assert entry.changes["name"] == ["Recy-Mat Hainaut", "Recy-Mat"]
    assert AuditEntry.objects.filter(action="ecosystem.organisation.created", object_id=str(org.pk)).exists()


def test_update_without_change_writes_no_audit_entry():
    org = make_org()
    services.organisation_update(actor=None, organisation=org, name=org.name)
    assert not AuditEntry.objects.filter(action="ecosystem.organisation.updated").exists()


def test_site_resolves_the_municipality_and_feeds_the_search():
    org = make_org("Bois d'Ardenne")
    site = services.site_add(actor=None, organisation=org, postal_code="6700", street="Rue du Bois", number="3")
    assert site.municipality.label_fr == "Arlon"
    assert site.municipality.province.nis == "80000"
    assert site.is_head_office
    assert list(selectors.organisation_search(Organisation.objects.all(), "ARLON")) == [org]
    assert list(selectors.organisation_search(Organisation.objects.all(), "ardenne")) == [org]


def test_unknown_postal_code_is_refused():
    org = make_org()
    with pytest.raises(ValidationError) as error:
        services.site_add(actor=None, organisation=org, postal_code="9999")
    assert "postal_code" in error.value.message_dict
    assert Site.objects.count() == 0


def test_search_is_accent_and_case_insensitive():
    org = make_org("Société Liégeoise de Rénovation")
    assert list(selectors.organisation_search(Organisation.objects.all(), "societe LIEGEOISE renov")) == [org]
    assert list(selectors.organisation_search(Organisation.objects.all(), "flamande")) == []


def test_activity_set_keeps_one_main_activity_and_refuses_unknown_codes():
    org = make_org()
    services.activity_set(actor=None, organisation=org, codes=["43.110", "38.3"], main="43.110")
    assert [(a.nace.code, a.is_main) for a in org.activities.order_by("nace__code")] == [
        ("383", False),
        ("43110", True),
    ]
    with pytest.raises(ValidationError):
        services.activity_set(actor=None, organisation=org, codes=["99.999"])
    assert org.activities.count() == 2


def test_membership_end_before_start_is_refused():
    org = make_org()
    with pytest.raises(ValidationError) as error:
        services.membership_create(
            actor=None, organisation=org, start_date=dt.date(2024, 1, 1), end_date=dt.date(2023, 1, 1)
        )
    assert "La date de fin précède la date de début." in str(error.value)
    assert Membership.objects.count() == 0


def test_overlapping_membership_periods_are_refused():
    org = make_org()
    services.membership_create(actor=None, organisation=org, start_date=dt.date(2022, 1, 1))
    with pytest.raises(ValidationError):
        services.membership_create(actor=None, organisation=org, start_date=dt.date(2023, 6, 1))


def test_members_on_a_date_follow_membership_history():
    a, b, c = make_org("A"), make_org("B"), make_org("C")
    services.membership_create(
        actor=None,
        organisation=a,
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2022, 12, 31),
        status=Membership.Status.RESIGNED,
    )
    services.membership_create(actor=None, organisation=b, start_date=dt.date(2022, 6, 1), yearly_fee="600.00")
    services.membership_create(
        actor=None, organisation=c, start_date=dt.date(2022, 1, 1), status=Membership.Status.PROSPECT
    )
    assert set(selectors.members_on(dt.date(2021, 6, 1))) == {a}
    assert set(selectors.members_on(dt.date(2022, 7, 1))) == {a, b}
    assert set(selectors.members_on(dt.date(2023, 1, 1))) == {b}
    assert selectors.joins_and_exits(dt.date(2023, 1, 1), dt.date(2023, 12, 31)) == {"joins": 0, "exits": 1}
    assert selectors.joins_and_exits(dt.date(2022, 1, 1), dt.date(2022, 12, 31)) == {"joins": 1, "exits": 0}


def test_members_on_does_not_mix_two_membership_rows():
    # One lapsed period and a later prospect row must not combine into a "member".
    org = make_org()
    services.membership_create(
        actor=None,
        organisation=org,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 12, 31),
        status=Membership.Status.LAPSED,
    )
    services.membership_create(
        actor=None, organisation=org, start_date=dt.date(2022, 1, 1), status=Membership.Status.PROSPECT
    )
    assert not selectors.members_on(dt.date(2023, 1, 1)).exists()


def test_fee_is_a_decimal_and_renewal_is_set_on_creation():
    org = make_org()
    membership = services.membership_create(
        actor=None, organisation=org, start_date=dt.date(2024, 3, 15), yearly_fee="750.50"
    )
    membership.refresh_from_db()
    assert membership.yearly_fee == Decimal("750.50")
    assert membership.renewal_date is not None and membership.renewal_date.month == 3
    renewed = services.membership_renew(actor=None, membership=membership)
    assert renewed.renewal_date.year == membership.renewal_date.year


def test_renewal_moves_one_year_on_and_shows_in_renewals_due():
    org = make_org()
    today = dt.date.today()
    membership = services.membership_create(
        actor=None, organisation=org, start_date=dt.date(2020, 1, 1), renewal_date=today + dt.timedelta(days=10)
    )
    assert list(selectors.renewals_due(today)) == [membership]
    services.membership_renew(actor=None, membership=membership)
    membership.refresh_from_db()
    assert membership.renewal_date.year == (today + dt.timedelta(days=10)).year + 1
    assert list(selectors.renewals_due(today)) == []


def test_membership_end_requires_an_ending_status():
    org = make_org()
    membership = services.membership_create(actor=None, organisation=org, start_date=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.membership_end(actor=None, membership=membership, end_date=dt.date(2024, 1, 1), status="member")
    services.membership_end(
        actor=None, membership=membership, end_date=dt.date(2024, 1, 1), status=Membership.Status.RESIGNED
    )
    assert not selectors.members_on(dt.date(2024, 6, 1)).exists()


def test_person_changes_employer_and_keeps_history():
    old, new = make_org("Old"), make_org("New")
    person = services.person_create(actor=None, first_name="Élise", last_name="Dupont", email="Elise@Old.example")
    assert person.email == "elise@old.example"
    first = services.affiliation_create(actor=None, person=person, organisation=old, start_date=dt.date(2019, 1, 1))
    services.affiliation_end(actor=None, affiliation=first, end_date=dt.date(2023, 12, 31))
    services.affiliation_create(actor=None, person=person, organisation=new, start_date=dt.date(2024, 1, 1))
    assert Affiliation.objects.filter(person=person).count() == 2
    assert [a.organisation for a in selectors.current_affiliations(new)] == [new]
    assert not selectors.current_affiliations(old).exists()
    assert list(selectors.person_list("elise")) == [person]


def test_affiliation_ending_before_it_started_is_refused():
    org = make_org()
    person = services.person_create(actor=None, first_name="A", last_name="B")
    affiliation = services.affiliation_create(
        actor=None, person=person, organisation=org, start_date=dt.date(2024, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.affiliation_end(actor=None, affiliation=affiliation, end_date=dt.date(2023, 1, 1))


def test_relationship_with_itself_is_refused():
    org = make_org()
    with pytest.raises(ValidationError):
        services.relationship_create(actor=None, source=org, target=org, kind="partner")


def test_merge_moves_every_relation_and_keeps_the_history(staff_user):
    keep = make_org("Recy-Mat Hainaut")
    duplicate = make_org("RecyMat Hainaut SRL", enterprise_number="0403019261", website="https://recymat.example")
    other = make_org("Partner")
    services.site_add(actor=None, organisation=duplicate, postal_code="7000")
    services.activity_set(actor=None, organisation=duplicate, codes=["38.3"])
    services.activity_set(actor=None, organisation=keep, codes=["38.3"])
    services.membership_create(actor=None, organisation=duplicate, start_date=dt.date(2021, 1, 1))
    person = services.person_create(actor=None, first_name="Jan", last_name="Peeters")
    services.affiliation_create(actor=None, person=person, organisation=duplicate)
    services.relationship_create(actor=None, source=other, target=duplicate, kind="customer")
    duplicate_pk = duplicate.pk

    merged = services.organisation_merge(actor=staff_user, keep=keep, duplicate=duplicate)

    assert not Organisation.objects.filter(pk=duplicate_pk).exists()
    assert merged.enterprise_number == "0403019261"
    assert merged.website == "https://recymat.example"
    assert "RecyMat Hainaut SRL" in merged.other_names
    assert merged.sites.count() == 1 and merged.sites.get().is_head_office
    assert merged.activities.count() == 1  # the shared NACE code is not duplicated
    assert merged.memberships.count() == 1
    assert merged.affiliations.get().person == person
    assert Relationship.objects.get(source=other).target == merged
    assert selectors.is_member_on(merged, dt.date(2022, 1, 1))
    assert AuditEntry.objects.filter(action="ecosystem.organisation.merged", organisation_id=merged.pk).exists()
    # The duplicate's own history now belongs to the kept organisation.
    assert not AuditEntry.objects.filter(organisation_id=duplicate_pk).exists()
    assert AuditEntry.objects.filter(organisation_id=merged.pk, action="ecosystem.site.created").exists()
    assert list(selectors.organisation_search(Organisation.objects.all(), "recymat srl")) == [merged]


def test_merge_with_itself_is_refused():
    org = make_org()
    with pytest.raises(ValidationError):
        services.organisation_merge(actor=None, keep=org, duplicate=org)


def test_person_search_ignores_accents():
    person = services.person_create(actor=None, first_name="Françoise", last_name="Lefèvre")
    assert list(selectors.person_list("francoise lefevre")) == [person]
    assert Person.objects.get().search_text == "francoise lefevre"
