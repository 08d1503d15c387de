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
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from grappe.ecosystem.models import Organisation, Segment
from grappe.insights.perimeter import Perimeter
from grappe.insights.representativeness import (
    MAIN,
    SIGNIFICANCE,
    UNKNOWN,
    _number,
    age_band,
    age_bander,
    compute_with_data,
)
from grappe.referential.models import Arrondissement, NaceCode, PostalCode, Province
from grappe.register.models import Activity, Enterprise

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
    divisions: set[str] = field(default_factory=set)
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


def _gap_lookups(under: dict[str, dict[str, float]], zip_info: dict[str, tuple[str, str]]):
    """A function giving, for one attribute value, the ``(breakdown, key)`` under-represented cells it hits."""
    memo: dict[tuple[str, Any], tuple[tuple[str, str], ...]] = {}

    def cells(kind: str, value: Any) -> tuple[tuple[str, str], ...]:
        found = memo.get((kind, value))
        if found is None:
            if kind == "segment":
                found = tuple(("segment", str(s)) for s in value if str(s) in under.get("segment", {}))
            elif kind == "division":
                found = tuple(("division", d) for d in value if d in under.get("division", {}))
            elif kind == "province":
                found = (("province", value),) if value in under.get("province", {}) else ()
            else:  # postal code -> arrondissement
                arr = zip_info.get(value, ("", ""))[0]
                found = (("arrondissement", arr),) if arr in under.get("arrondissement", {}) else ()
            memo[(kind, value)] = found
        return found

    return cells


