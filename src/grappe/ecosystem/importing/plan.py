"""The dry-run result of an import: what each line would do, and why a file cannot be imported."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grappe.ecosystem.importing.fields import column_letter, field_label

# What a line does when the import is applied.
CREATE = "create"
UPDATE = "update"
SKIP = "skip"
ERROR = "error"
REVIEW = "review"  # a probable duplicate: staff must choose create, update or skip

ACTION_LABELS = {
    CREATE: gettext_lazy("créer"),
    UPDATE: gettext_lazy("mettre à jour"),
    SKIP: gettext_lazy("ignorer"),
    ERROR: gettext_lazy("erreur"),
    REVIEW: gettext_lazy("doublon probable à trancher"),
}

# How lines that match an existing record by enterprise number (or e-mail for people) are treated.
MODE_CREATE_ONLY = "create"
MODE_CREATE_OR_UPDATE = "update"
MODES = {
    MODE_CREATE_ONLY: gettext_lazy("créer seulement (un numéro déjà connu est une erreur)"),
    MODE_CREATE_OR_UPDATE: gettext_lazy("créer ou mettre à jour (un numéro déjà connu met à jour la fiche)"),
}
# Choices for a probable duplicate.
DECISIONS = {
    CREATE: gettext_lazy("créer quand même"),
    UPDATE: gettext_lazy("mettre à jour la fiche trouvée"),
    SKIP: gettext_lazy("ignorer la ligne"),
}

FUZZY_THRESHOLD = 90


@dataclass
class Match:
    """An existing record (or an earlier line of the file) a line resembles."""

    pk: int | None
    label: str
    reason: str
    score: int = 100
    line: int | None = None  # set when the match is an earlier line of the same file


@dataclass
class Line:
    """One data line of the file after cleaning."""

    line: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    action: str = CREATE
    match: Match | None = None
    decision: str = ""

    def error(self, kind: str, key: str | None, message: str) -> None:
        if key is None:
            self.errors.append(_("Ligne %(line)s : %(message)s") % {"line": self.line, "message": message})
        else:
            self.errors.append(
                _("Ligne %(line)s, %(field)s : %(message)s")
                % {"line": self.line, "field": field_label(kind, key), "message": message}
            )

    def warn(self, kind: str, key: str | None, message: str) -> None:
        if key is None:
            self.warnings.append(message)
        else:
            self.warnings.append(_("%(field)s : %(message)s") % {"field": field_label(kind, key), "message": message})

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])

    @property
    def effective_action(self) -> str:
        """The action once staff's decision on a probable duplicate is taken into account."""
        if self.errors:
            return ERROR
        if self.action == REVIEW:
            return self.decision or REVIEW
        return self.action


@dataclass
class Plan:
    kind: str
    filename: str
    file_description: str
    headers: list[str]
    mapping: list[str]
    mode: str
    lines: list[Line] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # file-level: header, mapping

    @property
    def errors(self) -> list[str]:
        return [*self.problems, *(message for line in self.lines for message in line.errors)]

    @property
    def undecided(self) -> list[Line]:
        return [line for line in self.lines if not line.errors and line.effective_action == REVIEW]

    @property
    def can_apply(self) -> bool:
        return (
            not self.errors
            and not self.undecided
            and any(line.effective_action in (CREATE, UPDATE) for line in self.lines)
        )

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((CREATE, UPDATE, SKIP, ERROR, REVIEW), 0)
        for line in self.lines:
            counts[line.effective_action] += 1
        return counts

    @property
    def columns(self) -> list[dict[str, str]]:
        return [
            {"position": str(i), "letter": column_letter(i), "header": header, "field": self.mapping[i]}
            for i, header in enumerate(self.headers)
        ]

    @property
    def mapped_fields(self) -> list[tuple[str, str]]:
        return [(key, field_label(self.kind, key)) for key in self.mapping if key]

    def blocking_reasons(self) -> list[str]:
        reasons = []
        if self.errors:
            reasons.append(
                _("%(count)s erreur(s) à corriger dans le fichier ; rien ne sera importé tant qu'il en reste.")
                % {"count": len(self.errors)}
            )
        if self.undecided:
            reasons.append(
                _("%(count)s doublon(s) probable(s) à trancher (lignes %(lines)s).")
                % {"count": len(self.undecided), "lines": ", ".join(str(line.line) for line in self.undecided[:20])}
            )
        if not self.errors and not any(line.effective_action in (CREATE, UPDATE) for line in self.lines):
            reasons.append(_("Aucune ligne à créer ni à mettre à jour."))
        return reasons


@dataclass
class Summary:
    """What an applied import did."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    object_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated, "skipped": self.skipped}


class ApplyError(Exception):
    """A line failed while applying; the whole import was rolled back. ``str()`` names the line."""
