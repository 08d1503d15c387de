"""GDPR: consent records, subject-access export, erasure (data gone, audit redacted not deleted, indicators
unchanged), retention with a dry run, the register of processing activities; pages per role."""

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.ecosystem.models import Consent, Person
from grappe.privacy import services

ANNA = ("anna@alpha.test", "Anna")


def _zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def _all_rows_text() -> str:
    """Every row of every Grappe table (reference data and the KBO register aside), as text."""
    chunks = []
    for model in apps.get_models():
        label = model._meta.app_label
        if label in ("referential", "register", "contenttypes", "auth", "sessions", "django_tasks_database"):
            continue
        for values in model._base_manager.values():
            chunks.append(json.dumps(values, default=str, ensure_ascii=False))
    return "\n".join(chunks)


def _indicators() -> dict[str, str]:
    from grappe.objectives.computations import registry
    from grappe.objectives.computations.base import Period

    result = {}
    for year in (timezone.localdate().year - 1, timezone.localdate().year):
        for key, computation in sorted(registry().items()):
            try:
                value = computation.func(Period.of_year(year)).value
            except Exception as exc:
                value = type(exc).__name__
            result[f"{key}@{year}"] = str(value)
    return result


def test_consents_record_purpose_date_source_and_withdrawal(world, db):
    consent = world.consent
    assert consent.purpose == Consent.Purpose.NEWSLETTER and consent.given_at and consent.source
    from grappe.ecosystem import services as eco

    eco.consent_withdraw(actor=None, consent=consent)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="ecosystem.consent.withdrawn", object_id=str(consent.pk)).exists()


def test_the_export_holds_everything_about_the_person_in_json_and_csv(world, db):
    archive = _zip(services.person_export(world.person_a))
    names = archive.namelist()
    assert "donnees.json" in names and "LISEZMOI.txt" in names
    data = json.loads(archive.read("donnees.json"))
    for label in (
        "ecosystem.Person",
        "ecosystem.Affiliation",
        "ecosystem.Consent",
        "accounts.User",
        "events.Registration",
        "events.Participant",
        "watch.Subscription",
        "watch.Digest",
        "core.AuditEntry",
    ):
        assert data.get(label), f"{label} missing from the export"
        assert f"{label.replace('.', '_')}.csv" in names
    assert data["ecosystem.Person"][0]["email"] == "anna@alpha.test"
    everything = archive.read("donnees.json").decode()
    assert "bruno@beta.test" not in everything  # nobody else's data
    assert "secret_hash" not in everything and '"password"' not in everything


def test_erasure_removes_the_person_everywhere_and_keeps_indicators(world, db):
    before_indicators = _indicators()
    person = Person.objects.get(pk=world.person_a.pk)
    audit_ids = set(services.audit_entries(services.person_data(person)).values_list("pk", flat=True))
    registrations = person.event_registrations.count()
    assert any(needle in _all_rows_text() for needle in ANNA)

    counts = services.person_erase(actor=world.users["staff"], person=person)

    text = _all_rows_text()
    for needle in ANNA:
        assert needle not in text, f"{needle} is still stored after erasure"
    person.refresh_from_db()
    assert person.erased_at is not None and person.email == "" and person.notes == ""
    assert person.event_registrations.count() == registrations  # kept, anonymous
    user = apps.get_model("accounts", "User").objects.get(pk=world.users["member_a"].pk)
    assert not user.is_active and not user.has_usable_password()
    assert not apps.get_model("events", "CalendarFeed").objects.filter(person=person).exists()
    assert not apps.get_model("watch", "Subscription").objects.filter(person=person).exists()
    assert not apps.get_model("accounts", "ApiToken").objects.filter(user=user).exists()
    # Audit entries are redacted, never deleted.
    entries = AuditEntry.objects.filter(pk__in=audit_ids)
    assert entries.count() == len(audit_ids) and not entries.filter(redacted_at__isnull=True).exists()
    assert all(e.changes == {} for e in entries)
    assert AuditEntry.objects.filter(action="privacy.person.erased").exists()
    assert counts["core.AuditEntry"] == len(audit_ids)
    assert _indicators() == before_indicators
    computed = [key for key, value in before_indicators.items() if not value.endswith(("Error", "Exception"))]
    assert len(computed) > len(before_indicators) / 2, "most indicators failed to compute: the comparison is blind"


