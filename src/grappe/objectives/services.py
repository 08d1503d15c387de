"""Writes to the objectives contract: one transaction and one audit entry per use case.

Every function validates (``full_clean``) before saving and raises ``ValidationError`` with
messages naming the field; nothing is saved when validation fails.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log, diff, snapshot
from grappe.objectives.models import Indicator, Measurement, Objective, ObjectivesContract, ReportArchive, Target


def _save(instance: Any, *, actor: Any, action: str, before: dict[str, Any] | None = None) -> Any:
    instance.full_clean()
    instance.save()
    changes = diff(before or {}, snapshot(instance, m2m=False))
    audit_log(actor=actor, action=action, obj=instance, changes=changes)
    return instance


def _assign(instance: Any, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)


@transaction.atomic
def contract_create(*, actor: Any, title: str, start_year: int, years: int = 4, **fields: Any) -> ObjectivesContract:
    contract = ObjectivesContract(title=title, start_year=start_year, years=years, **fields)
    return _save(contract, actor=actor, action="objectives.contract.create")


@transaction.atomic
def contract_update(*, actor: Any, contract: ObjectivesContract, **fields: Any) -> ObjectivesContract:
    before = snapshot(contract, m2m=False)
    _assign(contract, fields)
    return _save(contract, actor=actor, action="objectives.contract.update", before=before)


@transaction.atomic
def objective_create(*, actor: Any, contract: ObjectivesContract, code: str, mission: str, **fields: Any) -> Objective:
    objective = Objective(contract=contract, code=code, mission=mission, **fields)
    return _save(objective, actor=actor, action="objectives.objective.create")


@transaction.atomic
def objective_update(*, actor: Any, objective: Objective, **fields: Any) -> Objective:
    before = snapshot(objective, m2m=False)
    _assign(objective, fields)
    return _save(objective, actor=actor, action="objectives.objective.update", before=before)


@transaction.atomic
def indicator_create(*, actor: Any, objective: Objective, code: str, **fields: Any) -> Indicator:
    fields.setdefault("mission", objective.mission)
    indicator = Indicator(contract=objective.contract, objective=objective, code=code, **fields)
    return _save(indicator, actor=actor, action="objectives.indicator.create")


@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, **fields: Any) -> Indicator:
    before = snapshot(indicator, m2m=False)
    _assign(indicator, fields)
    if "objective" in fields:
        indicator.contract = indicator.objective.contract
    return _save(indicator, actor=actor, action="objectives.indicator.update", before=before)


@transaction.atomic
def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
    audit_log(actor=actor, action="objectives.indicator.delete", obj=indicator, changes=snapshot(indicator, m2m=False))
    indicator.delete()


def _decimal(value: Any, field: str) -> Decimal:
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("« %(value)s » n'est pas un nombre.") % {"value": value}}) from exc


@transaction.atomic
def targets_set(*, actor: Any, indicator: Indicator, values: dict[int, Any]) -> list[Target]:
    """Set the yearly targets of an indicator; an empty value removes that year's target."""
    contract = indicator.contract
    errors = {}
    for year in values:
        if not contract.covers(year):
            errors[f"target_{year}"] = _("L'année %(year)s est hors du contrat (%(start)s-%(end)s).") % {
                "year": year,
                "start": contract.start_year,
                "end": contract.end_year,
            }
    if errors:
        raise ValidationError(errors)
    saved = []
    changes: dict[str, Any] = {}
    for year, raw in sorted(values.items()):
        existing = Target.objects.filter(indicator=indicator, year=year).first()
        if raw is None or str(raw).strip() == "":
            if existing:
                changes[str(year)] = [str(existing.value), None]
                existing.delete()
            continue
        value = _decimal(raw, f"target_{year}")
        target = existing or Target(indicator=indicator, year=year)
        old = str(target.value) if existing else None
        target.value = value
        target.full_clean()
        target.save()
        if old != str(target.value):
            changes[str(year)] = [old, str(target.value)]
        saved.append(target)
    if changes:
        audit_log(actor=actor, action="objectives.target.set", obj=indicator, changes=changes)
    return saved


