"""Reads of the objectives contract: values per indicator and period, statuses, drill-downs, comparisons.

Views, the API, the report renderers and the ``report`` command all go through these functions so
that a number is computed the same way wherever it is shown.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from grappe.objectives.computations import Breakdown, Evaluation, Period, Result, evaluate, registry
from grappe.objectives.computations.base import display
from grappe.objectives.models import Indicator, Measurement, Mission, ObjectivesContract


class Status:
    """The status of an indicator for a period, with its display label."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"
    ERROR = "error"

    LABELS = {
        ACHIEVED: _("atteint"),
        ON_TRACK: _("en bonne voie"),
        AT_RISK: _("à risque"),
        NO_TARGET: _("sans cible"),
        NO_DATA: _("pas de données"),
        ERROR: _("erreur"),
    }


def format_decimal(value: Decimal | None) -> str | None:
    """A stable text form of a number (``12``, ``12.5``), used in archives and comparisons."""
    if value is None:
        return None
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


# --- contracts --------------------------------------------------------------------------------


def contract_list() -> QuerySet[ObjectivesContract]:
    return ObjectivesContract.objects.all().order_by("-start_year", "-pk")


def current_contract(today: dt.date | None = None) -> ObjectivesContract | None:
    """The active contract covering ``today``; else the latest active one; else the latest contract."""
    today = today or dt.date.today()
    contracts = list(contract_list())
    active = [c for c in contracts if c.status == ObjectivesContract.Status.ACTIVE]
    for contract in active:
        if contract.covers(today.year):
            return contract
    return (active or contracts or [None])[0]


def default_year(contract: ObjectivesContract, today: dt.date | None = None) -> int:
    """This year if the contract covers it, else the closest contract year."""
    year = (today or dt.date.today()).year
    return min(max(year, contract.start_year), contract.end_year)


def contract_indicators(contract: ObjectivesContract) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(contract=contract)
        .select_related("objective", "contract")
        .prefetch_related("targets")
        .order_by("mission", "objective__order", "objective__code", "order", "code")
    )


def target_for(indicator: Indicator, year: int) -> Decimal | None:
    for target in indicator.targets.all():  # prefetched by contract_indicators
        if target.year == year:
            return target.value
    return None


# --- values -----------------------------------------------------------------------------------


def _manual_result(indicator: Indicator, period: Period) -> Result:
    measurements = Measurement.objects.filter(indicator=indicator, year=period.year).select_related("entered_by")
    if period.quarter:
        rows = list(measurements.filter(quarter=period.quarter))
    else:
        yearly = list(measurements.filter(quarter__isnull=True))
        rows = yearly or list(measurements.filter(quarter__isnull=False).order_by("quarter"))
    if not rows:
        return Result(None, [], _("Aucune valeur saisie pour cette période."))
    if len(rows) == 1 or indicator.aggregation == Indicator.Aggregation.SUM:
        value = sum((m.value for m in rows), Decimal(0))
    else:
        value = rows[-1].value
    note = "" if len(rows) == 1 else _("Valeur annuelle obtenue à partir des trimestres saisis.")
    return Result(value, rows, note)


def indicator_evaluation(indicator: Indicator, period: Period) -> Evaluation:
    """The value of an indicator for a period: its computation, or its manual values."""
    if indicator.is_computed:
        return evaluate(indicator.computation_key, period)
    result = _manual_result(indicator, period)
    if result.value is None:
        return Evaluation(indicator.code, period, "no_data", result=result, note=str(result.note))
    return Evaluation(indicator.code, period, "ok", value=result.value, result=result, note=str(result.note or ""))


def is_cumulative(indicator: Indicator) -> bool:
    """Whether the value grows through the year (counts, sums), so a running year is judged pro rata.

    Stocks (members at the end of the period), rates and averages are judged against the whole target:
    a share of 50 % in June is not "on track" towards 95 %. Computed indicators take it from their
    computation; manual ones from their aggregation (sum of quarters: a flow; last quarter: a stock).
    """
    if indicator.is_computed:
        computation = registry().get(indicator.computation_key)
        return computation.cumulative if computation is not None else True
    return indicator.aggregation == Indicator.Aggregation.SUM


