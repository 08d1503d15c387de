"""Prospects: non-members in under-represented cells, ranked by likeness to members and the gap they close.

Candidates are register enterprises of the perimeter that are not members on the date (one query
over the perimeter's main activities joined to their enterprise), and ecosystem organisations that
are not members and have no register match (their ecosystem activities and head office stand in).
A candidate is kept only if it falls in at least one **under-represented cell**: a cell of the
segment, division, province, arrondissement or age breakdown with a significant negative residual
(``< −1.96``); when no cell is significant, cells with a negative residual are used and a note says so.

Score (0-100) = 50 × similarity + 50 × gap, both in [0, 1]:

- similarity to current members (weights): NACE 0.4 (members sharing its most common main code,
  log-scaled against the best-shared code), location 0.25 (members in its arrondissement, else
  province, relative to the best-covered one), age band 0.15 and legal form 0.2 (share of members
  in the same band / form);
- gap: the sum of ``|residual|`` of the under-represented cells it belongs to, over the largest
  such sum among candidates — joining would move the most-lagging cells the most.

The arithmetic runs on numpy arrays built from the rows of that one query.
"""

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from grappe.ecosystem.models import Organisation, Segment
from grappe.insights.perimeter import Perimeter, load_perimeter, prefixes_q
from grappe.insights.representativeness import SIGNIFICANCE, UNKNOWN, age_band, age_bander, compute, member_rows
from grappe.referential.models import Arrondissement, NaceCode, PostalCode, Province
from grappe.register.models import Activity

WEIGHTS = {"nace": 0.4, "location": 0.25, "age": 0.15, "form": 0.2}


@dataclass
class Prospect:
    number: int | None
    organisation_id: int | None
    name: str
    zipcode: str
    province: str
    arrondissement: str
    start_date: dt.date | None
    legal_form: str
    codes: list[tuple[int, str]]
    segments: set[int] = field(default_factory=set)
    score: float = 0.0
    similarity: float = 0.0
    gap: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def display_number(self) -> str:
        if self.number is None:
            return ""
        text = f"{self.number:010d}"
        return f"{text[:4]}.{text[4:7]}.{text[7:]}"


@dataclass
class ProspectResult:
    day: dt.date
    prospects: list[Prospect]
    candidates: int
    under: list[dict[str, Any]]
    notes: list[str]


def _dotted(code: str) -> str:
    return f"{code[:2]}.{code[2:]}" if len(code) > 2 else code


def _under_cells(report: dict[str, Any]) -> tuple[dict[str, dict[str, float]], list[dict[str, Any]], bool]:
    """Under-represented cells per breakdown key -> {cell key: residual}, flat list, and whether significant."""
    wanted = ("segment", "division", "province", "arrondissement", "age")
    flat = []
    for strict in (True, False):
        cells: dict[str, dict[str, float]] = defaultdict(dict)
        flat = []
        for key in wanted:
            for cell in report["breakdowns"].get(key, {}).get("cells", []):
                residual = cell["residual"]
                if residual is None or residual >= 0 or (strict and residual >= -SIGNIFICANCE):
                    continue
                if cell["key"] == UNKNOWN:
                    continue
                cells[key][cell["key"]] = residual
                flat.append({"breakdown": key, **cell})
        if flat:
            return cells, flat, strict
    return {}, [], True


def _register_candidates(
    perimeter: Perimeter, day: dt.date, member_numbers: set[int], province: str | None, segment: int | None
) -> dict[int, Prospect]:
    prefixes = perimeter.prefixes
    if segment is not None:
        prefixes = {p for s in perimeter.segments if s.id == segment for p in s.prefixes}
    queryset = Activity.objects.filter(prefixes_q(prefixes)).filter(
        Q(enterprise__start_date__isnull=True) | Q(enterprise__start_date__lte=day)
    )
    if province:
        queryset = queryset.filter(enterprise__province=province)
    candidates: dict[int, Prospect] = {}
    sql, params = queryset.values_list(
        "enterprise_id",
        "nace_version",
        "nace_code",
        "enterprise__name",
        "enterprise__zipcode",
        "enterprise__province",
        "enterprise__start_date",
        "enterprise__juridical_form",
    ).query.sql_with_params()
    # A raw cursor: building Django rows costs more than the query on a national-size perimeter.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(50000):
            for number, version, code, name, zipcode, prov, start, form in chunk:
                if number in member_numbers:
                    continue
                prospect = candidates.get(number)
                if prospect is None:
                    if start is not None and not isinstance(start, dt.date):
                        start = dt.date.fromisoformat(str(start)[:10])
                    prospect = candidates[number] = Prospect(
                        number, None, name or "", zipcode or "", prov or "", "", start, form or "", []
                    )
                prospect.codes.append((version, code))
    return candidates