def test_erasing_twice_changes_nothing_more(world, db):
    person = Person.objects.get(pk=world.person_b.pk)
    services.person_erase(actor=None, person=person)
    snapshot = _all_rows_text().count("[anonymisé]")
    rows = {m._meta.label: m._base_manager.count() for m in apps.get_models()}
    services.person_erase(actor=None, person=Person.objects.get(pk=person.pk))
    # Nothing more to anonymise: one more audit entry (the second erasure, itself labelled) and no other change.
    assert _all_rows_text().count("[anonymisé]") == snapshot + 1
    after = {m._meta.label: m._base_manager.count() for m in apps.get_models()}
    assert {label: after[label] - rows[label] for label in rows if after[label] != rows[label]} == {
        "core.AuditEntry": 1
    }


# --- retention -------------------------------------------------------------------------------------


@pytest.fixture
def old_contact(world, db):
    person = Person.objects.create(first_name="Oscar", last_name="Ancien", email="oscar@old.test")
    long_ago = timezone.now() - dt.timedelta(days=365 * 5)
    Person.objects.filter(pk=person.pk).update(updated_at=long_ago, created_at=long_ago)
    return person


def test_retention_dry_run_lists_old_inactive_non_member_contacts_without_erasing(old_contact, world):
    ids = services.retention_run(apply=False)
    assert old_contact.pk in ids
    assert world.person_a.pk not in ids and world.contact_a.pk not in ids  # contacts of a member, recent
    old_contact.refresh_from_db()
    assert old_contact.erased_at is None
    assert AuditEntry.objects.filter(action="privacy.retention.dry_run").exists()


def test_retention_applied_erases_them(old_contact, world, settings):
    settings.GRAPPE_RETENTION_APPLY = True
    from grappe.privacy.tasks import apply_retention

    assert apply_retention.call() >= 1
    old_contact.refresh_from_db()
    assert old_contact.erased_at is not None and old_contact.email == ""


def test_recent_activity_keeps_a_contact(old_contact, world):
    from grappe.ecosystem import services as eco

    eco.consent_record(actor=None, person=old_contact, purpose=Consent.Purpose.EVENTS)
    assert old_contact.pk not in services.retention_run(apply=False)


def test_retention_is_a_declared_periodic_job():
    from grappe.core.registry import periodic_jobs

    assert "privacy.retention" in {job.key for job in periodic_jobs()}


def test_retention_command_defaults_to_a_dry_run(old_contact, world):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("privacy_retention", stdout=out)
    assert "dry run" in out.getvalue()
    old_contact.refresh_from_db()
    assert old_contact.erased_at is None


# --- pages per role ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member_a", 403), ("observer", 403), ("staff", 200), ("admin", 200)],
)
def test_the_register_of_processing_activities_is_for_staff(role, status, world, clients, db):
    response = clients[role].get(reverse("privacy:register"))
    assert response.status_code == status
    if status == 200:
        assert "article 30" in response.content.decode()


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("member_a", 403), ("staff", 200)])
def test_staff_export_any_person(role, status, world, clients, db):
    response = clients[role].get(reverse("privacy:person_export", args=[world.contact_a.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/zip"
        assert AuditEntry.objects.filter(action="privacy.person.exported").exists()


def test_staff_erase_a_person_after_confirming(world, clients, db):
    url = reverse("privacy:person_erase", args=[world.contact_a.pk])
    assert clients["member_a"].post(url, {"confirm": "1"}).status_code == 403
    assert clients["staff"].get(url).status_code == 200
    clients["staff"].post(url, {})
    assert Person.objects.get(pk=world.contact_a.pk).erased_at is None  # no confirmation, nothing done
    assert clients["staff"].post(url, {"confirm": "1"}).status_code == 302
    assert Person.objects.get(pk=world.contact_a.pk).erased_at is not None


def test_a_member_downloads_their_own_data_only(world, clients, db):
    response = clients["member_a"].get(reverse("privacy:portal") + "?download=1")
    assert response.status_code == 200
    data = json.loads(_zip(response.content).read("donnees.json"))
    assert data["ecosystem.Person"][0]["email"] == "anna@alpha.test"
    assert clients["observer"].get(reverse("privacy:portal")).status_code == 403
    assert clients["anonymous"].get(reverse("privacy:portal")).status_code == 302


def test_fees_stay_in_aggregates_after_erasure(world, db):
    from grappe.ecosystem.models import Membership

    total = sum(m.yearly_fee or Decimal(0) for m in Membership.objects.all())
    services.person_erase(actor=None, person=Person.objects.get(pk=world.person_a.pk))
    assert sum(m.yearly_fee or Decimal(0) for m in Membership.objects.all()) == total