def _expected_share(indicator: Indicator, period: Period) -> Decimal:
    """The share of the target expected at the snapshot date: the elapsed share of a flow, all of a stock."""
    return period.elapsed_fraction if is_cumulative(indicator) else Decimal(1)


def status_for(indicator: Indicator, evaluation: Evaluation, target: Decimal | None) -> str:
    if evaluation.state == "error":
        return Status.ERROR
    if evaluation.value is None:
        return Status.NO_DATA
    if target is None:
        return Status.NO_TARGET
    value, ratio = evaluation.value, indicator.on_track_ratio / Decimal(100)
    if indicator.direction == Indicator.Direction.LOWER:
        if value <= target:
            return Status.ACHIEVED
        return Status.ON_TRACK if ratio and value * ratio <= target else Status.AT_RISK
    if value >= target:
        return Status.ACHIEVED
    expected = target * _expected_share(indicator, evaluation.period)
    return Status.ON_TRACK if value >= ratio * expected else Status.AT_RISK


def rule_text(indicator: Indicator, target: Decimal | None, period: Period) -> str:
    """The status rule in words, with the numbers that apply to this period."""
    if target is None:
        return str(_("Aucune cible n'est fixée pour cette année."))
    ratio = indicator.on_track_ratio
    if indicator.direction == Indicator.Direction.LOWER:
        limit = (target * Decimal(100) / ratio).quantize(Decimal("0.1"))
        return str(
            _(
                "Atteint si la valeur est inférieure ou égale à %(target)s ; en bonne voie jusqu'à %(limit)s ; "
                "à risque au-delà."
            )
            % {"target": format_decimal(target), "limit": format_decimal(limit)}
        )
    fraction = _expected_share(indicator, period)
    expected = (target * fraction * ratio / Decimal(100)).quantize(Decimal("0.1"))
    if not is_cumulative(indicator):
        return str(
            _(
                "Atteint si la valeur atteint la cible (%(target)s) ; en bonne voie si elle atteint %(ratio)s %% de la "
                "cible, soit %(expected)s (niveau ou taux : pas de prorata de l'année) ; à risque en dessous."
            )
            % {"target": format_decimal(target), "ratio": format_decimal(ratio), "expected": format_decimal(expected)}
        )
    return str(
        _(
            "Atteint si la valeur atteint la cible (%(target)s) ; en bonne voie si elle atteint %(ratio)s %% de la "
            "cible au prorata de la période écoulée (%(elapsed)s %%), soit %(expected)s ; à risque en dessous."
        )
        % {
            "target": format_decimal(target),
            "ratio": format_decimal(ratio),
            "elapsed": format_decimal((fraction * 100).quantize(Decimal("1"))),
            "expected": format_decimal(expected),
        }
    )


@dataclass
class IndicatorRow:
    """An indicator's value, target and status for one period, as every view and report shows it."""

    indicator: Indicator
    period: Period
    evaluation: Evaluation
    target: Decimal | None
    status: str
    rule: str
    history: list["IndicatorRow"] = field(default_factory=list)

    @property
    def value(self) -> Decimal | None:
        return self.evaluation.value

    @property
    def status_label(self) -> Any:
        return Status.LABELS[self.status]

    @property
    def breakdown(self) -> list[Breakdown]:
        return self.evaluation.breakdown

    @property
    def note(self) -> str:
        return self.evaluation.error or self.evaluation.note

    @property
    def ratio_to_target(self) -> Decimal | None:
        if self.value is None or not self.target:
            return None
        return (Decimal(100) * self.value / self.target).quantize(Decimal("1"))


def indicator_row(indicator: Indicator, period: Period) -> IndicatorRow:
    evaluation = indicator_evaluation(indicator, period)
    target = target_for(indicator, period.year) if period.quarter is None else None
    return IndicatorRow(
        indicator,
        period,
        evaluation,
        target,
        status_for(indicator, evaluation, target),
        rule_text(indicator, target, period),
    )


def year_period(contract: ObjectivesContract, year: int, snapshot: dt.date | None = None) -> Period:
    if not contract.covers(year):
        raise ValueError(
            str(
                _("L'année %(year)s est hors du contrat « %(contract)s » (%(start)s-%(end)s).")
                % {"year": year, "contract": contract.title, "start": contract.start_year, "end": contract.end_year}
            )
        )
    return Period.of_year(year, snapshot)


