"""Import of organisations: clean each line, find duplicates, then create or update through the services."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from grappe.core.text import fold
from grappe.ecosystem import services
from grappe.ecosystem.importing import cleaning
from grappe.ecosystem.importing.common import apply_plan, clean_into, cut_lines, decide, start_plan
from grappe.ecosystem.importing.fields import ORGANISATIONS
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
from grappe.ecosystem.models import Competence, Organisation, Segment, Site
from grappe.ecosystem.numbers import format_enterprise_number
from grappe.referential.models import NaceCode, PostalCode

K = ORGANISATIONS

_TEXT_LIMITS = {
    "name": 255,
    "acronym": 60,
    "legal_form": 10,
    "phone": 40,
    "street": 200,
    "number": 20,
    "box": 20,
    "description": 10_000,
    "internal_notes": 10_000,
    "municipality": 120,
}
_CLEANERS = {
    "kind": cleaning.clean_kind,
    "enterprise_number": cleaning.clean_enterprise_number,
    "founded_on": cleaning.clean_date,
    "headcount_band": cleaning.clean_headcount,
    "turnover_band": cleaning.clean_turnover,
    "website": cleaning.clean_url,
    "email": cleaning.clean_email,
    "nace": cleaning.clean_nace_codes,
    "segments": cleaning.split_names,
    "competences": cleaning.split_names,
    **{key: partial(cleaning.clean_text, max_length=limit) for key, limit in _TEXT_LIMITS.items()},
}
# Fields written on the organisation itself (the rest are sites, activities and taxonomies).
_ORGANISATION_FIELDS = (
    "name",
    "acronym",
    "kind",
    "enterprise_number",
    "legal_form",
    "founded_on",
    "headcount_band",
    "turnover_band",
    "website",
    "email",
    "phone",
    "description",
    "internal_notes",
)


@dataclass
class _Known:
    """What the database already holds, loaded in a few queries for the whole file."""

    postal_codes: dict[str, set[str]] = field(default_factory=dict)
    nace: dict[str, set[str]] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)
    competences: dict[str, int] = field(default_factory=dict)
    by_number: dict[str, tuple[int, str]] = field(default_factory=dict)
    names: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # pk -> (name, number)
    by_postal_code: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, lines: list[Line]) -> "_Known":
        known = cls()
        for code, locality, fr, nl, de in PostalCode.objects.values_list(
            "code", "locality", "municipality__label_fr", "municipality__label_nl", "municipality__label_de"
        ):
            known.postal_codes[code] = {fold(n) for n in (locality, fr, nl, de) if n}
        codes = {c for line in lines for c in line.values.get("nace", [])}
        for version, code in NaceCode.objects.filter(code__in=codes).values_list("version", "code"):
            known.nace.setdefault(version, set()).add(code)
        for pk, name, slug, chain in Segment.objects.values_list("pk", "name", "slug", "value_chain__name"):
            for key in (name, slug, f"{chain} {name}"):
                known.segments.setdefault(match_key(key), pk)
        for pk, name, slug in Competence.objects.values_list("pk", "name", "slug"):
            for key in (name, slug):
                known.competences.setdefault(match_key(key), pk)
        for pk, name, number in Organisation.objects.values_list("pk", "name", "enterprise_number"):
            known.names[pk] = (name, number)
            known.by_key[match_key(name)].append(pk)
            if number:
                known.by_number[number] = (pk, name)
        postal = {line.values["postal_code"] for line in lines if line.values.get("postal_code")}
        for code, pk in Site.objects.filter(postal_code__code__in=postal).values_list(
            "postal_code__code", "organisation_id"
        ):
            known.by_postal_code[code].add(pk)
        return known


def build_plan(
    table: Table, *, filename: str, mapping: list[str], mode: str, decisions: dict[int, str] | None = None
) -> Plan:
    """The dry run: every line cleaned, checked and matched against the database; nothing is written."""
    plan = start_plan(K, table, filename=filename, mapping=mapping, mode=mode)
    if plan.problems:
        return plan
    plan.lines = cut_lines(K, table, plan.mapping)
    for line in plan.lines:
        for key in line.raw:
            if key in _CLEANERS:
                clean_into(line, K, key, _CLEANERS[key])
        if not line.raw.get("name"):
            line.error(K, "name", _("obligatoire."))
        if line.raw.get("postal_code"):
            line.values["postal_code"] = line.raw["postal_code"].strip().removeprefix("B-").removeprefix("BE-")
    known = _Known.load(plan.lines)
    for line in plan.lines:
        _check_references(line, known)
    _find_duplicates(plan, known, decisions or {})
    return plan


def _check_references(line: Line, known: _Known) -> None:
    values = line.values
    code = values.get("postal_code")
    if code:
        if code not in known.postal_codes:
            line.error(
                K, "postal_code", _("« %(code)s » inconnu (aucune localité belge ne porte ce code).") % {"code": code}
            )
        elif values.get("municipality") and fold(values["municipality"]) not in known.postal_codes[code]:
            line.warn(
                K,
                "municipality",
                _("« %(name)s » ne correspond pas au code postal %(code)s ; la commune du code postal est retenue.")
                % {"name": values["municipality"], "code": code},
            )
    elif any(values.get(key) for key in ("street", "number", "box")):
        line.warn(K, "postal_code", _("absent : l'adresse ne sera pas enregistrée."))
    if codes := values.get("nace"):
        for version in (NaceCode.Version.V2025, NaceCode.Version.V2008):
            if set(codes) <= known.nace.get(version, set()):
                values["nace_version"] = version
                if version == NaceCode.Version.V2008:
                    line.warn(K, "nace", _("codes lus dans la nomenclature NACE-BEL 2008."))
                break
        else:
            unknown = [c for c in codes if c not in known.nace.get(NaceCode.Version.V2025, set())]
            line.error(
                K,
                "nace",
                _("code(s) NACE-BEL inconnu(s) : %(codes)s (ni en 2025, ni tous en 2008).")
                % {"codes": ", ".join(unknown)},
            )
    for key, index in (("segments", known.segments), ("competences", known.competences)):
        if key not in values:
            continue
        names = values[key]
        unknown = [n for n in names if match_key(n) not in index]
        if unknown:
            line.error(K, key, _("inconnu(s) : %(names)s.") % {"names": ", ".join(f"« {n} »" for n in unknown)})
        else:
            values[key] = sorted({index[match_key(n)] for n in names})


def _find_duplicates(plan: Plan, known: _Known, decisions: dict[int, str]) -> None:
    seen_numbers: dict[str, int] = {}
    seen: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # postal code -> (line, key, name)
    for line in plan.lines:
        number = line.values.get("enterprise_number")
        if number and number in seen_numbers:
            line.error(
                K,
                "enterprise_number",
                _("%(number)s figure déjà à la ligne %(other)s du fichier.")
                % {"number": format_enterprise_number(number), "other": seen_numbers[number]},
            )
            continue
        if number:
            seen_numbers[number] = line.line
        if number and number in known.by_number:
            pk, name = known.by_number[number]
            if plan.mode == MODE_CREATE_OR_UPDATE:
                line.action = UPDATE
                line.match = Match(pk=pk, label=name, reason=_("même numéro d'entreprise"))
            else:
                line.error(
                    K,
                    "enterprise_number",
                    _("%(number)s appartient déjà à « %(name)s » (choisissez « créer ou mettre à jour »).")
                    % {"number": format_enterprise_number(number), "name": name},
                )
            continue
        if line.errors or not line.values.get("name"):
            continue
        _find_probable_duplicate(line, known, seen)
        if line.action == REVIEW:
            decide(line, decisions, (CREATE, SKIP) if line.match.pk is None else (CREATE, UPDATE, SKIP))


def _compatible(existing: str | None, number: str | None) -> bool:
    """Two organisations with different enterprise numbers are different legal entities, whatever their names."""
    return existing is None or number is None or existing == number


def _find_probable_duplicate(line: Line, known: _Known, seen: dict[str, list[tuple[int, str, str]]]) -> None:
    """Same postal code and a name at least 90 % alike (or the very same name when there is no postal
    code), among organisations without a different enterprise number, then among earlier lines."""
    name, number = line.values["name"], line.values.get("enterprise_number")
    code = line.values.get("postal_code", "")
    if code:
        ids = known.by_postal_code.get(code, set())
        candidates = [(pk, match_key(known.names[pk][0])) for pk in ids if _compatible(known.names[pk][1], number)]
        found = best_match(name, candidates, threshold=FUZZY_THRESHOLD)
    else:
        ids = [pk for pk in known.by_key.get(match_key(name), []) if _compatible(known.names[pk][1], number)]
        found = (ids[0], 100) if ids else None
    if found:
        pk, score = found
        line.action = REVIEW
        line.match = Match(
            pk=pk,
            label=known.names[pk][0],
            score=score,
            reason=_("nom ressemblant (%(score)s %%) et même code postal") % {"score": score}
            if code
            else _("même nom"),
        )
        return
    earlier = seen[code]
    found = best_match(name, [(n, key) for n, key, _name in earlier], threshold=FUZZY_THRESHOLD)
    if found:
        other, score = found
        line.action = REVIEW
        line.match = Match(
            pk=None,
            label=next(other_name for n, _key, other_name in earlier if n == other),
            score=score,
            line=other,
            reason=_("ressemble à la ligne %(line)s (%(score)s %%)") % {"line": other, "score": score},
        )
    earlier.append((line.line, match_key(name), name))


# --- apply -----------------------------------------------------------------------------------------------------


def apply(plan: Plan, *, actor: Any) -> Summary:
    """Create or update every line in one transaction (see ``common.apply_plan``)."""
    return apply_plan(plan, actor=actor, apply_line=partial(_apply_line, actor=actor))


def _apply_line(line: Line, *, actor: Any) -> int:
    values = line.values
    fields = {key: values[key] for key in _ORGANISATION_FIELDS if values.get(key) not in (None, "", [])}
    if line.effective_action == UPDATE:
        organisation = Organisation.objects.get(pk=line.match.pk)
        for key in ("segments", "competences"):
            if values.get(key):
                fields[key] = sorted(set(getattr(organisation, key).values_list("pk", flat=True)) | set(values[key]))
        services.organisation_update(actor=actor, organisation=organisation, **fields)
        code = values.get("postal_code")
        if code and not organisation.sites.filter(postal_code__code=code).exists():
            _add_site(organisation, values, actor=actor, head_office=not organisation.sites.exists())
    else:
        name = fields.pop("name")
        for key in ("segments", "competences"):
            if values.get(key):
                fields[key] = values[key]
        organisation = services.organisation_create(actor=actor, name=name, source=Organisation.Source.IMPORT, **fields)
        if values.get("postal_code"):
            _add_site(organisation, values, actor=actor, head_office=True)
    if values.get("nace"):
        services.activity_set(
            actor=actor,
            organisation=organisation,
            codes=values["nace"],
            main=values["nace"][0],
            version=values.get("nace_version", NaceCode.Version.V2025),
        )
    return organisation.pk


def _add_site(organisation: Organisation, values: dict[str, Any], *, actor: Any, head_office: bool) -> None:
    services.site_add(
        actor=actor,
        organisation=organisation,
        postal_code=values["postal_code"],
        street=values.get("street", ""),
        number=values.get("number", ""),
        box=values.get("box", ""),
        is_head_office=head_office,
    )
