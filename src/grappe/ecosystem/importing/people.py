"""Import of people: a Person per line and, when an organisation is named, an Affiliation to it."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from grappe.core.text import fold
from grappe.ecosystem import services
from grappe.ecosystem.importing import cleaning
from grappe.ecosystem.importing.common import apply_plan, clean_into, cut_lines, decide, start_plan
from grappe.ecosystem.importing.fields import PEOPLE
from grappe.ecosystem.importing.matching import best_match, match_key
from grappe.ecosystem.importing.plan import (
    CREATE,
    FUZZY_THRESHOLD,
    MODE_CREATE_OR_UPDATE,
    REVIEW,
    SKIP,
    UPDATE,
    Line,
    Match,
    Plan,
    Summary,
)
from grappe.ecosystem.importing.reading import Table
from grappe.ecosystem.models import Affiliation, Organisation, Person
from grappe.ecosystem.numbers import format_enterprise_number

K = PEOPLE

_CLEANERS = {
    "first_name": partial(cleaning.clean_text, max_length=120),
    "last_name": partial(cleaning.clean_text, max_length=120),
    "email": cleaning.clean_email,
    "phone": partial(cleaning.clean_text, max_length=40),
    "organisation": partial(cleaning.clean_text, max_length=255),
    "organisation_number": cleaning.clean_enterprise_number,
    "function": partial(cleaning.clean_text, max_length=160),
    "languages": cleaning.clean_languages,
}


@dataclass
class _Known:
    organisations: dict[int, str] = field(default_factory=dict)
    by_number: dict[str, int] = field(default_factory=dict)
    by_key: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    people_by_email: dict[str, tuple[int, str]] = field(default_factory=dict)
    people_by_name: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # folded name -> ids
    people_names: dict[int, str] = field(default_factory=dict)
    people_of: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # organisation -> people

    @classmethod
    def load(cls, lines: list[Line]) -> "_Known":
        known = cls()
        for pk, name, acronym, number in Organisation.objects.values_list("pk", "name", "acronym", "enterprise_number"):
            known.organisations[pk] = name
            known.by_key[match_key(name)].add(pk)
            if acronym:
                known.by_key[match_key(acronym)].add(pk)
            if number:
                known.by_number[number] = pk
        emails = {line.values["email"] for line in lines if line.values.get("email")}
        people = Person.objects.filter(erased_at__isnull=True)
        for pk, first, last, email in people.filter(email__in=emails).values_list(
            "pk", "first_name", "last_name", "email"
        ):
            known.people_by_email[email] = (pk, f"{first} {last}")
        # Same-name candidates: everyone by exact folded name, and the people of each organisation
        # (a fuzzy match is only looked for within the line's organisation, which keeps it fast).
        for pk, first, last in people.values_list("pk", "first_name", "last_name"):
            known.people_by_name[fold(f"{first} {last}")].append(pk)
            known.people_names[pk] = f"{first} {last}"
        for person_id, organisation_id in Affiliation.objects.filter(person__erased_at__isnull=True).values_list(
            "person_id", "organisation_id"
        ):
            known.people_of[organisation_id].append(person_id)
        return known


def build_plan(
    table: Table, *, filename: str, mapping: list[str], mode: str, decisions: dict[int, str] | None = None
) -> Plan:
    """The dry run for people: cleaned lines, organisations resolved, duplicates found; nothing written."""
    plan = start_plan(K, table, filename=filename, mapping=mapping, mode=mode)
    if plan.problems:
        return plan
    plan.lines = cut_lines(K, table, plan.mapping)
    for line in plan.lines:
        for key in line.raw:
            clean_into(line, K, key, _CLEANERS[key])
        for key in ("first_name", "last_name"):
            if not line.raw.get(key):
                line.error(K, key, _("obligatoire."))
    known = _Known.load(plan.lines)
    close_names: dict[str, tuple[int, int] | None] = {}
    for line in plan.lines:
        _resolve_organisation(line, known, close_names)
    _find_duplicates(plan, known, decisions or {})
    return plan


def _resolve_organisation(line: Line, known: _Known, close_names: dict[str, tuple[int, int] | None]) -> None:
    """The organisation of a line: by enterprise number, else by exact name or acronym, else by a close name."""
    number = line.values.get("organisation_number")
    name = line.values.get("organisation", "")
    if not number and name:
        try:
            number = cleaning.clean_enterprise_number(name) if any(c.isdigit() for c in name) else None
        except cleaning.CellError:
            number = None
    if number:
        if number in known.by_number:
            line.values["organisation_id"] = known.by_number[number]
        else:
            key = "organisation_number" if line.values.get("organisation_number") else "organisation"
            line.error(
                K,
                key,
                _("aucune organisation ne porte le numéro %(number)s.") % {"number": format_enterprise_number(number)},
            )
        return
    if not name:
        return
    exact = known.by_key.get(match_key(name), set())
    if len(exact) == 1:
        line.values["organisation_id"] = next(iter(exact))
        return
    if len(exact) > 1:
        line.error(
            K,
            "organisation",
            _("« %(name)s » désigne plusieurs organisations ; indiquez le numéro d'entreprise.") % {"name": name},
        )
        return
    if name not in close_names:  # many lines name the same organisation: match each name once
        candidates = [(pk, match_key(n)) for pk, n in known.organisations.items()]
        close_names[name] = best_match(name, candidates, threshold=FUZZY_THRESHOLD)
    found = close_names[name]
    if found is None:
        line.error(
            K,
            "organisation",
            _("« %(name)s » inconnue (importez d'abord l'organisation, ou corrigez le nom).") % {"name": name},
        )
        return
    pk, score = found
    line.values["organisation_id"] = pk
    line.warn(
        K,
        "organisation",
        _("« %(name)s » rattachée à « %(found)s » (ressemblance %(score)s %%).")
        % {"name": name, "found": known.organisations[pk], "score": score},
    )


def _find_duplicates(plan: Plan, known: _Known, decisions: dict[int, str]) -> None:
    seen_emails: dict[str, int] = {}
    seen_names: list[tuple[int, str, int | None]] = []  # (line, folded full name, organisation id)
    for line in plan.lines:
        email = line.values.get("email")
        if email and email in seen_emails:
            message = _("%(email)s figure déjà à la ligne %(other)s.")
            line.error(K, "email", message % {"email": email, "other": seen_emails[email]})
            continue
        if email:
            seen_emails[email] = line.line
        if line.errors:
            continue
        full = fold(f"{line.values['first_name']} {line.values['last_name']}")
        organisation_id = line.values.get("organisation_id")
        if email and email in known.people_by_email:
            pk, label = known.people_by_email[email]
            if plan.mode == MODE_CREATE_OR_UPDATE:
                line.action, line.match = UPDATE, Match(pk=pk, label=label, reason=_("même e-mail"))
            else:
                line.error(
                    K,
                    "email",
                    _("%(email)s est déjà l'adresse de « %(name)s » (choisissez « créer ou mettre à jour »).")
                    % {"email": email, "name": label},
                )
            continue
        match = _same_person(full, organisation_id, known)
        if match is None:
            for other_line, other_name, other_org in seen_names:
                score = round(fuzz.token_sort_ratio(full, other_name))
                if score >= FUZZY_THRESHOLD and other_org == organisation_id:
                    match = Match(
                        pk=None,
                        label=other_name,
                        score=score,
                        line=other_line,
                        reason=_("même nom à la ligne %(line)s (%(score)s %%)") % {"line": other_line, "score": score},
                    )
                    break
        seen_names.append((line.line, full, organisation_id))
        if match is not None:
            line.action, line.match = REVIEW, match
            decide(line, decisions, (CREATE, SKIP) if match.pk is None else (CREATE, UPDATE, SKIP))


def _same_person(full: str, organisation_id: int | None, known: _Known) -> Match | None:
    """A person of the same organisation with a name at least 90 % alike, or the very same name without one."""
    if organisation_id is None:
        ids = known.people_by_name.get(full, [])
        return Match(pk=ids[0], label=known.people_names[ids[0]], reason=_("même nom")) if ids else None
    best: Match | None = None
    for pk in known.people_of.get(organisation_id, []):
        score = round(fuzz.token_sort_ratio(full, fold(known.people_names[pk])))
        if score >= FUZZY_THRESHOLD and (best is None or score > best.score):
            reason = _("nom ressemblant (%(score)s %%) et même organisation") % {"score": score}
            best = Match(pk=pk, label=known.people_names[pk], score=score, reason=reason)
    return best


# --- apply -----------------------------------------------------------------------------------------------------


def apply(plan: Plan, *, actor: Any) -> Summary:
    return apply_plan(plan, actor=actor, apply_line=partial(_apply_line, actor=actor))


def _apply_line(line: Line, *, actor: Any) -> int:
    values = line.values
    fields = {key: values[key] for key in ("email", "phone", "languages") if values.get(key)}
    if line.effective_action == UPDATE:
        person = Person.objects.get(pk=line.match.pk)
        services.person_update(
            actor=actor, person=person, first_name=values["first_name"], last_name=values["last_name"], **fields
        )
    else:
        person = services.person_create(
            actor=actor, first_name=values["first_name"], last_name=values["last_name"], **fields
        )
    organisation_id = values.get("organisation_id")
    if organisation_id:
        today = dt.date.today()
        current = person.affiliations.filter(organisation_id=organisation_id).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        if not current.exists():
            services.affiliation_create(
                actor=actor,
                person=person,
                organisation=Organisation.objects.get(pk=organisation_id),
                function=values.get("function", ""),
                email=values.get("email", ""),
                phone=values.get("phone", ""),
            )
    return person.pk