def default_snapshot(year: int, today: dt.date | None = None) -> dt.date:
    """Data are read as of the year's last day, or today while the year is running."""
    today = today or dt.date.today()
    return min(dt.date(year, 12, 31), today)


def year_rows(contract: ObjectivesContract, year: int, snapshot: dt.date | None = None) -> list[IndicatorRow]:
    """Every indicator of the contract for one year (raises ``ValueError`` for a year outside the contract)."""
    period = year_period(contract, year, snapshot or default_snapshot(year))
    return [indicator_row(indicator, period) for indicator in contract_indicators(contract)]


def contract_history(
    contract: ObjectivesContract, *, until: int | None = None, today: dt.date | None = None
) -> dict[int, list[IndicatorRow]]:
    """Rows per contract year up to ``until`` (default: this year), for trends and the mid-term report."""
    last = min(until or (today or dt.date.today()).year, contract.end_year)
    return {
        year: year_rows(contract, year, default_snapshot(year, today)) for year in range(contract.start_year, last + 1)
    }


def quarter_rows(indicator: Indicator, year: int, today: dt.date | None = None) -> list[IndicatorRow]:
    snapshot = default_snapshot(year, today)
    return [indicator_row(indicator, Period.of_quarter(year, q, snapshot)) for q in (1, 2, 3, 4)]


@dataclass
class MissionBlock:
    mission: str
    label: Any
    rows: list[IndicatorRow]

    @property
    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(Status.LABELS, 0)
        for row in self.rows:
            totals[row.status] += 1
        return totals


def by_mission(rows: list[IndicatorRow]) -> list[MissionBlock]:
    blocks = []
    for mission in Mission:
        mission_rows = [row for row in rows if row.indicator.mission == mission.value]
        if mission_rows:
            blocks.append(MissionBlock(mission.value, mission.label, mission_rows))
    return blocks


def at_risk(rows: list[IndicatorRow]) -> list[IndicatorRow]:
    return [row for row in rows if row.status in (Status.AT_RISK, Status.ERROR)]


# --- archives and comparisons -----------------------------------------------------------------


def numbers_of(contract: ObjectivesContract, year: int, period: Period, rows: list[IndicatorRow]) -> dict[str, Any]:
    """The JSON archived with a report: everything needed to show it again and compare it later."""
    return {
        "contract": contract.pk,
        "year": year,
        "snapshot": period.snapshot.isoformat(),
        "indicators": {
            row.indicator.code: {
                "label": str(row.indicator.label),
                "mission": row.indicator.mission,
                "unit": row.indicator.unit,
                "state": row.evaluation.state,
                "value": format_decimal(row.value),
                "target": format_decimal(row.target),
                "status": row.status,
                "note": str(row.note),
                "records": record_count(row.evaluation),
                "breakdown": [[line.code, str(line.label), format_decimal(line.value)] for line in row.breakdown],
            }
            for row in rows
        },
    }


@dataclass
class Difference:
    code: str
    label: str
    archived: str | None
    current: str | None
    archived_status: str | None
    current_status: str | None

    @property
    def delta(self) -> Decimal | None:
        if self.archived is None or self.current is None:
            return None
        return Decimal(self.current) - Decimal(self.archived)


def compare_numbers(archived: dict[str, Any], current: dict[str, Any]) -> list[Difference]:
    """Indicators whose value or status differs between an archived report and the current numbers."""
    old, new = archived.get("indicators", {}), current.get("indicators", {})
    differences = []
    for code in sorted(old.keys() | new.keys()):
        a, b = old.get(code, {}), new.get(code, {})
        if a.get("value") != b.get("value") or a.get("status") != b.get("status"):
            differences.append(
                Difference(
                    code,
                    b.get("label") or a.get("label", code),
                    a.get("value"),
                    b.get("value"),
                    a.get("status"),
                    b.get("status"),
                )
            )
    return differences


# --- drill-down -------------------------------------------------------------------------------


