"""Matchmaking instances: parsing and validation of the JSON format.

The format (issue 6)::

    {"slots": [{"id", "start", "end"}], "tables": int,
     "participants": [{"id", "available": [slot ids], "max_meetings": int|null}],
     "meetings": [{"id", "participants": [id, id], "weight": number (default 1),
                   "locked": {"slot", "table"}|null}]}

Ids are opaque strings or integers (``1`` and ``"1"`` are different ids). Slots are ordered
chronologically by ``start``; ``start``/``end`` are ISO 8601 date-times, ISO times (``"09:30"``)
or numbers (e.g. minutes), the same kind for every slot. A lock may leave ``table`` null: the
slot is then fixed and the scheduler picks the table.

Everything wrong with an instance is collected (not only the first problem) and raised as one
:class:`InstanceError` whose ``problems`` each carry a stable ``code``, a French message (the
source language, translated through gettext when Django is configured) and the culprit ids.
Valid-but-unschedulable data (a meeting nobody has room for) is *not* an error: the scheduler
reports it as unscheduled.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

Id = str | int

MAX_WEIGHT = 1_000_000


def _(message: str) -> str:
    """gettext when Django is set up, the French msgid otherwise (the module stays standalone)."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except Exception:
        pass
    return message


def quote_ids(ids: list[Any]) -> str:
    """« a », « b »: ids as they appear in messages."""
    return ", ".join(f"« {i} »" for i in ids)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an instance: a stable code, a message, the ids involved."""

    code: str
    message: str
    culprits: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.culprits}


class InstanceError(ValueError):
    """The instance is malformed; ``problems`` lists every culprit found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))

    def as_dict(self) -> dict[str, Any]:
        return {"error": "invalid_instance", "problems": [p.as_dict() for p in self.problems]}


@dataclass(frozen=True)
class Slot:
    id: Id
    index: int  # chronological position
    start: Any
    end: Any


@dataclass(frozen=True)
class Participant:
    id: Id
    index: int
    available: tuple[int, ...]  # sorted slot indices
    max_meetings: int | None


@dataclass(frozen=True)
class Meeting:
    id: Id
    index: int
    a: int  # participant indices
    b: int
    weight: int | float
    options: tuple[int, ...]  # slots where both sides are available (just the locked slot if locked)
    lock_slot: int | None = None
    lock_table: int | None = None

    @property
    def locked(self) -> bool:
        return self.lock_slot is not None


@dataclass
class Instance:
    """A validated instance, with everything indexed by position for the solvers."""

    slots: list[Slot]
    tables: int
    participants: list[Participant]
    meetings: list[Meeting]
    meetings_of: list[list[int]] = field(default_factory=list)  # participant index -> meeting indices

    def __post_init__(self) -> None:
        if not self.meetings_of:
            self.meetings_of = [[] for _p in self.participants]
            for m in self.meetings:
                self.meetings_of[m.a].append(m.index)
                self.meetings_of[m.b].append(m.index)
        self.slot_index = {s.id: s.index for s in self.slots}
        self.meeting_index = {m.id: m.index for m in self.meetings}
        self.participant_index = {p.id: p.index for p in self.participants}

    @property
    def integral_weights(self) -> bool:
        return all(float(m.weight).is_integer() for m in self.meetings)


