"""Write audit entries: ``audit_log`` records one change, ``snapshot``/``diff`` compute field diffs."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile

from grappe.core.models import AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, Decimal)):
        return str(value)
    if isinstance(value, FieldFile):  # checked before hasattr(): .url raises ValueError on an empty file
        return value.name or ""
    if hasattr(value, "code") and hasattr(value, "name"):  # django-countries Country
        return value.code
    # Lists, and list-likes such as django-countries' MultipleCountriesDescriptor (not a list subclass).
    if isinstance(value, (list, tuple, set)) or (hasattr(value, "__iter__") and not isinstance(value, (str, dict))):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, *, m2m: bool = True) -> dict[str, Any]:
    """Field values of ``instance``, including many-to-many ids when saved."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in ("search_text", "created_at", "updated_at"):
            continue
        value = getattr(instance, field.attname)
        data[field.attname if field.is_relation else field.name] = _plain(value)
    if m2m and instance.pk:
        for field in instance._meta.many_to_many:
            data[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    organisation_id: int | None = None,
    message: str = "",
    object_label: str | None = None,
) -> AuditEntry:
    """Record one change. ``actor`` may be a user, ``None`` (system) or anonymous."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=str(user) if user else "système",
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_label=(object_label if object_label is not None else str(obj) if obj is not None else "")[:300],
        organisation_id=organisation_id,
        changes=changes or {},
        message=message[:500],
    )
