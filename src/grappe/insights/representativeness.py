"""How representative the membership is of the register universe inside the perimeter.

For a date ``day``:

- **universe**: register enterprises with a main activity in the perimeter (see ``perimeter.py``)
  that had started on ``day`` (``start_date <= day`` or unknown). The register is a snapshot: an
  enterprise that stopped before today is gone from it, so past universes are slightly too small;
- **members**: organisations that were members on ``day`` (``ecosystem.selectors.members_on``),
  mapped to register enterprises by enterprise number. Members with no number or a number the
  register does not hold are counted as ``unmatched``; those whose enterprise lies outside the
  perimeter as ``outside``; neither enters the cells (a cell compares like with like).

Each breakdown (segment, NACE division, province, arrondissement, size band, age band) is a list of
cells with members ``m``, universe ``u``, coverage ``m/u``, member share ``m/M`` and universe share
``u/U`` (``M``, ``U``: members and universe in the perimeter).

**Residual.** ``r = (m − M·p) / √(M·p·(1 − p))`` with ``p = u/U``: the adjusted (Haberman)
standardised residual of the chi-square goodness-of-fit test of the members' distribution against
the universe's. It is used rather than the plain Pearson residual ``(m − E)/√E`` because it is
approximately standard normal under the null hypothesis ("members are a random draw from the
universe"), so ``|r| > 1.96`` reads as a 5 % two-sided test per cell, whatever the cell's size.
It is also the z statistic of the binomial test "in the cell or not", which keeps it valid for the
two breakdowns whose cells overlap (an enterprise can be in several segments, or have main
activities in two divisions), where a single chi-square over the cells would not be. For the
breakdowns that partition the universe (province, arrondissement, age) the overall chi-square
statistic and p-value (``scipy.stats.chisquare``) are given too. Members are part of the universe;
no finite-population correction is applied, so at high coverage residuals are conservative.

**Index.** ``1 − D`` with the dissimilarity index ``D = ½ Σ |m_i/Σm − u_i/Σu|`` (shares normalised
over the cells, so overlapping cells count an enterprise once per cell): 1 when members mirror the
universe, 0 when they sit in cells the universe barely has. The overall index is the segments'.

The universe side is one SQL query over the perimeter's main activities (index range scans, joined
to the enterprise) and one pass in Python that fills every breakdown and the yearly evolution at
once (see ``universe_stats`` for why not several ``GROUP BY``); the member side is a few hundred
rows. No per-cell query anywhere.
"""

import datetime as dt
import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from grappe.ecosystem import selectors as eco_selectors
from grappe.ecosystem.models import Membership, Organisation
from grappe.insights.perimeter import MAIN, Perimeter, load_perimeter, prefixes_q
from grappe.referential.models import NaceCode, PostalCode, Province
from grappe.register.models import Activity, Enterprise

SIGNIFICANCE = 1.96
# The dates the pages, the command and the API compute for: the network and the dashboard look two years
# and twelve quarters back, the age bands twenty years, the evolution one point per year since the first
# membership; a year 1 or 9999 would overflow ``datetime.date`` or ask for thousands of points.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
UNKNOWN = "unknown"
# Age bands in years (lower bound inclusive): (key, low, high)
AGE_BANDS = [("0-2", 0, 2), ("2-5", 2, 5), ("5-10", 5, 10), ("10-20", 10, 20), ("20+", 20, None)]
SME_STATUSES = {Organisation.SmeStatus.MICRO, Organisation.SmeStatus.SMALL, Organisation.SmeStatus.MEDIUM}


@dataclass
class Cell:
    key: str
    label: str
    members: int
    universe: int | None
    coverage: float | None = None
    member_share: float | None = None
    universe_share: float | None = None
    residual: float | None = None
    significant: bool = False


@dataclass
class Breakdown:
    key: str
    label: str
    cells: list[Cell]
    index: float | None = None
    partition: bool = True
    chi2: float | None = None
    p_value: float | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def adjusted_residual(m: int, members: int, u: int, universe: int) -> float | None:
    """``(m − M·p)/√(M·p·(1 − p))``, ``p = u/U``; None when undefined (no members, empty or whole cell)."""
    if members <= 0 or universe <= 0 or u <= 0 or u >= universe:
        return None
    p = u / universe
    expected = members * p
    return (m - expected) / math.sqrt(expected * (1 - p))


