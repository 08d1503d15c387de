"""The changes feed: what an update extract changed for the cluster.

The update importer takes a ``Snapshot`` of the enterprises it touches that matter to the cluster
(linked to an organisation by number) before applying the extract, and another one after the
inserts but before leaving enterprises are purged (so a seat that moved out of the territory is
still visible). ``ChangeFeed.record`` then writes ``RegisterChange`` rows in the import's
transaction: new / closed / moved establishments, moved seat, name change, stopped enterprise for
linked organisations (members or not, as of the snapshot date), and the enterprises entering the
universe whose main activities fall inside the value-chain NACE perimeter.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from grappe.referential.loaders import is_walloon_postal_code
from grappe.register.models import Activity, Address, Denomination, Enterprise, Establishment, ImportRun, RegisterChange
from grappe.register.numbers import format_entity_number


def _chunks(values: list[int], size: int = 900) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def name_rank(kind: str, language: str) -> int:
    from grappe.register.importer import name_rank as rank  # one ranking for the importer and the feed

    return rank(kind, language)


@dataclass
class State:
    """What the feed compares for one enterprise."""

    status: str = ""
    name: str = ""
    seat: dict[str, str] | None = None
    establishments: dict[int, dict[str, str]] = field(default_factory=dict)
    main_activities: set[tuple[int, str]] = field(default_factory=set)
    start_date: dt.date | None = None


def _place(address: Address) -> dict[str, str]:
    return {
        "zipcode": address.zipcode,
        "municipality": address.municipality_fr or address.municipality_nl,
        "street": " ".join(p for p in (address.street_fr or address.street_nl, address.house_number) if p),
        "country": address.country_fr or address.country_nl,
    }


def snapshot(numbers: Iterable[int]) -> dict[int, State]:
    """The compared state of each existing enterprise among ``numbers`` (a few queries per 900)."""
    states: dict[int, State] = {}
    for chunk in _chunks(sorted(set(numbers))):
        for number, status, start in Enterprise.objects.filter(number__in=chunk).values_list(
            "number", "status", "start_date"
        ):
            states[number] = State(status=status, start_date=start)
        ranks: dict[int, int] = {}
        for entity, language, kind, value in Denomination.objects.filter(entity_number__in=chunk).values_list(
            "entity_number", "language", "type", "value"
        ):
            if entity in states and (entity not in ranks or name_rank(kind, language) < ranks[entity]):
                ranks[entity] = name_rank(kind, language)
                states[entity].name = value
        establishments = dict(
            Establishment.objects.filter(enterprise_id__in=chunk).values_list("number", "enterprise_id")
        )
        for establishment, enterprise in establishments.items():
            if enterprise in states:
                states[enterprise].establishments[establishment] = {}
        addresses = Address.objects.filter(
            enterprise_id__in=chunk,
            struck_off_on__isnull=True,
            type__in=[Address.Type.SEAT, Address.Type.ESTABLISHMENT],
        )
        for address in addresses:
            state = states.get(address.enterprise_id)
            if state is None:
                continue
            if address.type == Address.Type.SEAT and address.entity_number == address.enterprise_id:
                state.seat = _place(address)
            elif address.entity_number in state.establishments:
                state.establishments[address.entity_number] = _place(address)
        for enterprise, version, code in Activity.objects.filter(
            enterprise_id__in=chunk, classification=Activity.Classification.MAIN
        ).values_list("enterprise_id", "nace_version", "nace_code"):
            if enterprise in states:
                states[enterprise].main_activities.add((version, code))
    return states


def perimeter_prefixes() -> dict[int, set[str]]:
    """The value-chain NACE perimeter: the union of the segments' codes, per NACE version."""
    from grappe.referential.models import NaceCode

    prefixes: dict[int, set[str]] = {}
    for version, code in NaceCode.objects.filter(segments__isnull=False).values_list("version", "code").distinct():
        prefixes.setdefault(int(version), set()).add(code)
    return prefixes


def in_perimeter(activities: Iterable[tuple[int, str]], prefixes: dict[int, set[str]]) -> list[str]:
    """The activity codes under a perimeter code of the same NACE version (``43.9`` covers ``43910``, ``4399001``)."""
    found = []
    for version, code in sorted(activities):
        if any(code.startswith(prefix) for prefix in prefixes.get(version, ())):
            found.append(f"{version}:{code}")
    return found


def _leaves_region(place: dict[str, str] | None) -> bool:
    return bool(place) and (bool(place["country"]) or not is_walloon_postal_code(place["zipcode"]))


