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
from grappe.ecosystem.models import Affiliation, Consent, Organisation, Person, Topic

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
    batch = PeopleBatch(ctx)
    for (first, last, _gender, languages), positions, interests in planned:
        batch.add(rng, first, last, languages, positions, interests)
    return batch.write()


class PeopleBatch:
    """People are the most numerous rows of the demo (with their positions and consents): they are
    inserted in bulk, each with the audit entries the services would have written — same action
    codes, changes, actor and organisation — dated when the change happened.

    The rows follow the services' rules: people are normalised as ``person_create`` does, and people,
    positions and consents are validated before the insert.
    """

    def __init__(self, ctx: DemoContext) -> None:
        self.ctx = ctx
        self.people: list[tuple[Person, list[Topic], dt.datetime, Any]] = []
        self.positions: list[tuple[Affiliation, dt.datetime, Any, dt.date | None, dt.datetime | None]] = []
        self.consents: list[tuple[Consent, Any, dt.datetime | None, Any]] = []
        self.entries: list[tuple[AuditEntry, dt.datetime]] = []

    def _entry(self, at: dt.datetime, actor: Any, action: str, obj: Any, changes: dict, org_id: int | None = None):
        self.entries.append(
            (
                AuditEntry(
                    actor=actor,
                    actor_label=str(actor),
                    action=action,
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=str(obj.pk),
                    object_label=str(obj)[:300],
                    organisation_id=org_id,
                    changes=changes,
                ),
                at,
            )
        )

    def write(self) -> list[Person]:
        people = [row[0] for row in self.people]
        for person in people:
            services._prepare_person(person)  # the same normalisation (e-mail, search text) as person_create
            person.full_clean()
        Person.objects.bulk_create(people, batch_size=500)
        Through = Person.interests.through
        Through.objects.bulk_create(
            [Through(person_id=person.pk, topic_id=topic.pk) for person, topics, *_ in self.people for topic in topics],
            batch_size=1000,
        )
        for person, topics, at, actor in self.people:
            changes = diff({}, {**snapshot(person, m2m=False), "interests": sorted(t.pk for t in topics)})
            self._entry(at, actor, "ecosystem.person.created", person, changes)

        affiliations = [row[0] for row in self.positions]
        for affiliation in affiliations:
            affiliation.full_clean(exclude=["person", "organisation"], validate_constraints=False)
        Affiliation.objects.bulk_create(affiliations, batch_size=500)
        ended = []
        for affiliation, at, actor, end, end_at in self.positions:
            org_id = affiliation.organisation_id
            self._entry(
                at, actor, "ecosystem.affiliation.created", affiliation, diff({}, snapshot(affiliation)), org_id
            )
            if end_at is not None:
                before = snapshot(affiliation)
                affiliation.end_date = end
                ended.append(affiliation)
                changes = diff(before, snapshot(affiliation))
                self._entry(end_at, actor, "ecosystem.affiliation.ended", affiliation, changes, org_id)
        Affiliation.objects.bulk_update(ended, ["end_date"], batch_size=500)

        consents = [row[0] for row in self.consents]
        for consent in consents:
            consent.full_clean(exclude=["person"])
        Consent.objects.bulk_create(consents, batch_size=500)
        for consent, actor, withdrawn_at, withdrawer in self.consents:
            self._entry(consent.given_at, actor, "ecosystem.consent.given", consent, diff({}, snapshot(consent)))
            if withdrawn_at is not None:
                consent.withdrawn_at = withdrawn_at
                changes = {"withdrawn_at": [None, str(withdrawn_at)]}
                self._entry(withdrawn_at, withdrawer, "ecosystem.consent.withdrawn", consent, changes)
        Consent.objects.bulk_update([c for c in consents if c.withdrawn_at], ["withdrawn_at"], batch_size=500)

        entries = [entry for entry, _at in self.entries]
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        # ``at`` is ``auto_now_add``: the insert stamped the current time, put the real moments back.
        for entry, at in self.entries:
            entry.at = at
        AuditEntry.objects.bulk_update(entries, ["at"], batch_size=500)
        return people

    def add(
        self,
        rng: random.Random,
        first: str,
        last: str,
        languages: list[str],
        positions: list[Position],
        interests: list[Topic],
    ) -> None:
        ctx = self.ctx
        yesterday = ctx.today - dt.timedelta(days=1)
        created_on = min(p.recorded_on for p in positions)
        person = Person(first_name=first, last_name=last, languages=languages)
        self.people.append((person, interests, ctx.clock.moment(created_on), ctx.actor()))
        for position in positions:
            # A position that ended before staff recorded it is recorded with its end date.
            ended_before_recorded = position.end is not None and position.end <= position.recorded_on
            affiliation = Affiliation(
                person=person,
                organisation=position.organisation,
                function=position.function,
                email=position.email,
                is_primary_contact=position.primary,
                start_date=position.start,
                end_date=position.end if ended_before_recorded else None,
            )
            end_at = ctx.clock.moment(position.end) if position.end and not ended_before_recorded else None
            self.positions.append(
                (affiliation, ctx.clock.moment(position.recorded_on), ctx.actor(), position.end, end_at)
            )
        # Draws first, dates second: the number of draws never depends on the reference day.
        for purpose, chance in CONSENT_CHANCES.items():
            given = rng.random() < chance
            delay, source = rng.randint(0, 400), rng.choices(CONSENT_SOURCES, CONSENT_SOURCE_WEIGHTS)[0]
            withdrawn, withdrawal_delay = rng.random() < WITHDRAWAL_CHANCE, rng.randint(30, 700)
            if not given:
                continue
            given_on = min(created_on + dt.timedelta(days=delay), yesterday)
            withdrawn_on = given_on + dt.timedelta(days=withdrawal_delay)
            withdrawn_at = ctx.clock.moment(withdrawn_on) if withdrawn and withdrawn_on < ctx.today else None
            consent = Consent(person=person, purpose=purpose, source=source, given_at=ctx.clock.moment(given_on))
            self.consents.append((consent, ctx.actor(), withdrawn_at, ctx.actor() if withdrawn_at else None))
