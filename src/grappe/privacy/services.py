"""GDPR by design: what Grappe knows about a person (subject access), erasure, retention.

- ``person_data(person)`` finds every row about a person through the models' metadata: every foreign key
  or one-to-one to ``ecosystem.Person`` (any app, present or future), the person's login (``accounts.User``)
  and every row pointing to that login, and the audit entries about those rows.
- ``person_export(person)`` writes them as a ZIP: one JSON file with everything, one CSV per table, a README.
- ``person_erase(actor, person)`` anonymises the person everywhere: identity and contact fields blanked,
  free text about them emptied, secrets (calendar feeds, tokens, 2FA devices) deleted, the login deactivated,
  and the audit entries about them redacted (kept, with their action and date, so counts and history hold).
  Rows that count in indicators (registrations, participations, interactions, memberships) are kept, pointing
  to the anonymised person: aggregate indicators do not change.
- ``retention_candidates()``: people without activity for ``GRAPPE_RETENTION_INACTIVE_YEARS`` years who are
  not contacts of a current member, have no login and no running consent.
"""

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from grappe.core.audit import _plain, audit_log
from grappe.core.models import AuditEntry
from grappe.privacy.models import ErasureRequest

ERASED_LABEL = "[anonymisé]"


def _person_model() -> type[models.Model]:
    return apps.get_model("ecosystem", "Person")


def _row(instance: models.Model) -> dict[str, Any]:
    data: dict[str, Any] = {"id": instance.pk}
    for f in instance._meta.concrete_fields:
        if f.name in ("search_text", "password", "secret_hash", "key", "token"):
            continue  # secrets and derived search text are not personal data worth exporting
        value = getattr(instance, f.attname)
        data[f.attname if f.is_relation else f.name] = _plain(value)
    return data


@dataclass
class PersonData:
    person: Any
    user: Any
    rows: dict[str, list[models.Model]] = field(default_factory=dict)  # "app.Model" -> instances

    def add(self, instance: models.Model) -> None:
        bucket = self.rows.setdefault(instance._meta.label, [])
        if all(existing.pk != instance.pk for existing in bucket):
            bucket.append(instance)


def _pointing_to(target_model: type[models.Model]) -> list[tuple[type[models.Model], models.Field]]:
    result = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is target_model:
                result.append((model, f))
    return result


def person_data(person: Any) -> PersonData:
    person_model = _person_model()
    user = getattr(person, "user", None) if hasattr(person, "user") else None
    try:
        user = person.user
    except Exception:
        user = None
    data = PersonData(person=person, user=user)
    data.add(person)
    for model, f in _pointing_to(person_model):
        for row in model._base_manager.filter(**{f.name: person}):
            data.add(row)
    if user is not None:
        data.add(user)
        user_model = type(user)
        for model, f in _pointing_to(user_model):
            if model is AuditEntry:
                continue  # audit entries are listed below, by what they are about
            for row in model._base_manager.filter(**{f.name: user}):
                data.add(row)
    # Second level: rows hanging off the person's registrations (survey answers, notifications...).
    for label in list(data.rows):
        parent_model = apps.get_model(label)
        if parent_model in (person_model, AuditEntry) or (user is not None and parent_model is type(user)):
            continue
        parents = data.rows[label]
        for model, f in _pointing_to(parent_model):
            if model is AuditEntry or model is person_model:
                continue
            for row in model._base_manager.filter(**{f"{f.name}__in": parents}):
                data.add(row)
    for entry in audit_entries(data):
        data.add(entry)
    return data


def audit_entries(data: PersonData) -> models.QuerySet:
    condition = Q(pk__in=[])
    for label, rows in data.rows.items():
        if label == AuditEntry._meta.label:
            continue
        model = apps.get_model(label)
        ct = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=ct, object_id__in=[str(r.pk) for r in rows])
    if data.user is not None:
        condition |= Q(actor=data.user)
    return AuditEntry.objects.filter(condition)


README = """Export de vos données personnelles (RGPD, article 15)

Ce fichier contient tout ce que {cluster} conserve à votre sujet dans Grappe, au {date}.
- donnees.json : toutes les données, par table (lisible par un programme) ;
- un fichier CSV par table (ouvrable dans un tableur).
Pour faire corriger ou effacer vos données, écrivez au cluster.
"""