def rank_prospects(
    day: dt.date,
    *,
    segment: int | None = None,
    province: str | None = None,
    limit: int = 200,
) -> ProspectResult:
    """The ranked prospects on ``day``; the universe is read once (the representativeness pass, kept)."""
    limit = max(1, limit)
    report, data = compute_with_data(day, with_evolution=False, keep=True)
    perimeter = data.perimeter
    notes = list(report["notes"])
    under, flat, significant = _under_cells(report)
    if not significant and flat:
        notes.append(
            _("Aucune cellule n'est significativement sous-représentée : les cellules à résidu négatif sont utilisées.")
        )
    if perimeter.is_empty or not flat or data.members is None or data.universe is None:
        if not flat:
            notes.append(_("Aucune cellule sous-représentée : pas de prospect à proposer."))
        return ProspectResult(day, [], 0, flat, notes)

    members = data.members
    member_numbers = {row.number for row in members.rows} | {
        n for n in (_number(o.enterprise_number) for o in members.organisations) if n is not None
    }
    member_ids = {o.pk for o in members.organisations}
    zip_info = {
        code: (arr or "", prov or "")
        for code, arr, prov in PostalCode.objects.values_list(
            "code", "municipality__arrondissement__nis", "municipality__province__nis"
        )
    }
    # Member profiles: how many members share each code, arrondissement, province, age band, legal form.
    code_count: Counter = Counter(c for row in members.rows for c in set(row.codes))
    arr_count: Counter = Counter(zip_info.get(row.zipcode, ("", ""))[0] for row in members.rows)
    prov_count: Counter = Counter(row.province for row in members.rows)
    age_count: Counter = Counter(age_band(row.start_date, day) for row in members.rows)
    form_count: Counter = Counter(row.legal_form for row in members.rows if row.legal_form)
    m_total = max(len(members.rows), 1)
    best_code = max(code_count.values(), default=0)
    best_place = max([*arr_count.values(), *prov_count.values()], default=0)
    band_of = age_bander(day)
    cells = _gap_lookups(under, zip_info)
    residual = {(b, k): r for b, keys in under.items() for k, r in keys.items()}

    # Register candidates: every non-member perimeter enterprise started on ``day``, from the kept pass.
    # Each attribute's contribution (gap, similarity) is computed once per distinct value (``_Memo``).
    codes_shared = {code for _v, code in code_count}
    best_shared: dict[int, int] = {}
    for chunk in data.universe.rows:
        for row in chunk:
            if row[2] in codes_shared:
                shared = code_count.get((row[1], row[2]), 0)
                if shared > best_shared.get(row[0], 0):
                    best_shared[row[0]] = shared

    def gap_of(hits: tuple[tuple[str, str], ...]) -> float:
        return -sum(residual[h] for h in hits)

    seg_gap = _Memo(lambda v: gap_of(cells("segment", v)))
    div_gap = _Memo(lambda v: gap_of(cells("division", v)))
    prov_gap = _Memo(lambda v: gap_of(cells("province", v)))
    zip_gap = _Memo(lambda v: gap_of(cells("zipcode", v)))
    band_gap = {band: -r for band, r in under.get("age", {}).items()}
    start_band = _Memo(lambda start: cells_band(band_of, start))
    age_gap = _Memo(lambda start: band_gap.get(start_band[start], 0.0))

    def place_of(zipcode: str) -> float:
        arr, prov = zip_info.get(zipcode, ("", ""))
        count = arr_count[arr] if arr_count[arr] else prov_count[prov] / 2
        return WEIGHTS["location"] * count / best_place if best_place else 0.0

    place_sim = _Memo(place_of)
    age_sim = _Memo(lambda start: WEIGHTS["age"] * age_count[start_band[start]] / m_total)
    form_sim = _Memo(lambda legal: WEIGHTS["form"] * form_count[legal] / m_total if legal else 0.0)
    limit_iso = day.isoformat()
    numbers: list[int] = []
    gaps: list[float] = []
    nace: list[int] = []
    static: list[float] = []  # location + age + legal form similarity
    for number, (segs, divs, prov, zipcode, start, legal) in data.universe.enterprises.items():
        if number in member_numbers or start > limit_iso:
            continue
        if (province and prov != province) or (segment is not None and segment not in segs):
            continue
        gap = seg_gap[segs] + div_gap[divs] + prov_gap[prov] + zip_gap[zipcode] + age_gap[start]
        if gap <= 0:
            continue
        numbers.append(number)
        gaps.append(gap)
        nace.append(best_shared.get(number, 0))
        static.append(place_sim[zipcode] + age_sim[start] + form_sim[legal])

    # Ecosystem organisations with no register number, described by their own activities and head office.
    extra = _ecosystem_candidates(perimeter, day, member_ids)
    if province:
        extra = [p for p in extra if p.province == province]
    kept_extra: list[Prospect] = []
    for prospect in extra:
        prospect.segments = perimeter.segments_of(prospect.codes)
        if segment is not None and segment not in prospect.segments:
            continue
        divisions = frozenset(
            c[:2] for v, c in prospect.codes if v == perimeter.division_version and perimeter.contains([(v, c)])
        )
        prospect.divisions = set(divisions)
        gap = -sum(residual[h] for h in _hits(prospect, cells, under, band_of))
        if gap <= 0:
            continue
        kept_extra.append(prospect)
        numbers.append(-len(kept_extra))  # negative: index into kept_extra
        gaps.append(gap)
        nace.append(max((code_count[c] for c in prospect.codes), default=0))
        arr_n = arr_count[prospect.arrondissement]
        where = arr_n if arr_n else prov_count[prospect.province] / 2
        static.append(
            (WEIGHTS["location"] * where / best_place if best_place else 0.0)
            + WEIGHTS["age"] * age_count[band_of(prospect.start_date)] / m_total
            + (WEIGHTS["form"] * form_count[prospect.legal_form] / m_total if prospect.legal_form else 0.0)
        )

    if not numbers:
        notes.append(_("Aucun non-membre dans les cellules sous-représentées pour ces filtres."))
        return ProspectResult(day, [], 0, flat, notes)

    gap_arr = np.array(gaps)
    nace_arr = np.array(nace, dtype=float)
    nace_sim = np.log1p(nace_arr) / math.log1p(best_code) if best_code else nace_arr * 0
    similarity = WEIGHTS["nace"] * nace_sim + np.array(static)
    gap_norm = gap_arr / gap_arr.max()
    scores = 100 * (0.5 * similarity + 0.5 * gap_norm)
    keys = np.array(numbers, dtype=np.int64)
    # Best score first; ties by enterprise number (stable across runs). Only the top ``limit`` are sorted.
    top = np.argpartition(-scores, limit - 1)[:limit] if len(scores) > limit else np.arange(len(scores))
    top = top[np.lexsort((keys[top], -scores[top]))]
    shown = _describe(
        [int(keys[i]) for i in top], kept_extra, data.universe.enterprises, zip_info, perimeter, numbers_in_ecosystem()
    )
    for prospect, i in zip(shown, top, strict=True):
        prospect.score = float(scores[i])
        prospect.similarity = float(similarity[i])
        prospect.gap = float(gap_norm[i])
        prospect.reasons = [f"{b}:{k}" for b, k in _hits(prospect, cells, under, band_of)]
    _explain(shown, under, code_count, arr_count, prov_count, zip_info, perimeter.division_version)
    return ProspectResult(day, shown, len(numbers), flat, notes)


