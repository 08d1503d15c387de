"""Engagement of member organisations over the last 12 months: a transparent score out of 100.

Each kind of activity earns points per occurrence, up to a cap, so no single habit dominates:

| activity (12 months up to ``as_of``)                   | points each | cap |
| ------------------------------------------------------ | ----------- | --- |
| events attended (distinct events, someone present)     | 5           | 25  |
| B2B meetings held                                      | 5           | 15  |
| collaborations running (active or completed)           | 10          | 20  |
| interactions with the cluster team                     | 3           | 15  |
| introductions (as either side)                         | 5           | 15  |
| watch bulletins received by its people (while there)   | 1           | 10  |

Events, B2B meetings and bulletins are read through the events and watch selectors; an app that is
absent counts zero (its line says so). Opening of bulletins is not tracked by the watch app, so only
bulletins received count. ``include_internal=False`` leaves out rows flagged internal (what a member
user is shown); the strategic dashboard counts everything.
"""

import datetime as dt
import importlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.ecosystem import selectors as eco_selectors
from grappe.ecosystem.models import Affiliation, Membership, Organisation

WINDOW_DAYS = 365

# code: (label, points per occurrence, cap)
RULES: dict[str, tuple[Any, int, int]] = {
    "events": (_("événements suivis"), 5, 25),
    "meetings": (_("rendez-vous B2B tenus"), 5, 15),
    "collaborations": (_("collaborations en cours"), 10, 20),
    "interactions": (_("échanges avec l'équipe"), 3, 15),
    "introductions": (_("mises en relation"), 5, 15),
    "bulletins": (_("bulletins de veille reçus"), 1, 10),
}


@dataclass
class Part:
    code: str
    label: Any
    count: int
    points_each: int
    cap: int
    available: bool = True

    @property
    def points(self) -> int:
        return min(self.count * self.points_each, self.cap)


@dataclass
class Score:
    organisation_id: int
    start: dt.date
    end: dt.date
    parts: list[Part] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(p.points for p in self.parts)

    @property
    def activity(self) -> int:
        """Number of recorded activities, whatever their points."""
        return sum(p.count for p in self.parts)


@dataclass
class Risk:
    organisation: Organisation
    reasons: list[Any]
    score: Score
    fee_paid_until: dt.date | None


# The reasons of a Risk; readers (the strategic dashboard) compare with these objects, never with text.
NO_ACTIVITY = _("aucune activité en 12 mois")
FEE_UNPAID = _("cotisation impayée")


def window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return as_of - dt.timedelta(days=WINDOW_DAYS - 1), as_of


def _optional(app: str) -> Any:
    """Another app's selectors module, or None when that app is not built."""
    try:
        return importlib.import_module(f"grappe.{app}.selectors")
    except ModuleNotFoundError:
        return None


def while_affiliated(periods: list[tuple[dt.date | None, dt.date | None]], day: dt.date) -> bool:
    """True when ``day`` falls within one of the periods (open ends allowed).

    A bulletin sent to someone before they joined or after they left is not the organisation's, and is
    none of its members' business.
    """
    return any((begin is None or begin <= day) and (finish is None or day <= finish) for begin, finish in periods)