def _is_id(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _time_key(value: Any) -> tuple[str, Any] | None:
    """A comparable key for a slot bound, tagged with its kind (None if unreadable)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return ("number", float(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            try:
                t = dt.time.fromisoformat(value)
            except ValueError:
                return None
            return ("time", t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6)
        if moment.tzinfo is None:
            return ("naive date-time", moment)
        return ("aware date-time", moment.timestamp())
    return None


def load_json(text: str | bytes) -> Any:
    """json.loads that turns a syntax error into an InstanceError naming line and column."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = {"line": exc.lineno, "column": exc.colno} if isinstance(exc, json.JSONDecodeError) else {}
        message = _("JSON illisible : %(error)s") % {"error": str(exc)}
        raise InstanceError([Problem("bad_json", message, where)]) from exc


def parse_instance(data: Any) -> Instance:
    """Validate ``data`` (a dict, or JSON text) and return an :class:`Instance`.

    Raises :class:`InstanceError` listing every problem found.
    """
    if isinstance(data, str | bytes):
        data = load_json(data)
    if isinstance(data, Instance):
        return data
    problems: list[Problem] = []

    def bad(code: str, message: str, params: dict[str, Any] | None = None, **culprits: Any) -> None:
        problems.append(Problem(code, message % (params or {}), culprits))

    if not isinstance(data, Mapping):
        bad("bad_instance", _("L'instance doit être un objet JSON avec slots, tables, participants et meetings."))
        raise InstanceError(problems)
    for key in ("slots", "tables", "participants", "meetings"):
        if key not in data:
            bad("missing_field", _("Champ obligatoire manquant : « %(field)s »."), {"field": key}, field=key)
    for key in ("slots", "participants", "meetings"):
        if key in data and not isinstance(data[key], list):
            bad("bad_field", _("« %(field)s » doit être une liste."), {"field": key}, field=key)
    tables = data.get("tables")
    if "tables" in data and (not isinstance(tables, int) or isinstance(tables, bool) or tables < 1):
        bad("bad_tables", _("« tables » doit être un entier positif (reçu : %(value)s)."), {"value": tables})
        tables = None
    if problems:
        raise InstanceError(problems)

    # --- slots
    raw_slots: list[tuple[Id, tuple[str, Any], tuple[str, Any], Any, Any]] = []
    seen_slots: set[Id] = set()
    for position, raw in enumerate(data["slots"]):
        if not isinstance(raw, Mapping) or not _is_id(raw.get("id")):
            bad(
                "bad_slot",
                _("Créneau n° %(n)s : il faut un objet avec un « id » texte ou entier."),
                {"n": position + 1},
                position=position,
            )
            continue
        sid = raw["id"]
        if sid in seen_slots:
            bad("duplicate_slot", _("Identifiant de créneau en double : « %(id)s »."), {"id": sid}, slot=sid)
            continue
        seen_slots.add(sid)
        start, end = _time_key(raw.get("start")), _time_key(raw.get("end"))
        if start is None or end is None:
            bad(
                "bad_slot_time",
                _(
                    "Créneau « %(id)s » : « start » et « end » doivent être des dates-heures ISO 8601, "
                    "des heures ou des nombres."
                ),
                {"id": sid},
                slot=sid,
            )
            continue
        if start[0] != end[0] or start[1] >= end[1]:
            bad("bad_slot_time", _("Créneau « %(id)s » : « end » doit suivre « start »."), {"id": sid}, slot=sid)
            continue
        raw_slots.append((sid, start, end, raw.get("start"), raw.get("end")))
    kinds = {start[0] for _sid, start, _e, _rs, _re in raw_slots}
    if len(kinds) > 1:
        bad(
            "mixed_slot_times",
            _("Les créneaux mélangent des formats d'heure (%(kinds)s)."),
            {"kinds": ", ".join(sorted(kinds))},
            kinds=sorted(kinds),
        )
        raise InstanceError(problems)
    raw_slots.sort(key=lambda r: r[1][1])
    for before, after in pairwise(raw_slots):
        if after[1][1] < before[2][1]:
            bad(
                "overlapping_slots",
                _("Les créneaux « %(a)s » et « %(b)s » se chevauchent."),
                {"a": before[0], "b": after[0]},
                slots=[before[0], after[0]],
            )
    slots = [Slot(sid, i, rs, re) for i, (sid, _s, _e, rs, re) in enumerate(raw_slots)]
    slot_index = {s.id: s.index for s in slots}

    # --- participants
    participants: list[Participant] = []
    seen_participants: set[Id] = set()
    for position, raw in enumerate(data["participants"]):
        if not isinstance(raw, Mapping) or not _is_id(raw.get("id")):
            bad(
                "bad_participant",
                _("Participant n° %(n)s : il faut un objet avec un « id » texte ou entier."),
                {"n": position + 1},
                position=position,
            )
            continue
        pid = raw["id"]
        if pid in seen_participants:
            bad(
                "duplicate_participant",
                _("Identifiant de participant en double : « %(id)s »."),
                {"id": pid},
                participant=pid,
            )
            continue
        seen_participants.add(pid)
        available = raw.get("available")
        if not isinstance(available, list):
            bad(
                "bad_availability",
                _("Participant « %(id)s » : « available » doit être une liste d'identifiants de créneaux."),
                {"id": pid},
                participant=pid,
            )
            available = []
        unknown = [s for s in available if not _is_id(s) or s not in slot_index]
        if unknown:
            bad(
                "unknown_slot",
                _("Participant « %(id)s » : créneaux inconnus %(slots)s."),
                {"id": pid, "slots": quote_ids(unknown)},
                participant=pid,
                slots=unknown,
            )
        cap = raw.get("max_meetings")
        if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 0):
            bad(
                "bad_max_meetings",
                _("Participant « %(id)s » : « max_meetings » doit être un entier positif ou nul, ou null."),
                {"id": pid},
                participant=pid,
            )
            cap = None
        indices = sorted({slot_index[s] for s in available if _is_id(s) and s in slot_index})
        participants.append(Participant(pid, len(participants), tuple(indices), cap))
    participant_index = {p.id: p.index for p in participants}

    # --- meetings
    meetings: list[Meeting] = []
    meeting_ids: set[Id] = set()
    for position, raw in enumerate(data["meetings"]):
        if not isinstance(raw, Mapping) or not _is_id(raw.get("id")):
            bad(
                "bad_meeting",
                _("Rendez-vous n° %(n)s : il faut un objet avec un « id » texte ou entier."),
                {"n": position + 1},
                position=position,
            )
            continue
        mid = raw["id"]
        if mid in meeting_ids:
            bad("duplicate_meeting", _("Identifiant de rendez-vous en double : « %(id)s »."), {"id": mid}, meeting=mid)
            continue
        meeting_ids.add(mid)
        pair = raw.get("participants")
        if not isinstance(pair, list) or len(pair) != 2 or not all(_is_id(p) for p in pair):
            bad(
                "bad_meeting_participants",
                _("Rendez-vous « %(id)s » : « participants » doit lister exactement deux identifiants."),
                {"id": mid},
                meeting=mid,
            )
            continue
        unknown = [p for p in pair if p not in participant_index]
        if unknown:
            bad(
                "unknown_participant",
                _("Rendez-vous « %(id)s » : participants inconnus %(who)s."),
                {"id": mid, "who": quote_ids(unknown)},
                meeting=mid,
                participants=unknown,
            )
            continue
        if pair[0] == pair[1]:
            bad(
                "same_participant_twice",
                _("Rendez-vous « %(id)s » : le participant « %(who)s » ne peut pas se rencontrer lui-même."),
                {"id": mid, "who": pair[0]},
                meeting=mid,
                participants=pair,
            )
        weight = raw.get("weight", 1)
        if weight is None:
            weight = 1
        if (
            not isinstance(weight, int | float)
            or isinstance(weight, bool)
            or not math.isfinite(weight)
            or weight < 0
            or weight > MAX_WEIGHT
        ):
            bad(
                "bad_weight",
                _("Rendez-vous « %(id)s » : le poids doit être un nombre entre 0 et %(max)s (reçu : %(value)s)."),
                {"id": mid, "max": MAX_WEIGHT, "value": weight},
                meeting=mid,
            )
            continue
        if pair[0] == pair[1]:
            continue
        if isinstance(weight, float) and weight.is_integer():
            weight = int(weight)
        a, b = participant_index[pair[0]], participant_index[pair[1]]
        common = tuple(sorted(set(participants[a].available) & set(participants[b].available)))
        lock = raw.get("locked")
        lock_slot = lock_table = None
        if lock is not None:
            if not isinstance(lock, Mapping) or "slot" not in lock:
                bad(
                    "bad_lock",
                    _("Rendez-vous « %(id)s » : « locked » doit être null ou un objet {slot, table}."),
                    {"id": mid},
                    meeting=mid,
                )
                continue
            if not _is_id(lock["slot"]) or lock["slot"] not in slot_index:
                bad(
                    "unknown_slot",
                    _("Rendez-vous « %(id)s » : verrouillé sur un créneau inconnu « %(slot)s »."),
                    {"id": mid, "slot": lock["slot"]},
                    meeting=mid,
                    slot=lock["slot"],
                )
                continue
            table = lock.get("table")
            if table is not None and (
                not isinstance(table, int) or isinstance(table, bool) or not 1 <= table <= (tables or 0)
            ):
                bad(
                    "bad_lock_table",
                    _("Rendez-vous « %(id)s » : la table %(table)s n'existe pas (tables 1 à %(tables)s)."),
                    {"id": mid, "table": table, "tables": tables},
                    meeting=mid,
                    table=table,
                )
                continue
            lock_slot, lock_table = slot_index[lock["slot"]], table
            absent = [participants[p].id for p in (a, b) if lock_slot not in participants[p].available]
            if absent:
                bad(
                    "lock_unavailable",
                    _("Rendez-vous « %(id)s » : verrouillé sur le créneau « %(slot)s », où %(who)s est absent."),
                    {"id": mid, "slot": lock["slot"], "who": quote_ids(absent)},
                    meeting=mid,
                    slot=lock["slot"],
                    participants=absent,
                )
                continue
            common = (lock_slot,)
        elif not common:
            bad(
                "no_common_slot",
                _("Rendez-vous « %(id)s » : « %(a)s » et « %(b)s » n'ont aucun créneau disponible en commun."),
                {"id": mid, "a": pair[0], "b": pair[1]},
                meeting=mid,
                participants=list(pair),
            )
            continue
        meetings.append(Meeting(mid, len(meetings), a, b, weight, common, lock_slot, lock_table))

    # --- locks against each other
    locked_in_slot: dict[int, list[Meeting]] = defaultdict(list)
    for m in meetings:
        if m.locked:
            locked_in_slot[m.lock_slot].append(m)
    for s, group in sorted(locked_in_slot.items()):
        sid = slots[s].id
        if len(group) > (tables or 0):
            bad(
                "too_many_locks",
                _("Créneau « %(slot)s » : %(n)s rendez-vous verrouillés pour %(tables)s tables."),
                {"slot": sid, "n": len(group), "tables": tables},
                slot=sid,
                meetings=[m.id for m in group],
            )
        by_table: dict[int, list[Id]] = defaultdict(list)
        by_person: dict[int, list[Id]] = defaultdict(list)
        for m in group:
            if m.lock_table is not None:
                by_table[m.lock_table].append(m.id)
            by_person[m.a].append(m.id)
            by_person[m.b].append(m.id)
        for table, ids in sorted(by_table.items()):
            if len(ids) > 1:
                bad(
                    "lock_table_clash",
                    _("Créneau « %(slot)s », table %(table)s : plusieurs rendez-vous verrouillés (%(ids)s)."),
                    {"slot": sid, "table": table, "ids": quote_ids(ids)},
                    slot=sid,
                    table=table,
                    meetings=ids,
                )
        for p, ids in sorted(by_person.items()):
            if len(ids) > 1:
                who = participants[p].id
                bad(
                    "lock_person_clash",
                    _("Créneau « %(slot)s » : « %(who)s » a plusieurs rendez-vous verrouillés (%(ids)s)."),
                    {"slot": sid, "who": who, "ids": quote_ids(ids)},
                    slot=sid,
                    participant=who,
                    meetings=ids,
                )
    if problems:
        raise InstanceError(problems)
    return Instance(slots=slots, tables=int(tables), participants=participants, meetings=meetings)


def lock_infeasibility(instance: Instance) -> list[Problem]:
    """Reasons why no schedule exists at all (empty if one does).

    Once the locks are valid against availability, tables and each other (checked by
    :func:`parse_instance`), placing only the locked meetings is a valid schedule unless some
    participant has more locked meetings than their ``max_meetings``; that is the only way an
    instance can be infeasible.
    """
    reasons = []
    for p in instance.participants:
        if p.max_meetings is None:
            continue
        locked = [instance.meetings[m].id for m in instance.meetings_of[p.index] if instance.meetings[m].locked]
        if len(locked) > p.max_meetings:
            reasons.append(
                Problem(
                    "locks_exceed_max_meetings",
                    _("« %(who)s » a %(n)s rendez-vous verrouillés mais au plus %(cap)s rendez-vous.")
                    % {"who": p.id, "n": len(locked), "cap": p.max_meetings},
                    {"participant": p.id, "meetings": locked},
                )
            )
    return reasons