class ChangeFeed:
    """Collects the before/after states of one update import and writes its ``RegisterChange`` rows."""

    def __init__(self, touched: set[int]) -> None:
        from grappe.ecosystem.models import Organisation

        keys = [f"{number:010d}" for number in touched]
        self.linked: dict[int, int] = {}
        for start in range(0, len(keys), 900):
            for org_id, number in Organisation.objects.filter(
                enterprise_number__in=keys[start : start + 900]
            ).values_list("pk", "enterprise_number"):
                self.linked[int(number)] = org_id
        self.before = snapshot(self.linked)
        self.after: dict[int, State] = {}
        self.entering: set[int] = set()
        self.stopped: set[int] = set()

    def observe(self, *, entering: set[int], stopped: set[int]) -> None:
        """Called after the inserts, before enterprises leaving the territory are purged."""
        self.entering = set(entering)
        self.stopped = set(stopped)
        self.after = snapshot(set(self.linked) | self.entering)

    def changes(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []

        def add(number: int, kind: str, details: dict[str, Any], *, name: str, leaves: bool = False) -> None:
            rows.append(
                {"enterprise_number": number, "kind": kind, "details": details, "name": name, "leaves_region": leaves}
            )

        for number in sorted(self.linked):
            old, new = self.before.get(number), self.after.get(number)
            if old is None:
                continue  # not in the universe before: nothing to compare
            name = (new.name if new else "") or old.name
            if new is None or number in self.stopped or (new.status != old.status and new.status != "AC"):
                add(number, RegisterChange.Kind.STOPPED, {"status": new.status if new else ""}, name=name)
                continue
            if (
                old.seat
                and new.seat
                and (old.seat["zipcode"], old.seat["country"])
                != (
                    new.seat["zipcode"],
                    new.seat["country"],
                )
            ):
                leaves = _leaves_region(new.seat) and not _leaves_region(old.seat)
                add(
                    number, RegisterChange.Kind.SEAT_MOVED, {"from": old.seat, "to": new.seat}, name=name, leaves=leaves
                )
            if old.name and new.name and old.name != new.name:
                add(number, RegisterChange.Kind.NAME_CHANGED, {"from": old.name, "to": new.name}, name=name)
            for est in sorted(new.establishments.keys() - old.establishments.keys()):
                add(
                    number,
                    RegisterChange.Kind.NEW_ESTABLISHMENT,
                    {"establishment": format_entity_number(est), "place": new.establishments[est]},
                    name=name,
                )
            for est in sorted(old.establishments.keys() - new.establishments.keys()):
                add(
                    number,
                    RegisterChange.Kind.CLOSED_ESTABLISHMENT,
                    {"establishment": format_entity_number(est), "place": old.establishments[est]},
                    name=name,
                )
            for est in sorted(old.establishments.keys() & new.establishments.keys()):
                before, after = old.establishments[est], new.establishments[est]
                if before and after and before["zipcode"] != after["zipcode"]:
                    add(
                        number,
                        RegisterChange.Kind.ESTABLISHMENT_MOVED,
                        {"establishment": format_entity_number(est), "from": before, "to": after},
                        name=name,
                        leaves=_leaves_region(after) and not _leaves_region(before),
                    )
        prefixes = perimeter_prefixes()
        for number in sorted(self.entering):
            state = self.after.get(number)
            if state is None:
                continue
            codes = in_perimeter(state.main_activities, prefixes)
            if codes:
                place = state.seat or next((p for p in state.establishments.values() if p), None)
                add(
                    number,
                    RegisterChange.Kind.NEW_IN_PERIMETER,
                    {
                        "nace": codes,
                        "start_date": state.start_date.isoformat() if state.start_date else "",
                        "place": place,
                    },
                    name=state.name,
                )
        return rows

    def record(self, run: ImportRun) -> int:
        from grappe.ecosystem.selectors import member_ids_on

        rows = self.changes()
        members = member_ids_on(run.snapshot_date or dt.date.today()) if rows else set()
        objects = []
        for row in rows:
            organisation_id = self.linked.get(row["enterprise_number"])
            objects.append(
                RegisterChange(
                    run=run,
                    extract_number=run.extract_number or 0,
                    snapshot_date=run.snapshot_date,
                    organisation_id=organisation_id,
                    was_member=organisation_id in members,
                    **row,
                )
            )
        RegisterChange.objects.bulk_create(objects)
        return len(objects)
