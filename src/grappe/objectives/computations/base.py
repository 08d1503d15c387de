"""The computation registry: how an indicator's number is computed, and what records produce it.

A computation is a function ``(period: Period) -> Result`` registered with ``@indicator(key, ...)``.
It reads other apps only through their ``selectors`` module, imported lazily with ``selector()``:
an app (or a selector) that does not exist yet makes the indicator show "no data", never zero;
any other exception marks that one indicator "error" and never stops a report.
"""

import calendar
import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Period:
    """A year or a quarter, and the date as of which the data is read (``snapshot``)."""

    year: int
    quarter: int | None
    start: dt.date
    end: dt.date
    snapshot: dt.date

    @classmethod
    def of_year(cls, year: int, snapshot: dt.date | None = None) -> "Period":
        end = dt.date(year, 12, 31)
        return cls(year, None, dt.date(year, 1, 1), end, snapshot or end)

    @classmethod
    def of_quarter(cls, year: int, quarter: int, snapshot: dt.date | None = None) -> "Period":
        if quarter not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1-4, not {quarter!r}")
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return cls(year, quarter, dt.date(year, first_month, 1), end, snapshot or end)

    @property
    def effective_end(self) -> dt.date:
        """The last day whose data counts: the period's end, or the snapshot date if earlier."""
        return min(self.end, self.snapshot)

    @property
    def started(self) -> bool:
        return self.start <= self.snapshot

    @property
    def elapsed_fraction(self) -> Decimal:
        """Share of the period already elapsed on the snapshot date (1 once the period is over)."""
        if self.snapshot >= self.end:
            return Decimal(1)
        if self.snapshot < self.start:
            return Decimal(0)
        total = (self.end - self.start).days + 1
        return Decimal((self.snapshot - self.start).days + 1) / Decimal(total)

    @property
    def label(self) -> str:
        return f"{self.year}" + (f" T{self.quarter}" if self.quarter else "")


@dataclass
class Breakdown:
    """One line of a breakdown (e.g. members of one kind): a stable code, a label, a value.

    ``records`` are the records of that line (the drill-down of the line's number), when known.
    """

    code: str
    label: Any
    value: Decimal
    records: list | None = field(default=None, repr=False, compare=False)


@dataclass
class Result:
    """What a computation returns.

    ``value`` None means "no data". ``records`` are the exact records that produce the number: their
    count equals ``value`` for counts, and ``numerator`` for shares (then ``denominator`` is given).
    """

    value: Decimal | None
    records: QuerySet | list | None = None
    note: Any = ""
    breakdown: list[Breakdown] = field(default_factory=list)
    numerator: Decimal | None = None
    denominator: Decimal | None = None

    @property
    def drilldown_target(self) -> Decimal | None:
        """The number the drill-down's record count must equal."""
        return self.numerator if self.numerator is not None else self.value


class SelectorMissing(Exception):
    """The app or selector a computation needs is not built yet: the indicator shows "no data"."""


@dataclass(frozen=True)
class Computation:
    key: str
    func: Callable[[Period], Result]
    mission: str
    unit: Any
    label: Any
    definition: Any
    expects: str = ""  # the selector(s) the computation reads, for docs/objectives.md
    cumulative: bool = True  # a flow that grows through the period (counts, sums); False for stocks and rates

    @property
    def app(self) -> str:
        return self.key.split(".", 1)[0]


_registry: dict[str, Computation] = {}


def indicator(
    key: str,
    *,
    mission: int | str,
    unit: Any,
    label: Any,
    definition: Any,
    expects: str = "",
    cumulative: bool = True,
) -> Callable[[Callable[[Period], Result]], Callable[[Period], Result]]:
    """Register ``func`` as the computation named ``key`` (``<app>.<name>``).

    ``cumulative=False`` for stocks (members at the end of the period), rates and averages: their
    status compares the value with the whole target, not with the target pro-rated to the elapsed year.
    """

    def decorator(func: Callable[[Period], Result]) -> Callable[[Period], Result]:
        if key in _registry and _registry[key].func is not func:
            raise ValueError(f"computation {key!r} is registered twice")
        _registry[key] = Computation(key, func, str(mission), unit, label, definition, expects, cumulative)
        return func

    return decorator


