"""CSV/XLSX import of organisations and people: read, map columns, dry-run, then apply all-or-nothing.

table = read_table(data, filename)                     # ImportFileError if the file is unreadable
plan = build_plan(kind, table, filename=..., mapping=auto_mapping(kind, table.headers), mode=...)
plan.lines / plan.errors / plan.can_apply               # the preview; nothing written so far
summary = apply_plan(plan, actor=user)                  # one transaction; ApplyError names the line
"""

from typing import Any

from grappe.ecosystem.importing import organisations, people
from grappe.ecosystem.importing.fields import KINDS, ORGANISATIONS, PEOPLE, auto_mapping, parse_mapping_option
from grappe.ecosystem.importing.plan import MODE_CREATE_ONLY, MODE_CREATE_OR_UPDATE, ApplyError, Plan, Summary
from grappe.ecosystem.importing.reading import ImportFileError, Table, read_table

__all__ = [
    "KINDS",
    "MODE_CREATE_ONLY",
    "MODE_CREATE_OR_UPDATE",
    "ORGANISATIONS",
    "PEOPLE",
    "ApplyError",
    "ImportFileError",
    "Plan",
    "Summary",
    "Table",
    "apply_plan",
    "auto_mapping",
    "build_plan",
    "parse_mapping_option",
    "read_table",
]

_MODULES = {ORGANISATIONS: organisations, PEOPLE: people}


def build_plan(
    kind: str,
    table: Table,
    *,
    filename: str,
    mapping: list[str] | None = None,
    mode: str = MODE_CREATE_ONLY,
    decisions: dict[int, str] | None = None,
) -> Plan:
    """The dry run of importing ``table`` as ``kind``; ``mapping`` defaults to the automatic one."""
    if mapping is None:
        mapping = auto_mapping(kind, table.headers)
    return _MODULES[kind].build_plan(table, filename=filename, mapping=mapping, mode=mode, decisions=decisions)


def apply_plan(plan: Plan, *, actor: Any) -> Summary:
    """Write the plan in one transaction; ``ApplyError`` (nothing written) if it has errors or a line fails."""
    return _MODULES[plan.kind].apply(plan, actor=actor)