def person_export(person: Any, *, for_subject: bool = False) -> bytes:
    """A ZIP of everything about ``person``: readable JSON and one CSV per table.

    ``for_subject``: the copy a member user downloads from the portal, which follows the portal's rules —
    rows flagged ``is_internal`` and the fields a model lists in ``PRIVATE_FIELDS`` (staff notes) are left
    out, also from the audit entries. The staff export (a formal request handled by the cluster) keeps all.
    """
    data = person_data(person)
    if for_subject:
        tables = _subject_tables(data)
    else:
        tables = {label: [_row(r) for r in rows] for label, rows in sorted(data.rows.items())}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "LISEZMOI.txt",
            README.format(cluster=settings.GRAPPE_CLUSTER_NAME, date=timezone.localdate().isoformat()),
        )
        archive.writestr("donnees.json", json.dumps(tables, ensure_ascii=False, indent=2, default=str))
        for label, rows in tables.items():
            if not rows:
                continue
            out = io.StringIO()
            columns = sorted({key for row in rows for key in row})
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _csv_cell(v) for k, v in row.items()})
            archive.writestr(f"{label.replace('.', '_')}.csv", out.getvalue())
    return buffer.getvalue()


def _subject_tables(data: PersonData) -> dict[str, list[dict[str, Any]]]:
    """The tables without internal rows and PRIVATE fields (see ``person_export(for_subject=True)``)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    dropped: set[tuple[str, str]] = set()
    for label, rows in sorted(data.rows.items()):
        private = set(getattr(apps.get_model(label), "PRIVATE_FIELDS", ()))
        kept = []
        for instance in rows:
            if getattr(instance, "is_internal", False) is True:
                dropped.add((label, str(instance.pk)))
                continue
            kept.append({k: v for k, v in _row(instance).items() if k not in private})
        tables[label] = kept
    entries = []
    for entry in data.rows.get(AuditEntry._meta.label, []):
        model = entry.content_type.model_class() if entry.content_type_id else None
        if model is not None and (model._meta.label, entry.object_id) in dropped:
            continue
        row = _row(entry)
        private = set(getattr(model, "PRIVATE_FIELDS", ())) if model is not None else set()
        if private and isinstance(row.get("changes"), dict):
            row["changes"] = {k: v for k, v in row["changes"].items() if k not in private}
        entries.append(row)
    if AuditEntry._meta.label in tables:
        tables[AuditEntry._meta.label] = entries
    return tables


def _csv_cell(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (list, dict)) else str(value)
    # Spreadsheet formula neutralisation.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# Free text and contact fields emptied on the rows that point to the person (beyond Person itself).
TEXT_FIELDS_TO_EMPTY = {"phone", "notes", "comment", "answers", "message", "offers", "requests", "html", "text"}
# Rows that only exist for the person and carry secrets or nothing countable: deleted.
DELETE_MODELS = {"events.CalendarFeed", "watch.Subscription", "accounts.ApiToken", "otp_totp.TOTPDevice"}


def _blank(instance: models.Model, person_pk: int) -> dict[str, Any]:
    updates: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.is_relation or f.primary_key:
            continue
        if f.name == "email" or isinstance(f, models.EmailField):
            updates[f.name] = "" if f.blank else f"erased-{person_pk}@invalid.invalid"
        elif f.name in TEXT_FIELDS_TO_EMPTY:
            if isinstance(f, models.JSONField):
                updates[f.name] = type(f.get_default())() if f.has_default() else {}
            elif isinstance(f, (models.CharField, models.TextField)):
                updates[f.name] = ""
    return updates


@transaction.atomic
def person_erase(*, actor: Any, person: Any) -> dict[str, int]:
    """Anonymise ``person`` everywhere; returns counts per table. Idempotent."""
    data = person_data(person)
    now = timezone.now()
    counts: dict[str, int] = {}
    person_model = _person_model()
    entries = list(audit_entries(data).values_list("pk", flat=True))
    for label, rows in data.rows.items():
        model = apps.get_model(label)
        if model is AuditEntry or model is person_model:
            continue
        if label in DELETE_MODELS:
            model._base_manager.filter(pk__in=[r.pk for r in rows]).delete()
            counts[label] = len(rows)
            continue
        if data.user is not None and model is type(data.user):
            _erase_user(data.user, person.pk)
            counts[label] = 1
            continue
        for row in rows:
            updates = _blank(row, person.pk)
            if updates:
                model._base_manager.filter(pk=row.pk).update(**updates)
        counts[label] = len(rows)
    consent = apps.get_model("ecosystem", "Consent")
    consent.objects.filter(person=person, withdrawn_at__isnull=True).update(withdrawn_at=now)
    # The request itself stays as proof that it was honoured, without its free text.
    ErasureRequest.objects.filter(person=person).update(reason="")
    ErasureRequest.objects.filter(person=person, status=ErasureRequest.Status.PENDING).update(
        status=ErasureRequest.Status.DONE,
        handled_at=now,
        handled_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    person_model._base_manager.filter(pk=person.pk).update(
        first_name=ERASED_LABEL,
        last_name=f"#{person.pk}",
        email="",
        phone="",
        languages=[],
        notes="",
        search_text="",
        erased_at=now,
    )
    person.interests.clear()
    redacted = AuditEntry.objects.filter(pk__in=entries).update(
        changes={}, object_label=ERASED_LABEL, message="", redacted_at=now
    )
    if data.user is not None:
        AuditEntry.objects.filter(actor=data.user).update(actor_label=ERASED_LABEL)
    counts["core.AuditEntry"] = redacted
    audit_log(
        actor=actor,
        action="privacy.person.erased",
        obj=person,
        object_label=ERASED_LABEL,
        changes={"tables": counts},
    )
    return counts


def _erase_user(user: Any, person_pk: int) -> None:
    user.email = f"erased-{person_pk}-{user.pk}@invalid.invalid"
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["email", "full_name", "is_active", "password"])


# --- retention ----------------------------------------------------------------------------------------


def retention_years() -> int:
    return int(getattr(settings, "GRAPPE_RETENTION_INACTIVE_YEARS", 3))


def retention_candidates(*, today: dt.date | None = None) -> models.QuerySet:
    """Non-member contacts without activity for the retention period (see the module docstring)."""
    person_model = _person_model()
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(dt.datetime.combine(today.replace(year=today.year - retention_years()), dt.time()))
    membership = apps.get_model("ecosystem", "Membership")
    members = membership.objects.filter(status__in=["member"]).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    member_org_ids = members.values("organisation_id")
    queryset = (
        person_model.objects.filter(erased_at__isnull=True, updated_at__lt=cutoff, user__isnull=True)
        .exclude(
            Q(affiliations__organisation_id__in=member_org_ids)
            & (Q(affiliations__end_date__isnull=True) | Q(affiliations__end_date__gte=today))
        )
        .exclude(consents__withdrawn_at__isnull=True, consents__given_at__gte=cutoff)
    )
    # Recent activity in any app that records a date next to the person.
    for model, f in _pointing_to(person_model):
        for date_field in ("created_at", "date", "given_at"):
            if date_field in {x.name for x in model._meta.concrete_fields}:
                related = model._base_manager.filter(
                    **{f"{date_field}__gte": _as_type(model, date_field, cutoff), f"{f.attname}__isnull": False}
                )  # no NULL in a NOT IN subquery: it would exclude everyone
                queryset = queryset.exclude(pk__in=related.values(f.attname))
                break
    return queryset.distinct()


def _as_type(model: type[models.Model], name: str, cutoff: dt.datetime) -> Any:
    return (
        cutoff.date()
        if isinstance(model._meta.get_field(name), models.DateField)
        and not isinstance(model._meta.get_field(name), models.DateTimeField)
        else cutoff
    )


def retention_run(*, apply: bool, today: dt.date | None = None) -> list[int]:
    """Erase (``apply``) or only list (dry run) the retention candidates; returns their ids."""
    ids = list(retention_candidates(today=today).values_list("pk", flat=True))
    if apply:
        person_model = _person_model()
        for person in person_model.objects.filter(pk__in=ids):
            person_erase(actor=None, person=person)
    audit_log(
        actor=None,
        action="privacy.retention.applied" if apply else "privacy.retention.dry_run",
        changes={"people": len(ids), "years": retention_years()},
    )
    return ids


def request_erasure(*, actor: Any, person: Any, reason: str = "") -> tuple[ErasureRequest, bool]:
    """Record a person's request to be erased (one pending request at a time) and tell the team by
    e-mail, from the worker. Returns the request and whether it is new."""
    with transaction.atomic():
        existing = (
            ErasureRequest.objects.select_for_update()
            .filter(person=person, status=ErasureRequest.Status.PENDING)
            .first()
        )
        if existing is not None:
            return existing, False
        erasure_request = ErasureRequest.objects.create(person=person, reason=reason.strip()[:2000])
        audit_log(actor=actor, action="privacy.erasure.requested", obj=erasure_request)
        from grappe.privacy.tasks import notify_erasure_request

        transaction.on_commit(lambda: notify_erasure_request.enqueue(erasure_request.pk))
    return erasure_request, True


def refuse_erasure(*, actor: Any, erasure_request: ErasureRequest, comment: str) -> ErasureRequest:
    """Refuse a request (e.g. a legal obligation to keep the data); the reason is required."""
    if not comment.strip():
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"staff_comment": _("Indiquez le motif du refus : la personne en sera informée.")})
    erasure_request.status = ErasureRequest.Status.REFUSED
    erasure_request.staff_comment = comment.strip()
    erasure_request.handled_at = timezone.now()
    erasure_request.handled_by = actor
    erasure_request.save()
    audit_log(actor=actor, action="privacy.erasure.refused", obj=erasure_request)
    return erasure_request
