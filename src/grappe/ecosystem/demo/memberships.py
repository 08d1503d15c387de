"""Five years of membership history for the invented organisations, planned year by year.

The cluster was launched five years before the reference day with a wave of founding members;
each following year some 8 to 12 % of members leave (lapsed at their anniversary or resigned
during the year), new ones join, and a few former members come back. The yearly targets end at
``TARGETS[-1]`` members on the reference day. Renewal dates are anniversaries of the start date;
a few members have not paid their last renewal, and about a sixth have a renewal due within 60 days.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from grappe.ecosystem import services
from grappe.ecosystem.demo import words
from grappe.ecosystem.demo.companies import CompanyPlan
from grappe.ecosystem.demo.context import DemoContext
from grappe.ecosystem.models import Membership, Organisation

Tier = Membership.Tier
Status = Membership.Status

HISTORY_DAYS = 5 * 365 + 1  # the cluster's age on the reference day
YEAR = 365
# Members at the end of each year of history; the last one is "members today".
TARGETS = (78, 90, 101, 111, 120)
FOUNDING_MEMBERS = 66
UNPAID = 7
PROSPECTS = 15


@dataclass
class MembershipPlan:
    start: dt.date
    tier: str
    fee: Decimal
    end: dt.date | None = None
    status: str = Status.MEMBER
    unpaid_last: bool = False  # the last renewal before the reference day was not paid
    notes: str = ""


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def anniversaries(start: dt.date, until: dt.date) -> list[dt.date]:
    """Anniversaries of ``start`` strictly after it and on or before ``until``."""
    out, n = [], 1
    while (day := add_years(start, n)) <= until:
        out.append(day)
        n += 1
    return out


def tier_and_fee(plan: CompanyPlan, start: dt.date, history_start: dt.date) -> tuple[str, Decimal]:
    """The tier follows the size; fees were raised by 4 % (rounded to 5 €) in the cluster's fourth year."""
    if plan.kind in (Organisation.Kind.ASSOCIATION, Organisation.Kind.INVESTOR):
        tier, fee = Tier.ASSOCIATE, 400 if plan.kind == Organisation.Kind.ASSOCIATION else 1500
    else:
        sme = plan.sme_status
        if sme == Organisation.SmeStatus.MICRO:
            tier, fee = Tier.MICRO, 250
        elif sme == Organisation.SmeStatus.SMALL:
            tier, fee = Tier.SME, 600 if plan.headcount_band == "10-19" else 750
        elif sme == Organisation.SmeStatus.MEDIUM:
            tier, fee = Tier.SME, 950 if plan.headcount_band == "50-99" else 1200
        else:
            tier, fee = Tier.LARGE, 2500 if plan.headcount_band == "250-499" else 3500
    if (start - history_start).days >= 3 * YEAR:
        fee = round(fee * 1.04 / 5) * 5
    return tier, Decimal(fee).quantize(Decimal("0.01"))


