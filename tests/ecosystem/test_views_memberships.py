"""Membership pages: members on a date with counts per tier, renewals due, create/edit/renew/end."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from grappe.ecosystem import services
from grappe.ecosystem.models import Membership, Organisation
from tests.ecosystem.ui_support import errors_of, plain_static_and_tmp_media  # noqa: F401

LIST = reverse("ecosystem:membership_list")


def new_org(name: str) -> Organisation:
    return services.organisation_create(actor=None, name=name)


def test_members_on_a_date_are_counted_and_listed_per_tier(staff_client, org_a, org_b):
    university = new_org("Université de Test")
    services.membership_create(
        actor=None, organisation=university, start_date=dt.date(2023, 6, 1), tier=Membership.Tier.ACADEMIC
    )
    left = new_org("Partie")
    services.membership_create(
        actor=None,
        organisation=left,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2022, 12, 31),
        status=Membership.Status.RESIGNED,
    )
    response = staff_client.get(LIST, {"on": "2023-01-15"})
    assert response.context["member_count"] == 2
    tiers = {str(label): n for label, n in response.context["tiers"]}
    assert tiers["PME"] == 2
    assert tiers["recherche et enseignement"] == 0
    on_2022 = staff_client.get(LIST, {"on": "2022-06-30"})
    assert {m.organisation.name for m in on_2022.context["members_page"]} == {"Alpha Matériaux", "Béton Bêta", "Partie"}
    today = staff_client.get(LIST)
    assert today.context["member_count"] == 3
    assert "3 membres au" in today.content.decode()


def test_tier_filter_narrows_the_member_list(staff_client, org_a):
    university = new_org("Université de Test")
    services.membership_create(
        actor=None, organisation=university, start_date=dt.date(2023, 6, 1), tier=Membership.Tier.ACADEMIC
    )
    response = staff_client.get(LIST, {"tier": "academic"})
    assert [m.organisation.name for m in response.context["members_page"]] == ["Université de Test"]


def test_status_filter_lists_memberships_with_that_status(staff_client, org_a):
    prospect = new_org("Peut-être")
    services.membership_create(
        actor=None, organisation=prospect, start_date=dt.date(2025, 1, 1), status=Membership.Status.PROSPECT
    )
    response = staff_client.get(LIST, {"status": "prospect"})
    assert [m.organisation.name for m in response.context["by_status"]] == ["Peut-être"]


def test_renewals_due_separates_overdue_from_coming(staff_client, org_a, org_b):
    today = dt.date.today()
    Membership.objects.filter(organisation=org_a).update(renewal_date=today - dt.timedelta(days=3))
    Membership.objects.filter(organisation=org_b).update(renewal_date=today + dt.timedelta(days=20))
    far = new_org("Lointaine")
    services.membership_create(
        actor=None, organisation=far, start_date=today, renewal_date=today + dt.timedelta(days=200)
    )
    response = staff_client.get(LIST)
    assert [m.organisation for m in response.context["overdue"]] == [org_a]
    assert [m.organisation for m in response.context["due"]] == [org_b]
    assert "en retard" in response.content.decode()


def test_renew_moves_the_renewal_date_one_year_and_records_payment(staff_client, org_a):
    membership = org_a.memberships.get()
    Membership.objects.filter(pk=membership.pk).update(renewal_date=dt.date(2026, 1, 1))
    response = staff_client.post(
        reverse("ecosystem:membership_renew", args=[membership.pk]), {"paid_until": "2026-12-31", "next": LIST}
    )
    assert response.url == LIST
    membership.refresh_from_db()
    assert membership.renewal_date == dt.date(2027, 1, 1)
    assert membership.fee_paid_until == dt.date(2026, 12, 31)


def test_renew_does_not_redirect_to_another_site(staff_client, org_a):
    membership = org_a.memberships.get()
    response = staff_client.post(
        reverse("ecosystem:membership_renew", args=[membership.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == LIST


def test_an_ended_membership_cannot_be_renewed(staff_client, org_a):
    membership = org_a.memberships.get()
    services.membership_end(
        actor=None, membership=membership, end_date=dt.date(2024, 12, 31), status=Membership.Status.LAPSED
    )
    response = staff_client.post(reverse("ecosystem:membership_renew", args=[membership.pk]), follow=True)
    assert "Seule une adhésion en cours" in response.content.decode()
    membership.refresh_from_db()
    assert membership.renewal_date is None


def test_staff_creates_a_membership_for_an_organisation(staff_client, staff_user):
    organisation = new_org("Nouvelle adhérente")
    url = reverse("ecosystem:membership_create") + f"?organisation={organisation.pk}"
    assert "organisation" not in staff_client.get(url).context["form"].fields
    response = staff_client.post(
        url,
        {
            "fixed_organisation": organisation.pk,
            "tier": "micro",
            "yearly_fee": "250.50",
            "status": "member",
            "start_date": "2026-02-01",
        },
    )
    assert response.url == reverse("ecosystem:organisation_detail", args=[organisation.pk])
    membership = organisation.memberships.get()
    assert membership.yearly_fee == Decimal("250.50")
    assert membership.renewal_date is not None


def test_staff_creates_a_membership_choosing_the_organisation(staff_client):
    organisation = new_org("Choisie")
    response = staff_client.post(
        reverse("ecosystem:membership_create"),
        {
            "organisation": organisation.pk,
            "tier": "sme",
            "yearly_fee": "0",
            "status": "member",
            "start_date": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert organisation.memberships.exists()


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"start_date": "2026-05-01", "end_date": "2026-01-01"}, "end_date", "précède la date de début"),
        ({"start_date": "2023-01-01"}, "start_date", "chevauche"),
        ({"start_date": "2026-01-01", "yearly_fee": "-5"}, "yearly_fee", ""),
        ({"start_date": ""}, "start_date", ""),
    ],
)
def test_membership_validation_is_shown_in_the_form_and_nothing_saved(staff_client, org_a, data, field, fragment):
    payload = {"fixed_organisation": org_a.pk, "tier": "sme", "yearly_fee": "100", "status": "member", **data}
    response = staff_client.post(reverse("ecosystem:membership_create") + f"?organisation={org_a.pk}", payload)
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors
    assert fragment in " ".join(errors[field])
    assert org_a.memberships.count() == 1


def test_staff_ends_a_membership_as_resigned(staff_client, org_a):
    membership = org_a.memberships.get()
    response = staff_client.post(
        reverse("ecosystem:membership_end", args=[membership.pk]), {"end_date": "2026-06-30", "status": "resigned"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.end_date, membership.renewal_date) == (
        "resigned",
        dt.date(2026, 6, 30),
        None,
    )


def test_ending_before_the_start_is_refused(staff_client, org_a):
    membership = org_a.memberships.get()
    response = staff_client.post(
        reverse("ecosystem:membership_end", args=[membership.pk]), {"end_date": "2021-01-01", "status": "lapsed"}
    )
    assert "précède" in " ".join(errors_of(response)["end_date"])
    membership.refresh_from_db()
    assert membership.end_date is None


def test_staff_edits_a_membership_fee(staff_client, org_a):
    membership = org_a.memberships.get()
    url = reverse("ecosystem:membership_edit", args=[membership.pk])
    response = staff_client.post(
        url, {"tier": "large", "yearly_fee": "1200", "status": "member", "start_date": "2022-01-01"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.tier, membership.yearly_fee) == ("large", Decimal("1200.00"))


def test_membership_list_query_count_is_bounded(staff_client, django_assert_max_num_queries):
    for i in range(30):
        organisation = new_org(f"Membre {i}")
        services.membership_create(actor=None, organisation=organisation, start_date=dt.date(2024, 1, 1))
    with django_assert_max_num_queries(15):
        response = staff_client.get(LIST)
    assert response.context["member_count"] == 30