def dissimilarity_index(pairs: list[tuple[int, int]]) -> float | None:
    """``1 − ½ Σ |m_i/Σm − u_i/Σu|`` over ``(m_i, u_i)``; None without members or universe."""
    total_m = sum(m for m, _u in pairs)
    total_u = sum(u for _m, u in pairs)
    if total_m == 0 or total_u == 0:
        return None
    return 1 - 0.5 * sum(abs(m / total_m - u / total_u) for m, u in pairs)


def build_breakdown(
    key: str,
    label: str,
    counts: list[tuple[str, str, int, int | None]],
    members: int,
    universe: int,
    *,
    partition: bool = True,
) -> Breakdown:
    """Cells from ``(key, label, m, u)`` rows; ``u`` None means the register does not know (size bands)."""
    cells = []
    for cell_key, cell_label, m, u in counts:
        cell = Cell(cell_key, cell_label, m, u)
        cell.member_share = m / members if members else None
        if u is not None:
            cell.coverage = m / u if u else None
            cell.universe_share = u / universe if universe else None
            cell.residual = adjusted_residual(m, members, u, universe)
            cell.significant = cell.residual is not None and abs(cell.residual) > SIGNIFICANCE
        cells.append(cell)
    breakdown = Breakdown(key, label, cells, partition=partition)
    known = [(c.members, c.universe) for c in cells if c.universe is not None]
    if not known:
        breakdown.notes.append(_("Le registre ne connaît pas cette répartition : seuls les membres sont comptés."))
        return breakdown
    breakdown.index = dissimilarity_index(known)
    if partition and members > 0:
        observed = [m for m, u in known if u > 0]
        expected = [members * u / universe for _m, u in known if u > 0]
        if len(observed) >= 2 and sum(observed) == members:
            from scipy import stats  # 1 s to import: only when a test is computed, not at every start-up

            result = stats.chisquare(observed, expected)
            breakdown.chi2, breakdown.p_value = float(result.statistic), float(result.pvalue)
    empty = [c.label for c in cells if c.universe == 0]
    if empty:
        breakdown.notes.append(
            _("Aucune entreprise du registre dans : %(cells)s (couverture non calculable).")
            % {"cells": ", ".join(empty)}
        )
    return breakdown


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band(start: dt.date | None, day: dt.date) -> str:
    return age_bander(day)(start)


def age_bander(day: dt.date):
    """``age_band`` for many start dates at one ``day`` (the band limits computed once)."""
    bounds = [(key, _years_before(day, low), high and _years_before(day, high)) for key, low, high in AGE_BANDS]

    def band(start: dt.date | None) -> str:
        if start is None:
            return UNKNOWN
        for key, low, high in bounds:
            if start <= low and (high is None or start > high):
                return key
        return UNKNOWN

    return band


def _started(day: dt.date, path: str = "") -> Q:
    return Q(**{f"{path}start_date__isnull": True}) | Q(**{f"{path}start_date__lte": day})


# --- universe side: one query, one pass -----------------------------------------------------------


@dataclass
class UniverseStats:
    """Counts of the perimeter's register enterprises that had started on ``day``."""

    total: int = 0
    segments: Counter = field(default_factory=Counter)
    divisions: Counter = field(default_factory=Counter)
    location: Counter = field(default_factory=Counter)  # (province, zipcode, age band) -> n
    # Every perimeter enterprise whatever its start: start year (None: unknown) -> segment -> n.
    segments_by_year: dict[int | None, Counter] = field(default_factory=dict)
    # Only with ``keep=True`` (prospects): number -> (segments, divisions, province, zipcode, start ISO,
    # legal form) for every perimeter enterprise, and the raw (number, version, code, ...) rows.
    enterprises: dict[int, tuple] = field(default_factory=dict)
    rows: list[list[tuple]] = field(default_factory=list)