def plan_memberships(rng: random.Random, plans: list[CompanyPlan], today: dt.date) -> None:
    """Fill ``plan.memberships`` (and prospects) for the invented organisations."""
    history_start = today - dt.timedelta(days=HISTORY_DAYS)
    candidates = plans[:]
    rng.shuffle(candidates)
    active: dict[int, MembershipPlan] = {}  # index in candidates -> open membership
    former: dict[int, dt.date] = {}  # index -> end of the last membership

    def join(index: int, day: dt.date) -> None:
        tier, fee = tier_and_fee(candidates[index], day, history_start)
        membership = MembershipPlan(start=day, tier=tier, fee=fee)
        candidates[index].memberships.append(membership)
        active[index] = membership
        former.pop(index, None)

    def day_in(first: int, last: int) -> dt.date:
        return history_start + dt.timedelta(days=rng.randint(first, last))

    for year, target in enumerate(TARGETS):
        first, last = year * YEAR, min((year + 1) * YEAR, HISTORY_DAYS) - 1
        period_end = history_start + dt.timedelta(days=last)
        if year > 0:
            rate = rng.uniform(0.08, 0.12)
            for index in sorted(active):
                membership = active[index]
                in_period = [
                    a for a in anniversaries(membership.start, period_end) if (a - history_start).days >= first
                ]
                if not in_period or rng.random() >= rate:
                    continue
                if rng.random() < 0.6:
                    membership.status, membership.end = Status.LAPSED, in_period[0] - dt.timedelta(days=1)
                else:
                    earliest = max(first, (membership.start - history_start).days + 120)
                    membership.status, membership.end = Status.RESIGNED, day_in(min(earliest, last), last)
                    membership.notes = rng.choice(words.RESIGNATION_NOTES)
                former[index] = membership.end
                del active[index]
        needed = (FOUNDING_MEMBERS if year == 0 else target) - len(active)
        for _ in range(max(needed, 0)):
            day = day_in(0, 200) if year == 0 else day_in(first, last)
            comeback = [i for i, end in sorted(former.items()) if (day - end).days > 180]
            if comeback and rng.random() < 0.2:
                join(rng.choice(comeback), day)
                continue
            fresh = [
                i
                for i, plan in enumerate(candidates)
                if i not in active and i not in former and not plan.memberships and plan.founded_on < day
            ]
            join(rng.choice(fresh), day)
        if year == 0:  # the rest of the first year's joiners came after the launch
            for _ in range(target - len(active)):
                day = day_in(201, last)
                fresh = [
                    i for i, p in enumerate(candidates) if i not in active and not p.memberships and p.founded_on < day
                ]
                join(rng.choice(fresh), day)

    # Unpaid renewals: members whose last anniversary fell within the last 75 days.
    recent = [
        m
        for m in active.values()
        if (last := anniversaries(m.start, today - dt.timedelta(days=1))) and (today - last[-1]).days <= 75
    ]
    for membership in rng.sample(recent, k=min(UNPAID, len(recent))):
        membership.unpaid_last = True

    # Prospects: mostly organisations never affiliated, a few former members approached again.
    never = [p for p in candidates if not p.memberships]
    again = [candidates[i] for i in sorted(former)]
    for plan in rng.sample(never, k=PROSPECTS - 3) + rng.sample(again, k=min(3, len(again))):
        tier, fee = tier_and_fee(plan, today, history_start)
        plan.memberships.append(
            MembershipPlan(
                start=today + dt.timedelta(days=rng.randint(10, 120)),
                tier=tier,
                fee=fee,
                status=Status.PROSPECT,
                notes=rng.choice(words.PROSPECT_NOTES),
            )
        )

    # When staff first recorded each organisation, and which ones consented to a public profile.
    for plan in candidates:
        counting = [m for m in plan.memberships if m.status != Status.PROSPECT]
        if counting:
            plan.known_on = max(
                counting[0].start - dt.timedelta(days=rng.randint(15, 200)), history_start - dt.timedelta(days=90)
            )
        else:
            plan.known_on = history_start + dt.timedelta(days=rng.randint(0, HISTORY_DAYS - 30))
        plan.known_on = max(plan.known_on, plan.founded_on)
        current = counting and counting[-1].end is None
        chance = 0.7 if current else 0.25 if counting else 0.08
        if rng.random() < chance:
            plan.public_consent_on = (counting[-1].start if counting else plan.known_on) + dt.timedelta(
                days=rng.randint(0, 30)
            )
            plan.public_consent_on = min(plan.public_consent_on, today - dt.timedelta(days=1))


def write_memberships(ctx: DemoContext, organisation: Organisation, plan: CompanyPlan) -> None:
    """Record the planned memberships through the services, each change dated when it happened."""
    today = ctx.today
    for item in plan.memberships:
        if item.status == Status.PROSPECT:
            contact = max(plan.known_on or today, today - dt.timedelta(days=ctx.rng.randint(5, 120)))
            with ctx.clock.at(min(contact, today)):
                services.membership_create(
                    actor=ctx.staff,
                    organisation=organisation,
                    start_date=item.start,
                    tier=item.tier,
                    yearly_fee=item.fee,
                    status=Status.PROSPECT,
                    notes=item.notes,
                )
            continue
        first_renewal = add_years(item.start, 1)
        with ctx.clock.at(item.start):
            membership = services.membership_create(
                actor=ctx.actor(),
                organisation=organisation,
                start_date=item.start,
                tier=item.tier,
                yearly_fee=item.fee,
                renewal_date=first_renewal,
                fee_paid_until=first_renewal,
            )
        # Anniversaries up to the end (a lapsed membership ends the day before the one not renewed).
        due = anniversaries(item.start, item.end or today - dt.timedelta(days=1))
        if item.unpaid_last:
            due = due[:-1]
        for day in due:
            # Most members pay in the three weeks before their anniversary.
            paid_on = max(day - dt.timedelta(days=ctx.rng.randint(0, 21)), item.start + dt.timedelta(days=1))
            with ctx.clock.at(paid_on):
                services.membership_renew(actor=ctx.actor(), membership=membership, paid_until=add_years(day, 1))
        if item.end is not None:
            with ctx.clock.at(item.end):
                services.membership_end(actor=ctx.actor(), membership=membership, end_date=item.end, status=item.status)
                if item.notes:
                    services.membership_update(actor=ctx.actor(), membership=membership, notes=item.notes)