def record_count(evaluation: Evaluation) -> int | None:
    from grappe.objectives.computations.base import count

    records = evaluation.records
    return None if records is None else count(records)


def _organisation_url(pk: int) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("ecosystem:organisation_detail", args=[pk])
    except NoReverseMatch:
        return ""


def describe_record(record: Any, *, staff: bool) -> dict[str, Any]:
    """A line of a drill-down list. Staff get links; others get public facts only (see docs/objectives.md).

    People are never named to non-staff readers; organisations show their name, kind and head-office
    province (public facts); measurements show their value and evidence link; other records their title.
    """
    from grappe.ecosystem.models import Organisation, Person

    if isinstance(record, Organisation):
        site = record.head_office
        province = site.municipality.province.label if site and site.municipality.province else ""
        return {
            "type": _("organisation"),
            "label": record.name,
            "detail": " · ".join(x for x in (str(display(record, "kind")[1]), province) if x),
            "url": _organisation_url(record.pk) if staff else "",
        }
    if isinstance(record, Person):
        return {
            "type": _("personne"),
            "label": record.full_name if staff else _("personne n° %(id)s") % {"id": record.pk},
            "detail": "",
            "url": "",
        }
    if isinstance(record, Measurement):
        return {
            "type": _("valeur saisie"),
            "label": f"{record.period_label} : {format_decimal(record.value)}",
            "detail": record.note if staff else "",
            "url": (record.evidence_file.url if record.evidence_file else record.evidence_link) if staff else "",
        }
    if isinstance(record, dict):
        return {
            "type": record.get("type", ""),
            "label": record.get("label", ""),
            "detail": record.get("detail", ""),
            "url": record.get("url", "") if staff else "",
        }
    if isinstance(record, Model):
        describer = _DESCRIBERS.get(record._meta.label_lower)
        if describer is not None:
            line = describer(record, staff)
            line.setdefault("type", record._meta.verbose_name)
            line.setdefault("detail", "")
            line["url"] = _url_of(record) if staff else ""
            return line
    return {
        "type": record._meta.verbose_name if isinstance(record, Model) else "",
        "label": str(record),
        "detail": "",
        "url": _url_of(record) if staff else "",
    }


def _url_of(record: Any) -> str:
    if isinstance(record, Model) and hasattr(record, "get_absolute_url"):
        try:
            return record.get_absolute_url()
        except Exception:  # a record without a page is still listed
            return ""
    return ""


# Records of other apps that the catalogue's drill-downs list. Their ``__str__`` often names people
# (a registration is "person — event"): observers and reports get a person's number instead, and
# confidential or internal records only their number. Each entry: (describer, select_related paths).


def _person(person: Any, staff: bool) -> str:
    if person is None:
        return ""
    return person.full_name if staff else str(_("personne n° %(id)s") % {"id": person.pk})


def _who(person: Any, organisation: Any, staff: bool) -> str:
    return " · ".join(x for x in (_person(person, staff), organisation.name if organisation else "") if x)


def _day(moment: Any) -> str:
    from django.utils import timezone

    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment)
    return f"{moment:%d/%m/%Y}"


def _registration(r: Any, staff: bool) -> dict[str, Any]:
    return {"label": f"{r.event.title} ({_day(r.event.start)})", "detail": _who(r.person, r.organisation, staff)}


def _survey_response(r: Any, staff: bool) -> dict[str, Any]:
    reg = r.registration
    return {
        "label": f"{reg.event.title} ({_day(reg.event.start)}) : {r.score}/5",
        "detail": _who(reg.person, reg.organisation, staff),
    }


def _participant(p: Any, staff: bool) -> str:
    return _who(p.person, p.organisation, staff)


def _meeting(m: Any, staff: bool) -> dict[str, Any]:
    return {
        "label": f"{_participant(m.participant_a, staff)} × {_participant(m.participant_b, staff)}",
        "detail": f"{m.session.event.title} ({_day(m.session.event.start)}) · {m.get_status_display()}",
    }


def _meeting_request(r: Any, staff: bool) -> dict[str, Any]:
    return {
        "label": f"{_participant(r.requester, staff)} → {_participant(r.target, staff)}",
        "detail": f"{r.session.event.title} ({_day(r.session.event.start)}) · {r.get_status_display()}",
    }