def _ecosystem_candidates(perimeter: Perimeter, day: dt.date, member_ids: set[int]) -> list[Prospect]:
    """Non-member organisations with no register match, described by their ecosystem data."""
    organisations = (
        Organisation.objects.exclude(pk__in=member_ids)
        .filter(Q(enterprise_number__isnull=True) | Q(enterprise_number=""))
        .prefetch_related("activities__nace", "sites__postal_code", "sites__municipality")
    )
    prospects = []
    for org in organisations:
        codes = [(int(a.nace.version), a.nace.code) for a in org.activities.all() if a.is_main]
        if not perimeter.contains(codes):
            continue
        head = next((s for s in org.sites.all() if s.is_head_office), None) or next(iter(org.sites.all()), None)
        municipality = head.municipality if head else None
        prospects.append(
            Prospect(
                None,
                org.pk,
                org.name,
                head.postal_code.code if head and head.postal_code_id else "",
                municipality.province.nis if municipality and municipality.province_id else "",
                municipality.arrondissement.nis if municipality else "",
                org.founded_on,
                org.legal_form,
                codes,
            )
        )
    return prospects


def rank_prospects(
    day: dt.date,
    *,
    segment: int | None = None,
    province: str | None = None,
    limit: int = 200,
    report: dict[str, Any] | None = None,
) -> ProspectResult:
    perimeter = load_perimeter()
    report = report or compute(day, with_evolution=False)
    notes = list(report["notes"])
    under, flat, significant = _under_cells(report)
    if not significant and flat:
        notes.append(
            _("Aucune cellule n'est significativement sous-représentée : les cellules à résidu négatif sont utilisées.")
        )
    if perimeter.is_empty or not flat:
        if not flat:
            notes.append(_("Aucune cellule sous-représentée : pas de prospect à proposer."))
        return ProspectResult(day, [], 0, flat, notes)

    members = member_rows(perimeter, day)
    member_numbers = {row.number for row in members.rows} | {
        int(o.enterprise_number) for o in members.organisations if o.enterprise_number
    }
    member_ids = {o.pk for o in members.organisations}
    zip_info = {
        code: (arr or "", prov or "")
        for code, arr, prov in PostalCode.objects.values_list(
            "code", "municipality__arrondissement__nis", "municipality__province__nis"
        )
    }
    candidates = list(_register_candidates(perimeter, day, member_numbers, province, segment).values())
    numbers_in_ecosystem = dict(
        Organisation.objects.filter(enterprise_number__isnull=False)
        .exclude(enterprise_number="")
        .values_list("enterprise_number", "pk")
    )
    for prospect in candidates:
        prospect.arrondissement = zip_info.get(prospect.zipcode, ("", ""))[0]
        prospect.organisation_id = numbers_in_ecosystem.get(f"{prospect.number:010d}")
    extra = _ecosystem_candidates(perimeter, day, member_ids)
    if province:
        extra = [p for p in extra if p.province == province]
    candidates.extend(extra)

    # Member profiles: how many members share each code, arrondissement, province, age band, legal form.
    code_count: Counter = Counter(c for row in members.rows for c in set(row.codes))
    arr_count: Counter = Counter(zip_info.get(row.zipcode, ("", ""))[0] for row in members.rows)
    prov_count: Counter = Counter(row.province for row in members.rows)
    age_count: Counter = Counter(age_band(row.start_date, day) for row in members.rows)
    form_count: Counter = Counter(row.legal_form for row in members.rows if row.legal_form)
    m_total = max(len(members.rows), 1)
    best_code = max(code_count.values(), default=0)
    best_place = max([*arr_count.values(), *prov_count.values()], default=0)

    kept: list[Prospect] = []
    division_version = perimeter.division_version
    band_of = age_bander(day)
    code_segments: dict[tuple[int, str], set[int]] = {}
    for prospect in candidates:
        prospect.segments = set()
        for code in prospect.codes:
            if code not in code_segments:
                code_segments[code] = perimeter.segments_of([code])
            prospect.segments |= code_segments[code]
        if segment is not None and segment not in prospect.segments:
            continue
        keys = {
            "segment": {str(s) for s in prospect.segments},
            "division": {c[:2] for v, c in prospect.codes if v == division_version},
            "province": {prospect.province},
            "arrondissement": {prospect.arrondissement},
            "age": {band_of(prospect.start_date)},
        }
        hits = [(b, k, under[b][k]) for b, ks in keys.items() for k in ks if k in under.get(b, {})]
        if not hits:
            continue
        prospect.gap = sum(-r for _b, _k, r in hits)
        prospect.reasons = [f"{b}:{k}" for b, k, _r in hits]  # resolved to words for the shown rows only
        kept.append(prospect)
    if not kept:
        notes.append(_("Aucun non-membre dans les cellules sous-représentées pour ces filtres."))
        return ProspectResult(day, [], 0, flat, notes)

    nace = np.zeros(len(kept))
    place = np.zeros(len(kept))
    age = np.zeros(len(kept))
    form = np.zeros(len(kept))
    gap = np.array([p.gap for p in kept])
    for i, p in enumerate(kept):
        nace[i] = max((code_count[c] for c in p.codes), default=0)
        place[i] = arr_count[p.arrondissement] if arr_count[p.arrondissement] else prov_count[p.province] / 2
        age[i] = age_count[band_of(p.start_date)]
        form[i] = form_count[p.legal_form] if p.legal_form else 0
    nace_sim = np.log1p(nace) / math.log1p(best_code) if best_code else nace * 0
    place_sim = place / best_place if best_place else place * 0
    similarity = (
        WEIGHTS["nace"] * nace_sim
        + WEIGHTS["location"] * place_sim
        + WEIGHTS["age"] * age / m_total
        + WEIGHTS["form"] * form / m_total
    )
    gap_norm = gap / gap.max() if gap.max() > 0 else gap
    scores = 100 * (0.5 * similarity + 0.5 * gap_norm)
    order = np.lexsort((np.array([p.name for p in kept]), -scores))
    shown = [kept[i] for i in order[:limit]]
    for i in order[:limit]:
        kept[i].score = float(scores[i])
        kept[i].similarity = float(similarity[i])
        kept[i].gap = float(gap_norm[i])
    _explain(shown, under, code_count, arr_count, prov_count, zip_info, division_version)
    return ProspectResult(day, shown, len(kept), flat, notes)


