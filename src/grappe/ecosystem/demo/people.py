"""Invented people of the demo: their positions (with a few changes of employer), languages, interests
and consents.

People at invented companies get a professional e-mail at the company's ``.example`` domain. People
at real institutions are invented too, so they get no e-mail address: an invented name with a real
domain could be someone's real address.
"""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify

from grappe.core.audit import diff, snapshot
from grappe.core.models import AuditEntry
from grappe.core.text import fold
from grappe.ecosystem import services
from grappe.ecosystem.demo import words
from grappe.ecosystem.demo.companies import CompanyPlan
from grappe.ecosystem.demo.context import DemoContext
from grappe.ecosystem.models import Consent, Organisation, Person, Topic

Purpose = Consent.Purpose
Source = Consent.Source

CONSENT_CHANCES = {
    Purpose.NEWSLETTER: 0.7,
    Purpose.EVENTS: 0.6,
    Purpose.WATCH_DIGEST: 0.45,
    Purpose.PHOTOS: 0.35,
    Purpose.CONTACT_SHARING: 0.3,
    Purpose.PUBLIC_PROFILE: 0.25,
}
CONSENT_SOURCES = (Source.FORM, Source.EVENT, Source.EMAIL, Source.PORTAL, Source.PAPER)
CONSENT_SOURCE_WEIGHTS = (40, 25, 15, 15, 5)
WITHDRAWAL_CHANCE = 0.07
EMPLOYER_CHANGES = 22


@dataclass
class Position:
    organisation: Organisation
    function: str
    start: dt.date
    end: dt.date | None
    email: str
    primary: bool
    recorded_on: dt.date  # when staff recorded it


@dataclass
class Staffing:
    """One organisation and how many invented people work there."""

    organisation: Organisation
    plan: CompanyPlan | None  # None for real institutions
    headcount: int
    known_on: dt.date


class PeopleMaker:
    def __init__(self, rng: random.Random, ctx: DemoContext, topics: dict[str, Topic]) -> None:
        self.rng, self.ctx, self.topics = rng, ctx, topics
        self.emails: set[str] = set()

    def name(self, east: bool) -> tuple[str, str, str, list[str]]:
        """First name, last name, gender (m/f) and spoken languages."""
        rng = self.rng
        if east:
            first, gender = rng.choice(words.FIRST_NAMES_DE)
            return first, rng.choice(words.LAST_NAMES_DE), gender, ["de", "fr"] + (["en"] if rng.random() < 0.4 else [])
        if rng.random() < 0.07:
            first, gender = rng.choice(words.FIRST_NAMES_NL)
            return first, rng.choice(words.LAST_NAMES_NL), gender, ["nl", "fr"] + (["en"] if rng.random() < 0.7 else [])
        gender = "f" if rng.random() < 0.45 else "m"
        first = rng.choice(words.FIRST_NAMES_F if gender == "f" else words.FIRST_NAMES_M)
        languages = ["fr"] + (["en"] if rng.random() < 0.45 else []) + (["nl"] if rng.random() < 0.2 else [])
        return first, rng.choice(words.LAST_NAMES_FR), gender, languages

    def email(self, first: str, last: str, plan: CompanyPlan | None) -> str:
        if plan is None:
            return ""
        local = f"{slugify(fold(first))}.{slugify(fold(last))}".replace("-", "")
        candidate, n = f"{local}@{plan.domain}", 2
        while candidate in self.emails:
            candidate, n = f"{local}{n}@{plan.domain}", n + 1
        self.emails.add(candidate)
        return candidate


def _function(rng: random.Random, organisation: Organisation, head: bool, gender: str) -> str:
    if organisation.kind in (Organisation.Kind.COMPANY, Organisation.Kind.STARTUP):
        choices = words.FUNCTIONS_COMPANY_HEAD if head else words.FUNCTIONS_COMPANY
    elif organisation.kind in (Organisation.Kind.PUBLIC_BODY, Organisation.Kind.AGENCY, Organisation.Kind.INVESTOR):
        choices = words.FUNCTIONS_PUBLIC
    elif organisation.kind in (Organisation.Kind.ASSOCIATION,) and head:
        choices = (("Président", "Présidente"), ("Coordinateur", "Coordinatrice"))
    else:
        choices = words.FUNCTIONS_RESEARCH
    masculine, feminine = rng.choice(choices)
    return feminine if gender == "f" else masculine