def universe_stats(perimeter: Perimeter, day: dt.date, *, keep: bool = False) -> UniverseStats:
    """One SQL query over the perimeter's main activities joined to their enterprise, then one pass.

    The query walks the ``(nace_version, classification, nace_code, enterprise)`` index range by
    range and reads seven columns; it goes through a raw cursor because building Django rows costs more than the
    query on ~200 000 rows. ``GROUP BY`` variants were measured slower on SQLite: an enterprise has
    several main codes (one per NACE version, sometimes more), so every count must be ``COUNT
    (DISTINCT ...)`` with a ``FILTER`` per segment, and age bands need date arithmetic per row.
    The start date is read as text (``CAST``): the driver's date converter would cost more than the
    comparisons, which work on ISO strings. ``keep=True`` also keeps what the prospect ranking needs
    (per-enterprise attributes, legal form, the raw rows) so it does not query the universe again.
    """
    stats = UniverseStats()
    if perimeter.is_empty:
        return stats
    queryset = (
        Activity.objects.filter(prefixes_q(perimeter.prefixes))
        .annotate(
            start=Cast("enterprise__start_date", CharField()),
            form=F("enterprise__juridical_form") if keep else Value(""),
        )
        .values_list(
            "enterprise_id", "nace_version", "nace_code", "enterprise__province", "enterprise__zipcode", "start", "form"
        )
    )
    sql, params = queryset.query.sql_with_params()
    division_version = perimeter.division_version
    prefixes = tuple(perimeter.prefixes)
    # Per distinct (version, code): its segments and perimeter division, computed once.
    code_info: dict[tuple[int, str], tuple[frozenset, frozenset]] = {}
    ent_segments: dict[int, frozenset] = {}
    ent_divisions: dict[int, frozenset] = {}
    ent_place: dict[int, tuple[str, str, str, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(50000):
            if keep:
                stats.rows.append(chunk)
            for number, version, code, province, zipcode, start, form in chunk:
                key = (version, code)
                info = code_info.get(key)
                if info is None:
                    in_division = version == division_version and any(
                        version == v and code.startswith(p) for v, p in prefixes
                    )
                    info = code_info[key] = (
                        frozenset(perimeter.segments_of([key])),
                        frozenset((code[:2],)) if in_division else frozenset(),
                    )
                segments, divisions = info
                previous = ent_segments.get(number)
                if previous is None:
                    ent_segments[number] = segments
                    ent_divisions[number] = divisions
                    ent_place[number] = (province or "", zipcode or "", start or "", form or "")
                else:  # a second main code (the other NACE version, or a second activity)
                    if not segments <= previous:
                        ent_segments[number] = previous | segments
                    if divisions and not divisions <= ent_divisions[number]:
                        ent_divisions[number] = ent_divisions[number] | divisions
    # Counting is done on distinct keys (Counter counts in C), then expanded: a few hundred keys, not 100 000 rows.
    limit = day.isoformat()
    band_of = age_bander(day)
    starts = {number: place[2] for number, place in ent_place.items()}
    started = [n for n, start in starts.items() if not start or start <= limit]
    for combo, n in Counter(ent_segments[k] for k in started).items():
        for segment in combo:
            stats.segments[segment] += n
    for combo, n in Counter(ent_divisions[k] for k in started).items():
        for division in combo:
            stats.divisions[division] += n
    stats.total = len(started)
    dates: dict[str, str] = {}
    for (province, zipcode, start), n in Counter(
        (ent_place[k][0], ent_place[k][1], starts[k]) for k in started
    ).items():
        band = dates.get(start)
        if band is None:
            band = dates[start] = band_of(dt.date.fromisoformat(start)) if start else UNKNOWN
        stats.location[(province, zipcode, band)] += n
    for (year, combo), n in Counter((starts[k][:4], ent_segments[k]) for k in ent_segments).items():
        counter = stats.segments_by_year.setdefault(int(year) if year else None, Counter())
        for segment in combo:
            counter[segment] += n
    if keep:
        stats.enterprises = {k: (ent_segments[k], ent_divisions[k], *place) for k, place in ent_place.items()}
    return stats


def universe_location_age(
    perimeter: Perimeter, day: dt.date, stats: UniverseStats | None = None
) -> list[dict[str, Any]]:
    """Per (province, postal code): the count and one count per age band (``age_<band>``)."""
    stats = stats or universe_stats(perimeter, day)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for (province, zipcode, band), n in stats.location.items():
        row = rows.get((province, zipcode))
        if row is None:
            row = rows[(province, zipcode)] = {"province": province, "zipcode": zipcode, "n": 0}
            row.update({f"age_{key}": 0 for key in [*[b[0] for b in AGE_BANDS], UNKNOWN]})
        row["n"] += n
        row[f"age_{band}"] += n
    return [rows[k] for k in sorted(rows)]


# --- member side: a few hundred rows ---------------------------------------------------------------


@dataclass
class MemberRow:
    organisation_id: int
    number: int
    province: str
    zipcode: str
    start_date: dt.date | None
    segments: set[int]
    divisions: set[str]
    headcount_band: str
    legal_form: str
    codes: list[tuple[int, str]]


@dataclass
class Members:
    rows: list[MemberRow]
    total: int
    unmatched: list[int]
    outside: list[int]
    organisations: list[Organisation]


def _number(value: str | None) -> int | None:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    return int(digits) if digits else None


def member_rows(perimeter: Perimeter, day: dt.date, organisations: list[Organisation] | None = None) -> Members:
    """Members on ``day`` (or the given organisations) with their register attributes."""
    if organisations is None:
        organisations = list(
            eco_selectors.members_on(day).only("id", "enterprise_number", "headcount_band", "sme_status", "kind")
        )
    by_number: dict[int, Organisation] = {}
    unmatched = []
    for org in organisations:
        number = _number(org.enterprise_number)
        if number is None:
            unmatched.append(org.pk)
        else:
            by_number[number] = org
    enterprises = {
        e["number"]: e
        for e in Enterprise.objects.filter(number__in=list(by_number)).values(
            "number", "province", "zipcode", "start_date", "juridical_form"
        )
    }
    activities: dict[int, list[tuple[int, str]]] = {}
    for number, version, code in Activity.objects.filter(
        enterprise_id__in=list(enterprises), classification=MAIN
    ).values_list("enterprise_id", "nace_version", "nace_code"):
        activities.setdefault(number, []).append((version, code))
    rows, outside = [], []
    division_version = perimeter.division_version
    prefixes = tuple(perimeter.prefixes)
    for number, org in by_number.items():
        enterprise = enterprises.get(number)
        if enterprise is None:
            unmatched.append(org.pk)
            continue
        codes = activities.get(number, [])
        started = enterprise["start_date"] is None or enterprise["start_date"] <= day
        if not started or not perimeter.contains(codes):
            outside.append(org.pk)
            continue
        divisions = {
            c[:2] for v, c in codes if v == division_version and any(v == pv and c.startswith(p) for pv, p in prefixes)
        }
        rows.append(
            MemberRow(
                org.pk,
                number,
                enterprise["province"] or "",
                enterprise["zipcode"] or "",
                enterprise["start_date"],
                perimeter.segments_of(codes),
                divisions,
                org.headcount_band or "",
                enterprise["juridical_form"] or "",
                codes,
            )
        )
    return Members(rows, len(organisations), sorted(unmatched), sorted(outside), organisations)


# --- the whole computation -------------------------------------------------------------------------


def _labels() -> dict[str, dict[str, str]]:
    provinces = {p.nis: p.label for p in Province.objects.all()}
    zip_arr: dict[str, tuple[str, str]] = {}
    for code, nis, fr, nl, de, en in PostalCode.objects.values_list(
        "code",
        "municipality__arrondissement__nis",
        "municipality__arrondissement__label_fr",
        "municipality__arrondissement__label_nl",
        "municipality__arrondissement__label_de",
        "municipality__arrondissement__label_en",
    ):
        zip_arr[code] = (nis, fr or nl or de or en or nis)
    return {"provinces": provinces, "zip_arr": zip_arr}  # type: ignore[dict-item]


def _sorted_cells(universe: Counter, members: Counter, labels: dict[str, str]) -> list[tuple[str, str, int, int]]:
    keys = sorted(set(universe) | set(members), key=lambda k: (k == UNKNOWN, k))
    return [(k, labels.get(k) or (_("inconnu") if k == UNKNOWN else k), members[k], universe[k]) for k in keys]


@dataclass
class Computation:
    """What ``compute`` worked from, for callers that go further (the prospect ranking)."""

    perimeter: Perimeter
    members: Members | None = None
    universe: UniverseStats | None = None
    labels: dict[str, Any] = field(default_factory=dict)


def compute(day: dt.date, *, segment_ids: list[int] | None = None, with_evolution: bool = True) -> dict[str, Any]:
    """The full representativeness report for ``day`` as plain data (what the JSON and the page show)."""
    return compute_with_data(day, segment_ids=segment_ids, with_evolution=with_evolution)[0]


def compute_with_data(
    day: dt.date, *, segment_ids: list[int] | None = None, with_evolution: bool = True, keep: bool = False
) -> tuple[dict[str, Any], Computation]:
    """``compute`` and the perimeter, members and universe it used (``keep``: see ``universe_stats``)."""
    perimeter = load_perimeter(segment_ids)
    data = Computation(perimeter)
    notes: list[str] = []
    report: dict[str, Any] = {
        "date": day.isoformat(),
        "index": None,
        "perimeter": [
            {"id": s.id, "label": s.label, "codes": [f"{v}:{p}" for v, p in s.prefixes]} for s in perimeter.segments
        ],
        "members_total": 0,
        "members_in_perimeter": 0,
        "unmatched": 0,
        "outside_perimeter": 0,
        "universe": 0,
        "coverage": None,
        "sme_share": None,
        "breakdowns": {},
        "evolution": [],
        "notes": notes,
    }
    if perimeter.is_empty:
        notes.append(
            _(
                "Le périmètre est vide : aucun segment de chaîne de valeur n'a de code NACE. "
                "Ajoutez des codes NACE aux segments pour mesurer la représentativité."
            )
        )
    first_start = Membership.objects.filter(status__in=Membership.COUNTING_STATUSES).order_by("start_date").first()
    if first_start is None or first_start.start_date > day:
        notes.append(_("Aucune adhésion n'existe à cette date : l'historique des membres commence plus tard."))
    if not Enterprise.objects.exists():
        notes.append(
            _("Aucune donnée du registre BCE : importez un extrait (grappe kbo import) pour définir l'univers.")
        )

    members = data.members = member_rows(perimeter, day)
    report["members_total"] = members.total
    report["unmatched"] = len(members.unmatched)
    report["outside_perimeter"] = len(members.outside)
    report["sme_share"] = sme_share(members.organisations)
    if members.unmatched:
        notes.append(
            _(
                "%(n)d membre(s) sans correspondance dans le registre "
                "(pas de numéro BCE ou numéro inconnu) : non comptés."
            )
            % {"n": len(members.unmatched)}
        )
    if members.outside:
        notes.append(
            _("%(n)d membre(s) dont l'entreprise est hors du périmètre : non comptés.") % {"n": len(members.outside)}
        )
    if perimeter.is_empty:
        return report, data

    labels = data.labels = _labels()
    universe = data.universe = universe_stats(perimeter, day, keep=keep)
    location = universe_location_age(perimeter, day, universe)
    universe_total = sum(r["n"] for r in location)
    m_total = len(members.rows)
    report["universe"] = universe_total
    report["members_in_perimeter"] = m_total
    report["coverage"] = m_total / universe_total if universe_total else None
    if universe_total == 0:
        notes.append(
            _("Aucune entreprise du registre dans le périmètre à cette date : couverture et indice non calculables.")
        )
    elif m_total == 0:
        notes.append(_("Aucun membre dans le périmètre à cette date : l'indice n'est pas calculable."))
    elif m_total == universe_total:
        notes.append(_("Toutes les entreprises du périmètre sont membres : la représentativité est parfaite."))

    breakdowns = report["breakdowns"]
    # Segments (overlapping cells).
    seg_universe = universe.segments
    seg_members = Counter(s for row in members.rows for s in row.segments)
    seg_cells = [(str(s.id), s.label, seg_members[s.id], seg_universe.get(s.id, 0)) for s in perimeter.segments]
    breakdowns["segment"] = build_breakdown(
        "segment", _("Segment de chaîne de valeur"), seg_cells, m_total, universe_total, partition=False
    )
    no_codes = [s.label for s in perimeter.segments if not s.prefixes]
    if no_codes:
        breakdowns["segment"].notes.append(
            _("Segments sans code NACE (hors périmètre) : %(names)s.") % {"names": ", ".join(no_codes)}
        )
    # Divisions (overlapping cells: an enterprise may have main activities in two divisions).
    version = perimeter.division_version
    div_universe = universe.divisions
    div_members = Counter(d for row in members.rows for d in row.divisions)
    div_labels = {
        n.code: f"{n.dotted} {n.label}"
        for n in NaceCode.objects.filter(version=str(version), level=NaceCode.Level.DIVISION)
    }
    breakdowns["division"] = build_breakdown(
        "division",
        _("Division NACE-BEL %(version)s") % {"version": version},
        _sorted_cells(div_universe, div_members, div_labels),
        m_total,
        universe_total,
        partition=False,
    )
    # Province and arrondissement (partitions).
    prov_u: Counter = Counter()
    arr_u: Counter = Counter()
    age_u: Counter = Counter()
    arr_labels: dict[str, str] = {}
    for row in location:
        prov_u[row["province"] or UNKNOWN] += row["n"]
        arr_nis, arr_label = labels["zip_arr"].get(row["zipcode"], (UNKNOWN, ""))
        arr_u[arr_nis] += row["n"]
        arr_labels[arr_nis] = arr_label
        for key, _low, _high in AGE_BANDS:
            age_u[key] += row[f"age_{key}"]
        age_u[UNKNOWN] += row[f"age_{UNKNOWN}"]
    prov_m = Counter(row.province or UNKNOWN for row in members.rows)
    arr_m: Counter = Counter()
    for row in members.rows:
        arr_nis, arr_label = labels["zip_arr"].get(row.zipcode, (UNKNOWN, ""))
        arr_m[arr_nis] += 1
        arr_labels[arr_nis] = arr_label
    breakdowns["province"] = build_breakdown(
        "province", _("Province"), _sorted_cells(prov_u, prov_m, labels["provinces"]), m_total, universe_total
    )
    breakdowns["arrondissement"] = build_breakdown(
        "arrondissement", _("Arrondissement"), _sorted_cells(arr_u, arr_m, arr_labels), m_total, universe_total
    )
    # Size bands: the register has no headcount; members only (from the ecosystem), universe unknown.
    band_labels = dict(Organisation.HeadcountBand.choices)
    org_band = {o.pk: o.headcount_band for o in members.organisations}
    size_m = Counter(org_band.get(row.organisation_id) or UNKNOWN for row in members.rows)
    order = [*band_labels, UNKNOWN]
    size_cells = [(k, str(band_labels.get(k, _("inconnu"))), size_m[k], None) for k in order if size_m[k]]
    breakdowns["size"] = build_breakdown("size", _("Taille (effectif)"), size_cells, m_total, universe_total)
    breakdowns["size"].notes.append(
        _(
            "Le registre BCE ne donne pas l'effectif : la taille des membres vient de l'écosystème, "
            "celle de l'univers est inconnue."
        )
    )
    # Age bands (partition).
    age_m = Counter(age_band(row.start_date, day) for row in members.rows)
    age_labels = {key: _("%(band)s ans") % {"band": key} for key, _l, _h in AGE_BANDS}
    age_cells = [
        (k, str(age_labels.get(k, _("inconnu"))), age_m[k], age_u[k])
        for k in [b[0] for b in AGE_BANDS] + [UNKNOWN]
        if age_u[k] or age_m[k]
    ]
    breakdowns["age"] = build_breakdown("age", _("Âge de l'entreprise"), age_cells, m_total, universe_total)

    report["index"] = breakdowns["segment"].index
    report["breakdowns"] = {k: b.to_dict() for k, b in breakdowns.items()}
    if with_evolution:
        report["evolution"] = evolution(
            perimeter, day, current=report["index"], members=m_total, by_year=universe.segments_by_year
        )
    return report, data


def sme_share(organisations: list[Organisation]) -> dict[str, Any]:
    """Share of SMEs (EU definition) among members whose size class is known."""
    known = [o for o in organisations if o.sme_status and o.sme_status != Organisation.SmeStatus.UNKNOWN]
    smes = sum(1 for o in known if o.sme_status in SME_STATUSES)
    return {
        "value": smes / len(known) if known else None,
        "smes": smes,
        "known": len(known),
        "unknown": len(organisations) - len(known),
    }


def evolution_dates(day: dt.date) -> list[dt.date]:
    """31 December of each year since the first membership, before ``day``."""
    first = Membership.objects.filter(status__in=Membership.COUNTING_STATUSES).order_by("start_date").first()
    if first is None:
        return []
    return [dt.date(year, 12, 31) for year in range(first.start_date.year, day.year) if dt.date(year, 12, 31) < day]


def evolution(
    perimeter: Perimeter,
    day: dt.date,
    *,
    current: float | None,
    members: int = 0,
    by_year: dict[int | None, Counter] | None = None,
) -> list[dict[str, Any]]:
    """The segment index at each year end (universe by start year, members from membership history)."""
    dates = evolution_dates(day)
    points = []
    if dates:
        if by_year is None:
            by_year = universe_stats(perimeter, day).segments_by_year
        for point in dates:
            seg_universe: Counter = Counter()
            for year, counts in by_year.items():
                if year is None or year <= point.year:
                    seg_universe.update(counts)
            rows = member_rows(perimeter, point).rows
            seg_members = Counter(s for row in rows for s in row.segments)
            pairs = [(seg_members[s.id], seg_universe[s.id]) for s in perimeter.segments]
            points.append({"date": point.isoformat(), "index": dissimilarity_index(pairs), "members": len(rows)})
    points.append({"date": day.isoformat(), "index": current, "members": members})
    return points
