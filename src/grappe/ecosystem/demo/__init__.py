"""The demo cluster « Construction Circulaire Wallonie » (CCW): the ecosystem part of ``grappe demo``.

``load(stdout)`` replaces the ecosystem's data (organisations, people, memberships, taxonomies,
audit entries and the demo logins; never the referential) by:

- two value chains with their segments and NACE-BEL 2025 codes, a competence tree and watch topics;
- about 45 real public actors (universities, hautes écoles, research centres, public bodies, from
  ``data/``) that are never members, and about 255 invented companies, associations and investors;
- five years of membership history ending with 120 members on the reference day, fees, renewals
  (some due within 60 days, a few unpaid) and prospects;
- about 450 invented people with positions, languages, interests and consents;
- relationships between invented organisations, and four demo logins (see ``DEMO_USERS``).

Determinism: every random choice comes from ``random.Random`` seeded with ``SEED`` (one stream per
step). Organisations' names, enterprise numbers and founding dates never depend on the day. The
history is anchored on the reference day ``today`` (by default the current local date, so "members
today" and "renewals due" always make sense): two loads with the same reference day give
identical data, and on any day there are ``memberships.TARGETS[-1]`` members today. Changes are
written through the audited services and their audit entries are re-dated to when they "happened" (see ``clock.py``).

Other apps' demo loaders run after this one (order 10) and look organisations up by name, kind,
membership or segment slug; the segment, competence and topic slugs are stable.
"""

import datetime as dt
import random
import time
from typing import Any, TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from grappe.accounts.models import User
from grappe.core.models import AuditEntry
from grappe.ecosystem.demo.actors import real_actors
from grappe.ecosystem.demo.clock import Clock
from grappe.ecosystem.demo.companies import CompanyPlan, plan_companies
from grappe.ecosystem.demo.context import DemoContext
from grappe.ecosystem.demo.memberships import HISTORY_DAYS, plan_memberships, write_memberships
from grappe.ecosystem.demo.organisations import write_company, write_real_actor, write_relationships
from grappe.ecosystem.demo.people import Staffing, write_people
from grappe.ecosystem.demo.taxonomy import build_taxonomy
from grappe.ecosystem.models import (
    Activity,
    Affiliation,
    Competence,
    Consent,
    Membership,
    Organisation,
    Person,
    Relationship,
    Segment,
    Site,
    Topic,
    ValueChain,
)
from grappe.ecosystem.selectors import member_ids_on

SEED = 20250601
DEMO_PASSWORD = "grappe-demo"
DEMO_DOMAIN = "ccw.demo"
# (e-mail, role, full name, is Django admin)
DEMO_USERS = (
    (f"admin@{DEMO_DOMAIN}", User.Role.ADMIN, "Isabelle Renard", True),
    (f"staff@{DEMO_DOMAIN}", User.Role.STAFF, "Claire Dumont", False),
    (f"member@{DEMO_DOMAIN}", User.Role.MEMBER, "", False),
    (f"observer@{DEMO_DOMAIN}", User.Role.OBSERVER, "Olivier Lambert (SPW Économie)", False),
)

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "SEED", "load", "reset"]


def reset() -> None:
    """Remove the ecosystem's domain data, the audit log and the demo logins (never the referential)."""
    for model in (Relationship, Membership, Consent, Affiliation, Activity, Site, Organisation, Person):
        model._base_manager.all().delete()
    for model in (Segment, ValueChain, Topic):
        model._base_manager.all().delete()
    # Leaves first: competences form a tree.
    while Competence.objects.exists():
        Competence.objects.filter(children__isnull=True).delete()
    AuditEntry.objects.all().delete()
    User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").delete()


def _users() -> dict[str, User]:
    # One hash for the shared demo password: hashing is deliberately slow (a second for four logins).
    password = make_password(DEMO_PASSWORD)
    users = {}
    for email, role, full_name, is_admin in DEMO_USERS:
        users[role] = User.objects.create(
            email=email, password=password, role=role, full_name=full_name, is_staff=is_admin, is_superuser=is_admin
        )
    return users


