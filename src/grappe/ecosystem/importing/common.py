"""Steps shared by the organisation and people imports: cutting lines into fields, applying atomically."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from grappe.core import deferred
from grappe.core.audit import audit_log
from grappe.ecosystem.importing.fields import field_label, mapping_problems
from grappe.ecosystem.importing.plan import CREATE, SKIP, UPDATE, ApplyError, Line, Plan, Summary
from grappe.ecosystem.importing.reading import Table


def start_plan(kind: str, table: Table, *, filename: str, mapping: list[str], mode: str) -> Plan:
    mapping = (list(mapping) + [""] * len(table.headers))[: len(table.headers)]
    plan = Plan(
        kind=kind,
        filename=filename,
        file_description=table.description,
        headers=table.headers,
        mapping=mapping,
        mode=mode,
    )
    plan.problems = mapping_problems(kind, table.headers, mapping)
    return plan


def cut_lines(kind: str, table: Table, mapping: list[str]) -> list[Line]:
    """One ``Line`` per data row with the mapped cells in ``raw``; rows of the wrong width get an error."""
    width = len(table.headers)
    lines = []
    for number, cells in table.rows:
        line = Line(line=number, raw={})
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            line.error(
                kind,
                None,
                _("%(count)s cellules pour %(width)s colonnes d'en-tête (séparateur ou guillemet en trop ?).")
                % {"count": len(cells), "width": width},
            )
        elif table.file_format == "csv" and len(cells) < width:
            line.error(
                kind,
                None,
                _("%(count)s cellules au lieu de %(width)s (ligne coupée ou séparateur manquant ?).")
                % {"count": len(cells), "width": width},
            )
        for position, key in enumerate(mapping):
            if key:
                line.raw[key] = cells[position].strip() if position < len(cells) else ""
        lines.append(line)
    return lines


def clean_into(line: Line, kind: str, key: str, cleaner: Callable[[str], Any]) -> None:
    """Clean ``line.raw[key]`` into ``line.values[key]`` when the cell is not empty; record errors."""
    from grappe.ecosystem.importing.cleaning import CellError

    value = line.raw.get(key, "")
    if not value:
        return
    try:
        line.values[key] = cleaner(value)
    except CellError as exc:
        line.error(kind, key, str(exc))


def decide(line: Line, decisions: dict[int, str], allowed: tuple[str, ...]) -> None:
    choice = decisions.get(line.line, "")
    line.decision = choice if choice in allowed else ""


def validation_message(kind: str, exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field_label(kind, key) if key != '__all__' else ''} : {' '.join(messages)}".strip(" :")
            for key, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


def apply_plan(plan: Plan, *, actor: Any, apply_line: Callable[[Line], int | None]) -> Summary:
    """Apply every line in one transaction; the first failure rolls everything back and names its line."""
    if not plan.can_apply:
        raise ApplyError(" ".join(plan.blocking_reasons()))
    summary = Summary()
    # Derived data (the directory index) is refreshed once for all rows, inside the transaction.
    with transaction.atomic(), deferred.batch():
        for line in plan.lines:
            action = line.effective_action
            if action == SKIP:
                summary.skipped += 1
                continue
            try:
                pk = apply_line(line)
            except ValidationError as exc:
                raise ApplyError(
                    _("Ligne %(line)s : %(message)s. Rien n'a été importé.")
                    % {"line": line.line, "message": validation_message(plan.kind, exc).rstrip(".")}
                ) from exc
            except DatabaseError as exc:
                raise ApplyError(
                    _("Ligne %(line)s : la base de données a refusé la ligne (%(detail)s). Rien n'a été importé.")
                    % {"line": line.line, "detail": type(exc).__name__}
                ) from exc
            if pk is not None:
                summary.object_ids.append(pk)
            if action == CREATE:
                summary.created += 1
            elif action == UPDATE:
                summary.updated += 1
        audit_log(
            actor=actor,
            action="ecosystem.import.applied",
            changes={"kind": plan.kind, "file": plan.filename, "mode": plan.mode, **summary.as_dict()},
            message=_(
                "Import de « %(file)s » : %(created)s créée(s), %(updated)s mise(s) à jour, %(skipped)s ignorée(s)"
            )
            % {"file": plan.filename, **summary.as_dict()},
            object_label=plan.filename,
        )
    return summary