def unregister(key: str) -> None:
    """Remove a computation (tests register throw-away ones)."""
    _registry.pop(key, None)


def selector(app: str, name: str) -> Callable[..., Any]:
    """The function ``name`` of ``grappe.<app>.selectors``, or ``SelectorMissing`` if not built yet.

    Only a missing module or a missing attribute counts as "not built"; a selectors module that
    exists but fails to import is a bug and propagates (the indicator is then "error").
    """
    module_name = f"grappe.{app}.selectors"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name in (module_name, f"grappe.{app}"):
            raise SelectorMissing(_("Le module %(module)s n'existe pas encore.") % {"module": module_name}) from exc
        raise
    try:
        return getattr(module, name)
    except AttributeError as exc:
        raise SelectorMissing(
            _("Le sélecteur %(module)s.%(name)s n'existe pas encore.") % {"module": module_name, "name": name}
        ) from exc


def count(records: QuerySet | Iterable | None) -> int:
    if records is None:
        return 0
    if isinstance(records, QuerySet):
        return records.count()
    return len(records) if hasattr(records, "__len__") else len(list(records))


def as_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def share(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """A percentage rounded to one decimal; None when the denominator is zero (undefined, not 0 %)."""
    if not denominator:
        return None
    return (Decimal(100) * Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def counted(records: QuerySet | list, note: Any = "", breakdown: list[Breakdown] | None = None) -> Result:
    """A count indicator: the number is the number of records."""
    return Result(Decimal(count(records)), records, note, breakdown or [])


def adapt(obj: Any) -> Result:
    """Turn what another app's selector returned into a ``Result``.

    Accepted: a QuerySet or list (the number is their count), a number (no drill-down), a dict or
    object with ``value`` / ``records`` / ``note``, or None ("no data").
    """
    if obj is None:
        return Result(None, note=_("Le sélecteur n'a pas de données pour cette période."))
    if isinstance(obj, Result):
        return obj
    if isinstance(obj, (int, float, Decimal)) and not isinstance(obj, bool):
        return Result(as_decimal(obj), None, _("Nombre fourni sans liste d'enregistrements."))
    if isinstance(obj, (QuerySet, list, tuple)):
        return counted(obj if not isinstance(obj, tuple) else list(obj))
    if isinstance(obj, dict) or hasattr(obj, "value"):

        def get(name: str) -> Any:
            return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)

        records = next((r for r in (get("records"), get("queryset"), get("items")) if r is not None), None)
        value = get("value")
        # An explicit "value": None is "no data" (e.g. a rate with nothing decided), never the record count.
        said_none = value is None and ("value" in obj if isinstance(obj, dict) else hasattr(obj, "value"))
        if value is None and not said_none and records is not None:
            value = count(records)
        return Result(
            as_decimal(value),
            records,
            get("note") or "",
            numerator=as_decimal(get("numerator")),
            denominator=as_decimal(get("denominator")),
        )
    raise TypeError(f"cannot read a {type(obj).__name__} as an indicator result")


def breakdown_by(
    records: Iterable[Any], key: Callable[[Any], tuple[str, Any]], record: Callable[[Any], Any] | None = None
) -> list[Breakdown]:
    """Count records per ``key(record) -> (code, label)``, sorted by decreasing count then code.

    Each line keeps its records (``record(item)`` when the items are not the records themselves), so
    every number of a breakdown has its own drill-down.
    """
    totals: dict[str, list[Any]] = {}
    for item in records:
        code, label = key(item)
        entry = totals.setdefault(str(code), [label, []])
        entry[1].append(record(item) if record else item)
    lines = [Breakdown(code, label, Decimal(len(items)), items) for code, (label, items) in totals.items()]
    return sorted(lines, key=lambda line: (-line.value, line.code))


def display(record: Any, attribute: str) -> tuple[str, Any]:
    """(code, label) of a choice attribute of a record or a dict (``get_<attr>_display`` when it exists)."""
    if isinstance(record, dict):
        value = record.get(attribute, "")
        return str(value), record.get(f"{attribute}_label", value)
    value = getattr(record, attribute, "")
    if hasattr(value, "code") and hasattr(value, "name"):  # a country (django-countries): its code and name
        return str(value.code or ""), str(value.name or "")
    labels = _choice_labels(type(record), attribute)
    if labels is not None:
        return str(value), labels.get(value, value)
    getter = getattr(record, f"get_{attribute}_display", None)
    return str(value), (getter() if callable(getter) else value)


_CHOICES: dict[tuple[type, str], dict[Any, Any] | None] = {}


def _choice_labels(model: type, attribute: str) -> dict[Any, Any] | None:
    """Lazy choice labels of a model field, cached: ``get_FOO_display()`` re-hashes every choice per call."""
    key = (model, attribute)
    if key not in _CHOICES:
        try:
            field = model._meta.get_field(attribute)
        except Exception:  # not a model, or not a field: fall back to get_FOO_display
            _CHOICES[key] = None
        else:
            _CHOICES[key] = dict(field.flatchoices) if field.choices else None
    return _CHOICES[key]


@dataclass
class Evaluation:
    """The outcome of running one computation for one period, as reports and dashboards show it."""

    key: str
    period: Period
    state: str  # "ok", "no_data" or "error"
    value: Decimal | None = None
    result: Result | None = None
    note: str = ""
    error: str = ""

    @property
    def records(self) -> QuerySet | list | None:
        return self.result.records if self.result else None

    @property
    def breakdown(self) -> list[Breakdown]:
        return self.result.breakdown if self.result else []


def evaluate(key: str, period: Period) -> Evaluation:
    """Run the computation ``key`` for ``period``; never raises."""
    from grappe.objectives.computations import registry

    computation = registry().get(key)
    if computation is None:
        return Evaluation(
            key, period, "error", error=str(_("Aucun calcul n'est enregistré sous le nom « %(key)s ».") % {"key": key})
        )
    if not period.started:
        return Evaluation(key, period, "no_data", note=str(_("La période n'a pas encore commencé à la date d'arrêt.")))
    try:
        result = computation.func(period)
    except SelectorMissing as exc:
        return Evaluation(key, period, "no_data", note=str(exc))
    except Exception as exc:  # a failing computation marks this indicator, never the whole report
        logger.exception("indicator computation %s failed for %s", key, period.label)
        return Evaluation(key, period, "error", error=f"{type(exc).__name__}: {exc}")
    if result.value is None:
        return Evaluation(key, period, "no_data", result=result, note=str(result.note or ""))
    return Evaluation(key, period, "ok", value=result.value, result=result, note=str(result.note or ""))


def from_selector(app: str, name: str, period: Period, *, by: str | None = None) -> Result:
    """Call ``grappe.<app>.selectors.<name>(start=, end=)`` and read its answer as a ``Result``.

    ``by`` names a choice attribute of the records to break the number down by (kind, language...).
    """
    function = selector(app, name)
    result = adapt(function(start=period.start, end=period.effective_end))
    if by and result.records is not None and not result.breakdown:
        lines = breakdown_by(result.records, lambda record: display(record, by))
        # Records without that attribute give one line with an empty code: no breakdown rather than a fake one.
        result.breakdown = [] if all(line.code == "" for line in lines) else lines
    return result


def values_of(records: Iterable[Any], attribute: str) -> list[Decimal]:
    """The non-empty values of ``attribute`` (object attribute or dict key) of the records."""
    values = []
    for record in records:
        value = record.get(attribute) if isinstance(record, dict) else getattr(record, attribute, None)
        if value is not None and value != "":
            values.append(as_decimal(value))
    return values