@transaction.atomic
def measurement_create(
    *, actor: Any, indicator: Indicator, year: int, value: Any, quarter: int | None = None, **fields: Any
) -> Measurement:
    """Record a manual value with its evidence; refused when the indicator requires evidence and none is given."""
    measurement = Measurement(
        indicator=indicator,
        year=year,
        quarter=quarter,
        value=_decimal(value, "value"),
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        entered_at=timezone.now(),
        **fields,
    )
    return _save(measurement, actor=actor, action="objectives.measurement.create")


@transaction.atomic
def measurement_update(*, actor: Any, measurement: Measurement, **fields: Any) -> Measurement:
    before = snapshot(measurement, m2m=False)
    if "value" in fields:
        fields["value"] = _decimal(fields["value"], "value")
    _assign(measurement, fields)
    measurement.entered_by = actor if getattr(actor, "is_authenticated", False) else measurement.entered_by
    measurement.entered_at = timezone.now()
    return _save(measurement, actor=actor, action="objectives.measurement.update", before=before)


@transaction.atomic
def measurement_delete(*, actor: Any, measurement: Measurement) -> None:
    audit_log(
        actor=actor, action="objectives.measurement.delete", obj=measurement, changes=snapshot(measurement, m2m=False)
    )
    measurement.delete()


@transaction.atomic
def report_archive(
    *,
    actor: Any,
    contract: ObjectivesContract,
    year: int,
    kind: str = "annual",
    language: str = "fr",
    snapshot_date: Any = None,
) -> ReportArchive:
    """Compute a report as of a snapshot date, render its files and archive them with their numbers."""
    from django.core.files.base import ContentFile

    from grappe.objectives.reports.content import build
    from grappe.objectives.reports.render import FORMATS, render

    data = build(contract, year, kind=kind, language=language, snapshot=snapshot_date)
    archive = ReportArchive(
        contract=contract,
        year=year,
        kind=kind,
        language=language,
        snapshot_date=data.snapshot,
        numbers=data.numbers,
        generated_by=actor if getattr(actor, "is_authenticated", False) else None,
        generated_at=timezone.now(),
    )
    archive.full_clean(exclude=["pdf_file", "xlsx_file"])
    for fmt in FORMATS[kind]:
        file = render(data, fmt)
        getattr(archive, f"{fmt}_file").save(file.filename, ContentFile(file.content), save=False)
    archive.save()
    audit_log(
        actor=actor,
        action="objectives.report.archive",
        obj=archive,
        changes={"year": year, "kind": kind, "language": language, "snapshot": data.snapshot.isoformat()},
    )
    return archive


def monthly_snapshot(today: Any = None) -> ReportArchive | None:
    """Archive the current contract's annual report as of the last day of the previous month, once.

    Run daily by the worker's scheduler (``objectives.monthly_snapshot``): the first run of a month
    archives the numbers as they stood at the end of the month before (in January: the closed year
    as of 31/12). A month already archived with that snapshot date, no contract, or a year outside
    the contract: nothing is done. The trend of the numbers month by month and the corrections
    made afterwards are then visible on the archive pages.
    """
    import datetime as dt

    from grappe.objectives.selectors import current_contract

    today = today or timezone.localdate()
    snapshot_day = today.replace(day=1) - dt.timedelta(days=1)
    contract = current_contract(snapshot_day)
    if contract is None or contract.status != ObjectivesContract.Status.ACTIVE:
        return None
    if not contract.covers(snapshot_day.year):
        return None
    already = ReportArchive.objects.filter(
        contract=contract, year=snapshot_day.year, kind=ReportArchive.Kind.ANNUAL, snapshot_date=snapshot_day
    )
    if already.exists():
        return None
    return report_archive(
        actor=None,
        contract=contract,
        year=snapshot_day.year,
        kind=ReportArchive.Kind.ANNUAL,
        language="fr",
        snapshot_date=snapshot_day,
    )