@transaction.atomic
def load(stdout: TextIO, *, today: dt.date | None = None) -> dict[str, Any]:
    """Load the demo cluster; returns counts (also printed)."""
    started = time.monotonic()
    today = today or timezone.localdate()
    history_start = today - dt.timedelta(days=HISTORY_DAYS)
    reset()
    users = _users()
    ctx = DemoContext(
        today=today,
        history_start=history_start,
        rng=random.Random(f"{SEED}-writes"),
        clock=Clock(random.Random(f"{SEED}-clock")),
        admin=users[User.Role.ADMIN],
        staff=users[User.Role.STAFF],
    )
    setup_day = history_start - dt.timedelta(days=120)
    with ctx.clock.at(setup_day):
        taxonomy = build_taxonomy(ctx.admin)

    real: list[Organisation] = []
    for index, actor in enumerate(real_actors()):
        real.append(write_real_actor(ctx, actor, setup_day + dt.timedelta(days=1 + index // 10)))

    plans = plan_companies(random.Random(f"{SEED}-companies"))
    plan_memberships(random.Random(f"{SEED}-memberships"), plans, today)
    invented: list[tuple[Organisation, CompanyPlan]] = []
    for plan in plans:
        organisation = write_company(ctx, plan, taxonomy)
        write_memberships(ctx, organisation, plan)
        invented.append((organisation, plan))
    relationships = write_relationships(ctx, random.Random(f"{SEED}-relationships"), invented)

    staffing = _staffing(random.Random(f"{SEED}-staffing"), real, invented, setup_day)
    people = write_people(ctx, random.Random(f"{SEED}-people"), staffing, taxonomy.topics)
    member_user = _link_member_user(users[User.Role.MEMBER], invented, today)
    _pending_invitation(member_user)
    ctx.clock.flush()
    _backdate_creation()

    counts = {
        "organisations": Organisation.objects.count(),
        "real_organisations": len(real),
        "members_today": len(member_ids_on(today)),
        "people": len(people),
        "memberships": Membership.objects.count(),
        "relationships": relationships,
        "audit_entries": AuditEntry.objects.count(),
        "seconds": round(time.monotonic() - started, 1),
    }
    stdout.write(
        "  CCW: {organisations} organisations ({real_organisations} real public actors), {members_today} members "
        "today, {memberships} memberships, {people} people, {relationships} relationships, {audit_entries} "
        "audit entries in {seconds} s.".format(**counts)
    )
    organisation = member_user.person.affiliations.get(is_primary_contact=True).organisation
    stdout.write(f"  The member login acts for {member_user.full_name}, {organisation}.")
    for email, role, _name, _admin in DEMO_USERS:  # "Staff login: staff@ccw.demo / password: grappe-demo"
        stdout.write(f"  {role.value.capitalize()} login: {email} / password: {DEMO_PASSWORD}")
    return counts


def _staffing(
    rng: random.Random, real: list[Organisation], invented: list[tuple[Organisation, CompanyPlan]], setup_day: dt.date
) -> list[Staffing]:
    """How many invented people each organisation gets: members more than the others."""
    staffing = []
    for organisation, plan in invented:
        counting = [m for m in plan.memberships if m.status != Membership.Status.PROSPECT]
        draw = rng.random()
        if counting and counting[-1].end is None:
            headcount = 1 + min(rng.randint(0, 3), 3)
        elif counting:
            headcount = 1 if draw < 0.5 else 2
        else:
            headcount = 1 if draw < 0.5 else 0
        staffing.append(Staffing(organisation, plan, headcount, plan.known_on))
    for organisation in real:  # one contact each, met some time during the cluster's first three years
        staffing.append(Staffing(organisation, None, 1, setup_day + dt.timedelta(days=rng.randint(120, 1200))))
    return staffing


def _link_member_user(user: User, invented: list[tuple[Organisation, CompanyPlan]], today: dt.date) -> User:
    """The member login acts for the primary contact of a current member with a public profile."""
    members = member_ids_on(today)
    candidates = sorted(
        (o for o, plan in invented if o.pk in members and plan.public_consent_on and plan.kind == "company"),
        key=lambda o: o.name,
    )
    for organisation in candidates:
        contact = (
            organisation.affiliations.filter(is_primary_contact=True, end_date__isnull=True)
            .select_related("person")
            .first()
        )
        if contact is not None:
            user.person = contact.person
            user.full_name = contact.person.full_name
            user.save(update_fields=["person", "full_name"])
            return user
    raise RuntimeError("no member organisation with a primary contact for the member login")


def _pending_invitation(member_user: User) -> None:
    """A colleague of the member login, invited to the portal but who has not chosen a password yet."""
    organisation = member_user.person.affiliations.get(is_primary_contact=True).organisation
    colleague = (
        organisation.affiliations.filter(end_date__isnull=True, person__user__isnull=True)
        .exclude(person=member_user.person)
        .select_related("person")
        .order_by("person__last_name", "pk")
        .first()
    )
    if colleague is not None:
        User.objects.create_user(
            email=f"invitation@{DEMO_DOMAIN}",
            password=None,
            role=User.Role.MEMBER,
            person=colleague.person,
            full_name=colleague.person.full_name,
        )


def _backdate_creation() -> None:
    """``created_at`` of organisations and people follows their first audit entry."""
    for model, action in ((Organisation, "ecosystem.organisation.created"), (Person, "ecosystem.person.created")):
        first = dict(AuditEntry.objects.filter(action=action).values_list("object_id", "at"))
        rows = list(model.objects.only("pk"))
        for row in rows:
            row.created_at = first.get(str(row.pk), row.created_at)
        model.objects.bulk_update(rows, ["created_at"], batch_size=500)