def _explain(
    shown: list[Prospect],
    under: dict[str, dict[str, float]],
    code_count: Counter,
    arr_count: Counter,
    prov_count: Counter,
    zip_info: dict[str, tuple[str, str]],
    division_version: int,
) -> None:
    """Words for each shown prospect.

    For instance ``NACE 43.11 comme 12 membres ; Province de Namur sous-représenté(e) (résidu −2,4)``.
    """
    provinces = {p.nis: p.label for p in Province.objects.all()}
    arrondissements = {a.nis: a.label for a in Arrondissement.objects.all()}
    segments = {str(s.pk): s.name for s in Segment.objects.all()}
    divisions = {
        n.code: n.label for n in NaceCode.objects.filter(version=str(division_version), level=NaceCode.Level.DIVISION)
    }
    for p in shown:
        words = []
        best = max(p.codes, key=lambda c: code_count[c], default=None)
        if best is not None and code_count[best]:
            words.append(_("NACE %(code)s comme %(n)d membres") % {"code": _dotted(best[1][:4]), "n": code_count[best]})
        if arr_count[p.arrondissement]:
            words.append(
                _("%(n)d membres dans l'arrondissement de %(place)s")
                % {"n": arr_count[p.arrondissement], "place": arrondissements.get(p.arrondissement, p.arrondissement)}
            )
        for reason in p.reasons:
            breakdown, key = reason.split(":", 1)
            residual = number_format(under[breakdown][key], 1).replace("-", "−")
            label = {
                "segment": lambda k: _("segment « %(name)s »") % {"name": segments.get(k, k)},
                "division": lambda k: _("division %(code)s %(name)s") % {"code": k, "name": divisions.get(k, "")},
                "province": lambda k: provinces.get(k, k),
                "arrondissement": lambda k: _("arrondissement de %(name)s") % {"name": arrondissements.get(k, k)},
                "age": lambda k: _("entreprises de %(band)s ans") % {"band": k},
            }[breakdown](key)
            words.append(_("%(cell)s sous-représenté(e) (résidu %(r)s)") % {"cell": label, "r": residual})
        p.reasons = words
