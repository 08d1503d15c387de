"""Staff people pages: search, detail with affiliation history, create/edit, change of employer."""

import datetime as dt

from django.urls import reverse

from grappe.core.models import AuditEntry
from grappe.ecosystem import services
from grappe.ecosystem.models import Affiliation, Consent, Person
from tests.ecosystem.ui_support import errors_of, plain_static_and_tmp_media  # noqa: F401

LIST = reverse("ecosystem:person_list")


def test_person_search_ignores_accents_and_finds_by_organisation(staff_client, member_a, member_b):
    assert [p.last_name for p in staff_client.get(LIST, {"q": "beta"}).context["people"]] == ["Bêta"]
    assert [p.last_name for p in staff_client.get(LIST, {"q": "materiaux"}).context["people"]] == ["Alpha"]


def test_person_list_shows_current_positions_and_hides_erased_people(staff_client, member_a):
    erased = services.person_create(actor=None, first_name="Effacé", last_name="Zz")
    Person.objects.filter(pk=erased.pk).update(erased_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    response = staff_client.get(LIST)
    html = response.content.decode()
    assert "Alpha Matériaux (Directrice)" in html
    assert "Effacé" not in html


def test_person_list_htmx_returns_the_results_only(staff_client, member_a):
    html = staff_client.get(LIST, {"q": "anna"}, headers={"HX-Request": "true"}).content.decode()
    assert "Alpha" in html
    assert "<html" not in html


def test_person_detail_shows_history_consents_and_notes_to_staff(staff_client, member_a, org_b):
    person = member_a.person
    services.person_update(actor=None, person=person, notes="Préfère le téléphone")
    services.consent_record(actor=None, person=person, purpose=Consent.Purpose.NEWSLETTER)
    services.affiliation_create(
        actor=None,
        person=person,
        organisation=org_b,
        function="Stagiaire",
        start_date=dt.date(2010, 1, 1),
        end_date=dt.date(2012, 1, 1),
    )
    response = staff_client.get(reverse("ecosystem:person_detail", args=[person.pk]))
    html = response.content.decode()
    assert "Préfère le téléphone" in html
    assert "lettre d&#x27;information" in html or "lettre d'information" in html
    assert [a.organisation.name for a in response.context["past_affiliations"]] == ["Béton Bêta"]


def test_staff_creates_a_person_and_lands_on_the_detail(staff_client, staff_user):
    response = staff_client.post(
        reverse("ecosystem:person_create"),
        {"first_name": "Élise", "last_name": "Étienne", "email": "ELISE@example.test", "languages": ["fr"]},
    )
    person = Person.objects.get(last_name="Étienne")
    assert response.url == reverse("ecosystem:person_detail", args=[person.pk])
    assert person.email == "elise@example.test"
    assert AuditEntry.objects.filter(action="ecosystem.person.created", actor=staff_user).exists()


def test_person_form_errors_are_shown_and_nothing_created(staff_client):
    response = staff_client.post(reverse("ecosystem:person_create"), {"first_name": "", "email": "pas-un-email"})
    assert {"first_name", "last_name", "email"} <= set(errors_of(response))
    assert not Person.objects.exists()


def test_staff_edits_notes_of_a_person(staff_client, member_a):
    url = reverse("ecosystem:person_edit", args=[member_a.person_id])
    response = staff_client.post(url, {"first_name": "Anna", "last_name": "Alpha", "notes": "VIP"})
    assert response.status_code == 302
    member_a.person.refresh_from_db()
    assert member_a.person.notes == "VIP"


def test_change_of_employer_closes_the_current_position_and_keeps_history(staff_client, member_a, org_b):
    person = member_a.person
    response = staff_client.post(
        reverse("ecosystem:affiliation_add", args=[person.pk]),
        {
            "aff-organisation": org_b.pk,
            "aff-function": "Responsable achats",
            "aff-start_date": "2025-03-01",
            "aff-end_current": "on",
        },
    )
    assert response.status_code == 302
    old, new = (
        Affiliation.objects.get(person=person, organisation__name="Alpha Matériaux"),
        Affiliation.objects.get(person=person, organisation=org_b),
    )
    assert old.end_date == dt.date(2025, 3, 1)
    assert new.end_date is None
    assert new.function == "Responsable achats"


def test_change_of_employer_without_start_date_is_refused_and_nothing_changes(staff_client, member_a, org_b):
    response = staff_client.post(
        reverse("ecosystem:affiliation_add", args=[member_a.person_id]),
        {"aff-organisation": org_b.pk, "aff-end_current": "on"},
    )
    assert response.status_code == 200
    assert "start_date" in errors_of(response, "affiliation_form")
    assert Affiliation.objects.filter(person=member_a.person).count() == 1
    assert Affiliation.objects.get(person=member_a.person).end_date is None


def test_end_affiliation_before_its_start_is_refused(staff_client, member_a):
    affiliation = member_a.person.affiliations.get()
    Affiliation.objects.filter(pk=affiliation.pk).update(start_date=dt.date(2024, 6, 1))
    response = staff_client.post(
        reverse("ecosystem:affiliation_end", args=[affiliation.pk]), {"end_date": "2024-01-01"}, follow=True
    )
    assert "La date de fin précède la date de début" in response.content.decode()
    affiliation.refresh_from_db()
    assert affiliation.end_date is None


def test_staff_ends_an_affiliation(staff_client, member_a):
    affiliation = member_a.person.affiliations.get()
    response = staff_client.post(
        reverse("ecosystem:affiliation_end", args=[affiliation.pk]), {"end_date": "2026-01-31"}
    )
    assert response.url == reverse("ecosystem:person_detail", args=[member_a.person_id])
    affiliation.refresh_from_db()
    assert affiliation.end_date == dt.date(2026, 1, 31)


def test_erased_person_detail_is_404(staff_client, member_a):
    Person.objects.filter(pk=member_a.person_id).update(erased_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert staff_client.get(reverse("ecosystem:person_detail", args=[member_a.person_id])).status_code == 404