def write_people(
    ctx: DemoContext, rng: random.Random, staffing: list[Staffing], topics: dict[str, Topic]
) -> list[Person]:
    """Create people with positions and consents; returns them in creation order."""
    maker = PeopleMaker(rng, ctx, topics)
    topic_list = [topics[slug] for slug in sorted(topics)]
    floor = ctx.history_start - dt.timedelta(days=90)  # the oldest record of the cluster's files
    yesterday = ctx.today - dt.timedelta(days=1)
    invented = [s for s in staffing if s.plan is not None and s.plan.kind in ("company", "startup")]
    people: list[Person] = []
    planned: list[tuple[tuple[str, str, str, list[str]], list[Position], list[Topic]]] = []
    for entry in staffing:
        for rank in range(entry.headcount):
            identity = maker.name(bool(entry.plan and entry.plan.east))
            first, last, gender, _languages = identity
            founded = entry.plan.founded_on if entry.plan else floor - dt.timedelta(days=3650)
            start = max(founded, ctx.today - dt.timedelta(days=rng.randint(60, 6000)))
            recorded = min(max(start, entry.known_on + dt.timedelta(days=rng.randint(0, 400)), floor), yesterday)
            position = Position(
                organisation=entry.organisation,
                function=_function(rng, entry.organisation, rank == 0, gender),
                start=start,
                end=None,
                email=maker.email(first, last, entry.plan),
                primary=rank == 0 and entry.plan is not None,
                recorded_on=recorded,
            )
            interests = rng.sample(topic_list, k=rng.randint(1, 3))
            planned.append((identity, [position], interests))
    # Who changed employer: their previous position was in another invented company.
    movers = rng.sample(
        [i for i, (_, positions, _) in enumerate(planned) if positions[0].email and not positions[0].primary],
        k=EMPLOYER_CHANGES,
    )
    for index in movers:
        current = planned[index][1][0]
        previous_org = rng.choice([s for s in invented if s.organisation != current.organisation])
        end = current.start - dt.timedelta(days=rng.randint(1, 60))
        start = max(end - dt.timedelta(days=rng.randint(400, 3000)), previous_org.plan.founded_on)
        first, last, gender, _ = planned[index][0]
        planned[index][1].insert(
            0,
            Position(
                organisation=previous_org.organisation,
                function=_function(rng, previous_org.organisation, False, gender),
                start=min(start, end),
                end=end,
                email=maker.email(first, last, previous_org.plan),
                primary=False,
                recorded_on=min(max(start, previous_org.known_on, floor), yesterday),
            ),
        )
    consents = ConsentBatch()
    for (first, last, _gender, languages), positions, interests in planned:
        people.append(_write_person(ctx, rng, consents, first, last, languages, positions, interests))
    consents.write()
    return people


class ConsentBatch:
    """Consents are the most numerous rows: they are inserted in bulk, each with the audit entries
    ``consent_record`` and ``consent_withdraw`` would have written (same action codes and changes)."""

    def __init__(self) -> None:
        self.rows: list[tuple[Consent, Any, dt.datetime | None, Any]] = []

    def add(self, ctx: DemoContext, consent: Consent, withdrawn_at: dt.datetime | None) -> None:
        self.rows.append((consent, ctx.actor(), withdrawn_at, ctx.actor() if withdrawn_at else None))

    def write(self) -> int:
        for consent, *_ in self.rows:
            consent.full_clean(exclude=["person"])
        Consent.objects.bulk_create([row[0] for row in self.rows], batch_size=500)
        content_type = ContentType.objects.get_for_model(Consent)
        entries = []
        for consent, actor, withdrawn_at, withdrawer in self.rows:
            common = {"content_type": content_type, "object_id": str(consent.pk), "object_label": str(consent)[:300]}
            entries.append(
                AuditEntry(
                    at=consent.given_at,
                    actor=actor,
                    actor_label=str(actor),
                    action="ecosystem.consent.given",
                    changes=diff({}, snapshot(consent)),
                    **common,
                )
            )
            if withdrawn_at is not None:
                entries.append(
                    AuditEntry(
                        at=withdrawn_at,
                        actor=withdrawer,
                        actor_label=str(withdrawer),
                        action="ecosystem.consent.withdrawn",
                        changes={"withdrawn_at": [None, str(withdrawn_at)]},
                        **common,
                    )
                )
        # The withdrawal itself, after the "given" entry was computed from the original row.
        withdrawn = [row[0] for row in self.rows if row[2] is not None]
        for consent, _actor, withdrawn_at, _withdrawer in self.rows:
            consent.withdrawn_at = withdrawn_at
        Consent.objects.bulk_update(withdrawn, ["withdrawn_at"], batch_size=500)
        moments = [entry.at for entry in entries]
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        # ``at`` is ``auto_now_add``: the insert stamped the current time, put the real moments back.
        for entry, moment in zip(entries, moments, strict=True):
            entry.at = moment
        AuditEntry.objects.bulk_update(entries, ["at"], batch_size=500)
        return len(self.rows)


def _write_person(
    ctx: DemoContext,
    rng: random.Random,
    consents: ConsentBatch,
    first: str,
    last: str,
    languages: list[str],
    positions: list[Position],
    interests: list[Topic],
) -> Person:
    yesterday = ctx.today - dt.timedelta(days=1)
    created_on = min(p.recorded_on for p in positions)
    with ctx.clock.at(created_on):
        person = services.person_create(
            actor=ctx.actor(), first_name=first, last_name=last, languages=languages, interests=interests
        )
    for position in positions:
        fields = {
            "function": position.function,
            "email": position.email,
            "is_primary_contact": position.primary,
            "start_date": position.start,
        }
        ended_before_recorded = position.end is not None and position.end <= position.recorded_on
        with ctx.clock.at(position.recorded_on):
            affiliation = services.affiliation_create(
                actor=ctx.actor(),
                person=person,
                organisation=position.organisation,
                end_date=position.end if ended_before_recorded else None,
                **fields,
            )
        if position.end is not None and not ended_before_recorded:
            with ctx.clock.at(position.end):
                services.affiliation_end(actor=ctx.actor(), affiliation=affiliation, end_date=position.end)
    # Draws first, dates second: the number of draws never depends on the reference day.
    for purpose, chance in CONSENT_CHANCES.items():
        given = rng.random() < chance
        delay, source = rng.randint(0, 400), rng.choices(CONSENT_SOURCES, CONSENT_SOURCE_WEIGHTS)[0]
        withdrawn, withdrawal_delay = rng.random() < WITHDRAWAL_CHANCE, rng.randint(30, 700)
        if not given:
            continue
        given_on = min(created_on + dt.timedelta(days=delay), yesterday)
        withdrawn_on = given_on + dt.timedelta(days=withdrawal_delay)
        consents.add(
            ctx,
            Consent(person=person, purpose=purpose, source=source, given_at=ctx.clock.moment(given_on)),
            ctx.clock.moment(withdrawn_on) if withdrawn and withdrawn_on < ctx.today else None,
        )
    return person