def _event(e: Any, staff: bool) -> dict[str, Any]:
    return {"label": f"{e.title} ({_day(e.start)})", "detail": str(display(e, "kind")[1])}


def _digest(d: Any, staff: bool) -> dict[str, Any]:
    return {"label": _person(d.person, staff), "detail": _day(d.sent_at)}


def _item(i: Any, staff: bool) -> dict[str, Any]:
    return {"label": i.title, "detail": " · ".join(x for x in (str(display(i, "kind")[1]), _day(i.triaged_at)) if x)}


def _introduction(i: Any, staff: bool) -> dict[str, Any]:
    if i.is_internal and not staff:
        return {"label": str(_("mise en relation interne n° %(id)s") % {"id": i.pk}), "detail": _day(i.introduced_on)}
    return {
        "label": f"{i.organisation_a.name} ↔ {i.organisation_b.name}",
        "detail": " · ".join((_day(i.introduced_on), str(display(i, "outcome")[1]))),
    }


def _collaboration(c: Any, staff: bool) -> dict[str, Any]:
    detail = " · ".join(x for x in (str(display(c, "kind")[1]), _day(c.start_date)) if x)
    if c.is_internal and not staff:
        return {"label": str(_("collaboration interne n° %(id)s") % {"id": c.pk}), "detail": detail}
    return {"label": c.title, "detail": detail}


def _project(p: Any, staff: bool) -> dict[str, Any]:
    detail = str(display(p, "stage")[1])
    if p.is_confidential_to_staff and not staff:
        return {"label": str(_("projet confidentiel n° %(id)s") % {"id": p.pk}), "detail": detail}
    lead = p.lead_organisation.name if p.lead_organisation_id else ""
    return {"label": p.title, "detail": " · ".join(x for x in (lead, detail) if x)}


def _support_action(a: Any, staff: bool) -> dict[str, Any]:
    project = a.project
    if project is not None and project.is_confidential_to_staff and not staff:
        about = str(_("projet confidentiel n° %(id)s") % {"id": project.pk})
    else:
        about = project.title if project is not None else (a.organisation.name if a.organisation_id else "")
    return {
        "label": " · ".join(x for x in (str(display(a, "kind")[1]), about) if x),
        "detail": f"{_day(a.date)} · {format_decimal(a.hours)} h",
    }


def _communication_action(a: Any, staff: bool) -> dict[str, Any]:
    country = a.country.name if getattr(a, "country", None) and a.country.code != "BE" else ""
    return {
        "label": a.title,
        "detail": " · ".join(x for x in (str(display(a, "kind")[1]), _day(a.date), country, a.channel) if x),
    }


def _post(p: Any, staff: bool) -> dict[str, Any]:
    return {"label": str(p), "detail": " · ".join(x for x in (str(display(p, "kind")[1]), _day(p.published_at)) if x)}


_DESCRIBERS: dict[str, Any] = {
    "showcase.communicationaction": _communication_action,
    "showcase.post": _post,
    "events.event": _event,
    "events.registration": _registration,
    "events.surveyresponse": _survey_response,
    "events.meeting": _meeting,
    "events.meetingrequest": _meeting_request,
    "watch.digest": _digest,
    "watch.item": _item,
    "partnerships.introduction": _introduction,
    "partnerships.collaboration": _collaboration,
    "innovation.innovationproject": _project,
    "innovation.supportaction": _support_action,
}
_RELATED: dict[str, tuple[str, ...]] = {
    "events.registration": ("event", "person", "organisation"),
    "events.surveyresponse": ("registration__event", "registration__person", "registration__organisation"),
    "events.meeting": (
        "session__event",
        "participant_a__person",
        "participant_a__organisation",
        "participant_b__person",
        "participant_b__organisation",
    ),
    "events.meetingrequest": (
        "session__event",
        "requester__person",
        "requester__organisation",
        "target__person",
        "target__organisation",
    ),
    "watch.digest": ("person",),
    "partnerships.introduction": ("organisation_a", "organisation_b"),
    "innovation.innovationproject": ("lead_organisation",),
    "innovation.supportaction": ("project", "organisation"),
}