def _hits(prospect: Prospect, cells, under: dict[str, dict[str, float]], band_of) -> list[tuple[str, str]]:
    """The under-represented cells ``(breakdown, key)`` a described prospect belongs to."""
    hits = [
        *cells("segment", frozenset(prospect.segments)),
        *cells("division", frozenset(prospect.divisions)),
        *cells("province", prospect.province),
    ]
    if prospect.arrondissement in under.get("arrondissement", {}):
        hits.append(("arrondissement", prospect.arrondissement))
    band = band_of(prospect.start_date)
    if band in under.get("age", {}):
        hits.append(("age", band))
    return hits


class _Memo(dict):
    """A dict filling missing keys with ``func(key)``: each distinct attribute value is worked out once."""

    def __init__(self, func) -> None:
        super().__init__()
        self.func = func

    def __missing__(self, key):
        value = self[key] = self.func(key)
        return value


def cells_band(band_of, start: str) -> str:
    return band_of(dt.date.fromisoformat(start)) if start else UNKNOWN


def numbers_in_ecosystem() -> dict[str, int]:
    return dict(
        Organisation.objects.filter(enterprise_number__isnull=False)
        .exclude(enterprise_number="")
        .values_list("enterprise_number", "pk")
    )


def _describe(
    keys: list[int],
    extra: list[Prospect],
    enterprises: dict[int, tuple],
    zip_info: dict[str, tuple[str, str]],
    perimeter: Perimeter,
    in_ecosystem: dict[str, int],
) -> list[Prospect]:
    """Prospects for the shown keys: register rows get their name and main codes (two small queries)."""
    register = [k for k in keys if k >= 0]
    names = dict(Enterprise.objects.filter(number__in=register).values_list("number", "name"))
    codes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for number, version, code in Activity.objects.filter(enterprise_id__in=register, classification=MAIN).values_list(
        "enterprise_id", "nace_version", "nace_code"
    ):
        codes[number].append((version, code))
    shown = []
    for key in keys:
        if key < 0:
            prospect = extra[-key - 1]
            shown.append(prospect)
            continue
        segs, divs, prov, zipcode, start, legal = enterprises[key]
        prospect = Prospect(
            key,
            in_ecosystem.get(f"{key:010d}"),
            names.get(key) or "",
            zipcode,
            prov,
            zip_info.get(zipcode, ("", ""))[0],
            dt.date.fromisoformat(start) if start else None,
            legal,
            sorted(codes.get(key, [])),
        )
        prospect.segments = set(segs)
        prospect.divisions = set(divs)
        shown.append(prospect)
    return shown


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

    For instance ``NACE 43.11 comme 12 membres ; 3 membres dans son arrondissement (Arrondissement de Namur) ;
    Province de Namur sous-représenté(e) (résidu −2,4)``.
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
            n = code_count[best]
            words.append(
                ngettext("NACE %(code)s comme %(n)d membre", "NACE %(code)s comme %(n)d membres", n)
                % {"code": _dotted(best[1][:4]), "n": n}
            )
        if arr_count[p.arrondissement]:
            n = arr_count[p.arrondissement]
            # The label already names the level ("Arrondissement de Liège").
            words.append(
                ngettext(
                    "%(n)d membre dans son arrondissement (%(place)s)",
                    "%(n)d membres dans son arrondissement (%(place)s)",
                    n,
                )
                % {"n": n, "place": arrondissements.get(p.arrondissement, p.arrondissement)}
            )
        for reason in p.reasons:
            breakdown, key = reason.split(":", 1)
            residual = number_format(under[breakdown][key], 1).replace("-", "−")
            label = {
                "segment": lambda k: _("segment « %(name)s »") % {"name": segments.get(k, k)},
                "division": lambda k: _("division %(code)s %(name)s") % {"code": k, "name": divisions.get(k, "")},
                "province": lambda k: provinces.get(k, k),
                "arrondissement": lambda k: arrondissements.get(k, k),
                "age": lambda k: _("entreprises de %(band)s ans") % {"band": k},
            }[breakdown](key)
            words.append(_("%(cell)s sous-représenté(e) (résidu %(r)s)") % {"cell": label, "r": residual})
        p.reasons = words