def _counts(org_ids: set[int], start: dt.date, end: dt.date, *, include_internal: bool) -> dict[str, Any]:
    from grappe.partnerships.models import Collaboration, Interaction, Introduction, Partner

    counts: dict[str, Counter] = {code: Counter() for code in RULES}
    available = {code: True for code in RULES}

    events = _optional("events")
    if events is not None and hasattr(events, "participants") and hasattr(events, "b2b_meetings_held"):
        rows = (
            events.participants(start, end)
            .filter(organisation_id__in=org_ids)
            .values_list("organisation_id", "event_id")
            .distinct()
        )
        for org, _event in rows:
            counts["events"][org] += 1
        held = events.b2b_meetings_held(start, end).values_list(
            "participant_a__organisation_id", "participant_b__organisation_id"
        )
        for a, b in held:
            for org in {a, b}:
                if org in org_ids:
                    counts["meetings"][org] += 1
    else:
        available["events"] = available["meetings"] = False

    watch = _optional("watch")
    if watch is not None and hasattr(watch, "bulletins_sent"):
        # A bulletin counts for the organisations the person worked for on the day it was sent.
        people: dict[int, list[tuple[int, dt.date | None, dt.date | None]]] = defaultdict(list)
        affiliations = (
            Affiliation.objects.filter(organisation_id__in=org_ids)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .filter(Q(start_date__isnull=True) | Q(start_date__lte=end))
        )
        for person, org, begin, finish in affiliations.values_list(
            "person_id", "organisation_id", "start_date", "end_date"
        ):
            people[person].append((org, begin, finish))
        sent = watch.bulletins_sent(start, end).queryset.filter(person_id__in=list(people))
        for person, moment in sent.values_list("person_id", "sent_at").iterator(chunk_size=2000):
            day = timezone.localdate(moment)
            for org in {org for org, begin, finish in people[person] if while_affiliated([(begin, finish)], day)}:
                counts["bulletins"][org] += 1
    else:
        available["bulletins"] = False

    partners = Partner.objects.filter(
        organisation_id__in=org_ids,
        collaboration__status__in=Collaboration.STARTED_STATUSES,
        collaboration__start_date__lte=end,
    ).filter(Q(collaboration__end_date__isnull=True) | Q(collaboration__end_date__gte=start))
    interactions = Interaction.objects.filter(organisation_id__in=org_ids, date__gte=start, date__lte=end)
    intros = Introduction.objects.filter(introduced_on__gte=start, introduced_on__lte=end).filter(
        Q(organisation_a_id__in=org_ids) | Q(organisation_b_id__in=org_ids)
    )
    if not include_internal:
        partners = partners.exclude(collaboration__is_internal=True)
        interactions = interactions.exclude(is_internal=True)
        intros = intros.exclude(is_internal=True)
    counts["collaborations"].update(partners.values_list("organisation_id", flat=True))
    counts["interactions"].update(interactions.values_list("organisation_id", flat=True))
    for a, b in intros.values_list("organisation_a_id", "organisation_b_id"):
        for org in {a, b} & org_ids:
            counts["introductions"][org] += 1
    return {"counts": counts, "available": available}


def _scores(org_ids: set[int], as_of: dt.date, *, include_internal: bool) -> dict[int, Score]:
    start, end = window(as_of)
    data = _counts(org_ids, start, end, include_internal=include_internal)
    scores = {}
    for org in org_ids:
        parts = [
            Part(code, label, data["counts"][code][org], each, cap, data["available"][code])
            for code, (label, each, cap) in RULES.items()
        ]
        scores[org] = Score(org, start, end, parts)
    return scores


def engagement_scores(as_of: dt.date, *, include_internal: bool = True) -> dict[int, Score]:
    """The score of every organisation that is a member on ``as_of``, by organisation id."""
    return _scores(eco_selectors.member_ids_on(as_of), as_of, include_internal=include_internal)


def engagement_for(organisation_id: int, as_of: dt.date, *, include_internal: bool = True) -> Score:
    return _scores({organisation_id}, as_of, include_internal=include_internal)[organisation_id]


def members_at_risk(as_of: dt.date) -> list[Risk]:
    """Members on ``as_of`` with no recorded activity in 12 months, or whose fee is paid only until a past date."""
    scores = engagement_scores(as_of)
    memberships = {
        m.organisation_id: m
        for m in Membership.objects.filter(
            organisation_id__in=list(scores),
            status__in=Membership.COUNTING_STATUSES,
            start_date__lte=as_of,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .order_by("start_date")
    }
    organisations = Organisation.objects.in_bulk(list(scores))
    risks = []
    for org_id, score in scores.items():
        reasons: list[Any] = []
        if score.activity == 0:
            reasons.append(NO_ACTIVITY)
        membership = memberships.get(org_id)
        paid_until = membership.fee_paid_until if membership else None
        if paid_until is not None and paid_until < as_of:
            reasons.append(FEE_UNPAID)
        if reasons:
            risks.append(Risk(organisations[org_id], reasons, score, paid_until))
    risks.sort(key=lambda r: (-len(r.reasons), r.score.total, r.organisation.name))
    return risks