def drilldown(
    evaluation: Evaluation, *, staff: bool, limit: int | None = None, cache: dict | None = None
) -> list[dict[str, Any]]:
    """The lines of an indicator's drill-down (type, label, detail, url), at most ``limit``.

    ``cache`` (a dict kept by the caller, e.g. for one report) makes lines of QuerySet records plain
    strings described once per record: the indicators of a report list the same organisations again
    and again (members, by kind, by province, SME share...).
    """
    records = evaluation.records
    if records is None:
        return []
    if cache is not None and isinstance(records, QuerySet):
        return _cached_lines(records, staff=staff, limit=limit, cache=cache)
    if isinstance(records, QuerySet):
        from grappe.ecosystem.models import Organisation

        if records.model is Organisation:
            records = records.prefetch_related("sites__municipality__province")
        related = _RELATED.get(records.model._meta.label_lower)
        if related:
            records = records.select_related(*related)
        records = records[:limit] if limit else records
    else:
        from django.db.models import prefetch_related_objects

        from grappe.ecosystem.models import Organisation

        records = list(records)[:limit] if limit else list(records)
        organisations = [r for r in records if isinstance(r, Organisation)]
        if organisations:
            prefetch_related_objects(organisations, "sites__municipality__province")
        # A breakdown line's records are instances of one model: what their lines read, in one query per relation.
        models = {type(r) for r in records if isinstance(r, Model) and not isinstance(r, Organisation)}
        for model in models:
            related = _RELATED.get(model._meta.label_lower)
            if related:
                prefetch_related_objects([r for r in records if type(r) is model], *related)
    return [describe_record(record, staff=staff) for record in records]


def breakdown_line(evaluation: Evaluation, code: str) -> tuple[Breakdown, Evaluation] | None:
    """One line of an indicator's breakdown and an evaluation holding only that line's records.

    None when the indicator has no such line, or when the line does not know its records.
    """
    line = next((line for line in evaluation.breakdown if line.code == code), None)
    if line is None or line.records is None:
        return None
    result = Result(line.value, line.records)
    return line, Evaluation(evaluation.key, evaluation.period, "ok", value=line.value, result=result)


def _cached_lines(records: QuerySet, *, staff: bool, limit: int | None, cache: dict) -> list[dict[str, Any]]:
    from itertools import batched

    model = records.model
    pks = records.values_list("pk", flat=True)
    pks = list(dict.fromkeys(pks[:limit] if limit else pks))
    known = cache.setdefault((model, staff), {})
    missing = [pk for pk in pks if pk not in known]
    bulk = None if staff else _BULK_LINES.get(model._meta.label_lower)
    for chunk in batched(missing, 900):
        if bulk is not None:  # thousands of registrations or meetings: read as values, no model instances
            known.update(bulk(chunk, cache))
            continue
        for record in _fetch_for_lines(model, chunk):
            line = describe_record(record, staff=staff)
            known[record.pk] = {key: str(value) if value is not None else "" for key, value in line.items()}
    return [known[pk] for pk in pks if pk in known]


# Lines for observers and reports read from values, the same as the describers above give (tested).


def _lookup(cache: dict, model: type, ids: Any, fields: tuple[str, ...], make: Any) -> dict[int, str]:
    """``{pk: make(values)}`` for ``ids``, each row of ``model`` read once per cache."""
    from itertools import batched

    store = cache.setdefault(("lookup", model), {})
    missing = {pk for pk in ids if pk is not None and pk not in store}
    for chunk in batched(sorted(missing), 900):
        for pk, *values in model._base_manager.filter(pk__in=chunk).values_list("pk", *fields):
            store[pk] = make(*values)
    return store


def _events_by_id(cache: dict, ids: Any) -> dict[int, str]:
    from grappe.events.models import Event

    return _lookup(cache, Event, ids, ("title", "start"), lambda title, start: f"{title} ({_day(start)})")


def _organisations_by_id(cache: dict, ids: Any) -> dict[int, str]:
    from grappe.ecosystem.models import Organisation

    return _lookup(cache, Organisation, ids, ("name",), lambda name: name)


def _someone(person_id: int | None, organisation_id: int | None, organisations: dict[int, str]) -> str:
    person = str(_("personne n° %(id)s") % {"id": person_id}) if person_id else ""
    return " · ".join(x for x in (person, organisations.get(organisation_id, "")) if x)


def _bulk_registrations(pks: tuple, cache: dict) -> dict[int, dict[str, str]]:
    from grappe.events.models import Registration

    rows = list(Registration.objects.filter(pk__in=pks).values_list("pk", "event_id", "person_id", "organisation_id"))
    events = _events_by_id(cache, [r[1] for r in rows])
    organisations = _organisations_by_id(cache, [r[3] for r in rows])
    kind = str(Registration._meta.verbose_name)
    return {
        pk: {"type": kind, "label": events[event], "detail": _someone(person, org, organisations), "url": ""}
        for pk, event, person, org in rows
    }


def _bulk_survey_responses(pks: tuple, cache: dict) -> dict[int, dict[str, str]]:
    from grappe.events.models import SurveyResponse

    rows = list(
        SurveyResponse.objects.filter(pk__in=pks).values_list(
            "pk", "score", "registration__event_id", "registration__person_id", "registration__organisation_id"
        )
    )
    events = _events_by_id(cache, [r[2] for r in rows])
    organisations = _organisations_by_id(cache, [r[4] for r in rows])
    kind = str(SurveyResponse._meta.verbose_name)
    return {
        pk: {
            "type": kind,
            "label": f"{events[event]} : {score}/5",
            "detail": _someone(person, org, organisations),
            "url": "",
        }
        for pk, score, event, person, org in rows
    }


def _bulk_pairs(model: type, a: str, b: str, status_labels: dict) -> Any:
    """Lines of B2B meetings (participant_a × participant_b) or requests (requester → target)."""
    arrow = " × " if a == "participant_a" else " → "

    def lines(pks: tuple, cache: dict) -> dict[int, dict[str, str]]:
        rows = list(
            model.objects.filter(pk__in=pks).values_list(
                "pk",
                "status",
                "session__event_id",
                f"{a}__person_id",
                f"{a}__organisation_id",
                f"{b}__person_id",
                f"{b}__organisation_id",
            )
        )
        events = _events_by_id(cache, [r[2] for r in rows])
        organisations = _organisations_by_id(cache, [r[4] for r in rows] + [r[6] for r in rows])
        kind = str(model._meta.verbose_name)
        return {
            pk: {
                "type": kind,
                "label": _someone(pa, oa, organisations) + arrow + _someone(pb, ob, organisations),
                "detail": f"{events[event]} · {status_labels.get(status, status)}",
                "url": "",
            }
            for pk, status, event, pa, oa, pb, ob in rows
        }

    return lines


def _bulk_meetings(pks: tuple, cache: dict) -> dict[int, dict[str, str]]:
    from grappe.events.models import Meeting

    labels = {value: str(label) for value, label in Meeting.Status.choices}
    return _bulk_pairs(Meeting, "participant_a", "participant_b", labels)(pks, cache)


def _bulk_meeting_requests(pks: tuple, cache: dict) -> dict[int, dict[str, str]]:
    from grappe.events.models import MeetingRequest

    labels = {value: str(label) for value, label in MeetingRequest.Status.choices}
    return _bulk_pairs(MeetingRequest, "requester", "target", labels)(pks, cache)


_BULK_LINES: dict[str, Any] = {
    "events.registration": _bulk_registrations,
    "events.surveyresponse": _bulk_survey_responses,
    "events.meeting": _bulk_meetings,
    "events.meetingrequest": _bulk_meeting_requests,
}


def _fetch_for_lines(model: type, pks: tuple) -> QuerySet:
    """The records to describe, with what their lines read and nothing more."""
    from grappe.ecosystem.models import Organisation

    queryset = model._base_manager.filter(pk__in=pks)
    if model is Organisation:
        return queryset.only("pk", "name", "kind").prefetch_related("sites__municipality__province")
    related = _RELATED.get(model._meta.label_lower)
    return queryset.select_related(*related) if related else queryset


def catalogue() -> list[Any]:
    """Every registered computation, by mission then key (for the staff indicator form and the docs)."""
    return sorted(registry().values(), key=lambda c: (c.mission, c.key))
