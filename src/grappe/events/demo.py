"""Demo events of « Construction Circulaire Wallonie »: two years of events, three months ahead, two B2B days.

Runs after the ecosystem demo (order 30) and looks its people and organisations up (ordered by
name, so the choice is stable); every random choice comes from ``random.Random(SEED)``. No e-mail
is sent: the demo registers people with messages suppressed.
"""

import datetime as dt
import random
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from grappe.accounts.models import User
from grappe.ecosystem.models import Affiliation, Organisation
from grappe.ecosystem.selectors import member_ids_on
from grappe.events import matchmaking, services
from grappe.events.models import Event, Meeting, MeetingRequest, ParticipantType, Registration, SurveyResponse

SEED = 20250630

# (days from today, hour, hours long, kind, title fr, title en, capacity, audience, price, missions)
PLANS: list[tuple[int, int, int, str, str, str, int | None, str, str, list[str]]] = [
    (
        -715,
        9,
        3,
        "workshop",
        "Atelier : le réemploi des matériaux de gros œuvre",
        "Workshop: reusing structural materials",
        30,
        "public",
        "40",
        ["m2"],
    ),
    (
        -680,
        17,
        3,
        "networking",
        "Afterwork des membres à Namur",
        "Members' afterwork in Namur",
        60,
        "members_only",
        "0",
        ["m2"],
    ),
    (
        -640,
        10,
        3,
        "company_visit",
        "Visite d'une plateforme de tri des déchets de construction",
        "Visit of a construction waste sorting platform",
        20,
        "members_only",
        "0",
        ["m2"],
    ),
    (
        -610,
        11,
        1,
        "webinar",
        "Webinaire : le passeport matériaux",
        "Webinar: the materials passport",
        200,
        "public",
        "0",
        ["m2", "m3"],
    ),
    (
        -560,
        9,
        7,
        "training",
        "Formation : inventaire pré-démolition",
        "Training: pre-demolition audit",
        16,
        "public",
        "180",
        ["m2", "m4"],
    ),
    (
        -520,
        9,
        8,
        "trade_fair_stand",
        "Stand collectif au salon Batibouw",
        "Joint stand at Batibouw",
        12,
        "invitation",
        "0",
        ["m3"],
    ),
    (
        -480,
        14,
        3,
        "workshop",
        "Atelier : isolants biosourcés, retours de chantier",
        "Workshop: bio-based insulation on site",
        30,
        "public",
        "40",
        ["m2", "m4"],
    ),
    (
        -430,
        9,
        4,
        "conference",
        "Conférence annuelle : construire circulaire en Wallonie",
        "Annual conference: circular building in Wallonia",
        150,
        "public",
        "60",
        ["m2", "m3"],
    ),
    (
        -390,
        11,
        1,
        "webinar",
        "Webinaire : marchés publics circulaires",
        "Webinar: circular public procurement",
        200,
        "public",
        "0",
        ["m2"],
    ),
    (
        -350,
        10,
        3,
        "company_visit",
        "Visite d'un atelier de préfabrication bois",
        "Visit of a timber prefabrication workshop",
        20,
        "members_only",
        "0",
        ["m2"],
    ),
    (
        -300,
        17,
        3,
        "networking",
        "Afterwork des membres à Liège",
        "Members' afterwork in Liège",
        60,
        "members_only",
        "0",
        ["m2"],
    ),
    (
        -250,
        9,
        3,
        "workshop",
        "Atelier : BIM et gestion des déconstructions",
        "Workshop: BIM for deconstruction",
        25,
        "public",
        "40",
        ["m2", "m4"],
    ),
    (
        -200,
        11,
        1,
        "webinar",
        "Webinaire : financer la rénovation énergétique",
        "Webinar: funding energy renovation",
        200,
        "public",
        "0",
        ["m2"],
    ),
    (
        -150,
        9,
        7,
        "training",
        "Formation : pompes à chaleur en rénovation",
        "Training: heat pumps in renovation",
        16,
        "public",
        "180",
        ["m2"],
    ),
    (
        -90,
        9,
        3,
        "workshop",
        "Atelier : les granulats recyclés dans le béton",
        "Workshop: recycled aggregates in concrete",
        30,
        "public",
        "40",
        ["m2", "m4"],
    ),
    (-45, 17, 3, "networking", "Afterwork de rentrée", "Back-to-work afterwork", 60, "members_only", "0", ["m2"]),
    (
        -12,
        11,
        1,
        "webinar",
        "Webinaire : la taxonomie européenne pour les PME",
        "Webinar: the EU taxonomy for SMEs",
        200,
        "public",
        "0",
        ["m2"],
    ),
    (
        9,
        9,
        3,
        "workshop",
        "Atelier : chiffrer le réemploi dans un cahier des charges",
        "Workshop: pricing reuse in tenders",
        12,
        "public",
        "40",
        ["m2"],
    ),
    (
        20,
        10,
        3,
        "company_visit",
        "Visite d'une usine de laine de bois",
        "Visit of a wood-fibre insulation plant",
        20,
        "members_only",
        "0",
        ["m2"],
    ),
    (
        33,
        11,
        1,
        "webinar",
        "Webinaire : le nouveau code wallon de l'énergie",
        "Webinar: the new Walloon energy code",
        200,
        "public",
        "0",
        ["m2"],
    ),
    (
        58,
        9,
        4,
        "conference",
        "Conférence annuelle : la rénovation à grande échelle",
        "Annual conference: renovation at scale",
        150,
        "public",
        "60",
        ["m2", "m3"],
    ),
    (75, 17, 3, "networking", "Afterwork de printemps", "Spring afterwork", 60, "members_only", "0", ["m2"]),
    (
        88,
        9,
        7,
        "training",
        "Formation : démontabilité et assemblages secs",
        "Training: design for disassembly",
        16,
        "public",
        "180",
        ["m2", "m4"],
    ),
]
# The two B2B days: one held (with outcomes), one ahead with requests open.
B2B_DAYS = [
    (-60, "Journée B2B construction circulaire", "Circular construction B2B day", 40),
    (45, "Rendez-vous d'affaires de la rénovation énergétique", "Energy renovation business meetings", 24),
]

OFFERS = [
    "béton recyclé et granulats de réemploi certifiés",
    "déconstruction sélective et inventaire pré-démolition",
    "isolation biosourcée en fibre de bois et chanvre",
    "pompes à chaleur et ventilation double flux en rénovation",
    "maquette BIM et jumeau numérique du bâtiment",
    "audit énergétique et accompagnement PEB",
    "châssis bois et menuiseries de réemploi",
    "préfabrication de murs à ossature bois",
    "tri et valorisation des déchets de chantier",
    "panneaux photovoltaïques et stockage d'énergie",
    "bureau d'études en stabilité pour structures réemployées",
    "logistique urbaine de chantier et plateformes de matériaux",
]
REQUESTS = [
    "fournisseur de granulats recyclés pour nos bétons",
    "partenaire en déconstruction sélective pour un marché public",
    "isolants biosourcés pour des rénovations de logements sociaux",
    "installateur de pompes à chaleur pour un programme de rénovation",
    "modélisation BIM pour l'inventaire des matériaux",
    "auditeur énergétique pour nos clients particuliers",
    "menuiseries de réemploi pour un chantier pilote",
    "débouchés pour nos déchets de bois triés",
    "partenaire de recherche sur les bétons bas carbone",
    "financement d'un projet de démonstration",
    "bureau d'études pour des structures démontables",
    "entreprise générale intéressée par le réemploi",
]


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def _people(today: dt.date) -> tuple[list[Affiliation], list[Affiliation]]:
    """Current positions of people of member organisations, and of non-member organisations (stable order)."""
    members = member_ids_on(today)
    affiliations = list(
        Affiliation.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), person__erased_at__isnull=True)
        .select_related("person", "organisation")
        .order_by("person__last_name", "person__first_name", "organisation__name", "pk")
    )
    seen: set[int] = set()
    of_members, others = [], []
    for affiliation in affiliations:
        if affiliation.person_id in seen:
            continue
        seen.add(affiliation.person_id)
        (of_members if affiliation.organisation_id in members else others).append(affiliation)
    return of_members, others


def _register(event: Event, affiliation: Affiliation, moment: dt.datetime) -> Registration | None:
    try:
        with transaction.atomic():
            registration = services.registration_create(
                actor=None,
                event=event,
                person=affiliation.person,
                organisation=affiliation.organisation,
                email=affiliation.email or affiliation.person.email or f"person{affiliation.person_id}@ccw.demo",
                consent=True,
                by_staff=True,
                now=moment,
            )
    except Exception:
        return None
    Registration.objects.filter(pk=registration.pk).update(created_at=moment)
    return registration


def _fill(event: Event, rng: random.Random, members: list, others: list, share_members: float, count: int) -> list:
    pool_m = rng.sample(members, min(len(members), int(count * share_members) + 2))
    pool_o = rng.sample(others, min(len(others), count)) if event.audience == Event.Audience.PUBLIC else []
    chosen = (pool_m + pool_o)[:count]
    rng.shuffle(chosen)
    registrations = []
    for index, affiliation in enumerate(chosen):
        moment = event.start - dt.timedelta(days=30 - min(index, 28), hours=rng.randint(0, 10))
        registration = _register(event, affiliation, moment)
        if registration:
            registrations.append(registration)
    return registrations


def _after_the_event(event: Event, rng: random.Random, registrations: list[Registration]) -> None:
    """Attendance (85 % came), a few cancellations, and survey answers from half of those who came."""
    for registration in registrations:
        registration.refresh_from_db()
        if registration.status != Registration.Status.CONFIRMED:
            continue
        came = rng.random() < 0.85
        Registration.objects.filter(pk=registration.pk).update(
            attendance=Registration.Attendance.ATTENDED if came else Registration.Attendance.NO_SHOW,
            checked_in_at=event.start + dt.timedelta(minutes=rng.randint(-20, 25)) if came else None,
        )
        if came and rng.random() < 0.5:
            score = rng.choices([2, 3, 4, 5], weights=[1, 3, 8, 6])[0]
            comment = rng.choice(
                ["", "", "Très concret, merci.", "Un peu long.", "Excellents contacts.", "À refaire !"]
            )
            SurveyResponse.objects.create(registration=registration, score=score, comment=comment)


def _participant_type(organisation: Organisation, rng: random.Random) -> str:
    kind = organisation.kind
    if kind in (Organisation.Kind.UNIVERSITY, Organisation.Kind.RESEARCH_CENTRE):
        return ParticipantType.RESEARCH
    if kind == Organisation.Kind.INVESTOR:
        return ParticipantType.INVESTOR
    if kind in (Organisation.Kind.AGENCY, Organisation.Kind.POLE, Organisation.Kind.CLUSTER):
        return ParticipantType.SUPPORT
    return rng.choice([ParticipantType.SUPPLIER, ParticipantType.SUPPLIER, ParticipantType.BUYER])


def _simple_solve(instance: dict, *, time_limit: float) -> dict:
    """First-fit placement, used only when the scheduler module is not installed."""
    busy: set = set()
    used: set = set()
    counts: dict = {}
    caps = {p["id"]: p["max_meetings"] for p in instance["participants"]}
    available = {p["id"]: set(p["available"]) for p in instance["participants"]}
    out = []
    for meeting in sorted(instance["meetings"], key=lambda m: -m["weight"]):
        for slot in instance["slots"]:
            s = slot["id"]
            table = next((t for t in range(1, instance["tables"] + 1) if (s, t) not in used), None)
            people = meeting["participants"]
            if table and all(
                (s, p) not in busy and s in available[p] and (caps[p] is None or counts.get(p, 0) < caps[p])
                for p in people
            ):
                out.append({"meeting": meeting["id"], "slot": s, "table": table})
                used.add((s, table))
                for p in people:
                    busy.add((s, p))
                    counts[p] = counts.get(p, 0) + 1
                break
    placed = {a["meeting"] for a in out}
    return {
        "status": "feasible",
        "assignments": out,
        "unscheduled": [m["id"] for m in instance["meetings"] if m["id"] not in placed],
        "scheduled": len(out),
        "upper_bound": len(instance["meetings"]),
        "idle_gaps": None,
        "seconds": 0,
    }


def _b2b_day(
    rng: random.Random, today: dt.date, offset: int, titles: tuple[str, str], size: int, members: list, others: list
) -> dict[str, Any]:
    from grappe.events.recommendations import recommend

    day = today + dt.timedelta(days=offset)
    event = services.event_create(
        actor=None,
        title=titles[0],
        title_fr=titles[0],
        title_en=titles[1],
        description_fr="Des rendez-vous d'affaires de 20 minutes, planifiés pour vous selon vos demandes.",
        description_en="20-minute business meetings, scheduled for you from your requests.",
        kind=Event.Kind.B2B,
        start=_aware(day, 9),
        end=_aware(day, 17),
        venue_name="Namur Expo",
        venue_address="Avenue Sergent Vrithoff 2",
        capacity=size + 10,
        audience=Event.Audience.PUBLIC,
        price_non_member="50",
        mission_tags=["m2"],
        status=Event.Status.PUBLISHED,
    )
    support = list(
        Organisation.objects.filter(kind__in=[Organisation.Kind.AGENCY, Organisation.Kind.UNIVERSITY]).order_by("name")
    )
    event.co_organisers.set(rng.sample(support, min(2, len(support))))
    registrations = _fill(event, rng, members, others, 0.7, size)
    session = matchmaking.session_create(
        actor=None,
        event=event,
        name=titles[0],
        name_fr=titles[0],
        tables=max(6, size // 3),
        meeting_minutes=20,
        request_deadline=None,  # set below, once the demo's requests are in (the held day's deadline is past)
        max_requests=8,
        default_max_meetings=8,
        allowed_pairs=[],
    )
    matchmaking.slots_generate(
        actor=None,
        session=session,
        blocks=[
            (_aware(day, 9, 30), _aware(day, 12, 10), "matin"),
            (_aware(day, 13, 30), _aware(day, 16, 10), "après-midi"),
        ],
    )
    participants = []
    for registration in registrations:
        organisation = registration.organisation
        arrival = _aware(day, 13, 30) if rng.random() < 0.1 else None
        participant = matchmaking.participant_join(
            actor=None,
            session=session,
            person=registration.person,
            organisation=organisation,
            registration=registration,
            type=_participant_type(organisation, rng) if organisation else ParticipantType.OTHER,
            offers=", ".join(rng.sample(OFFERS, 2)),
            requests=", ".join(rng.sample(REQUESTS, 2)),
            tags=[],
            languages=rng.choice([["fr"], ["fr", "en"], ["fr", "nl"]]),
            arrival=arrival,
        )
        participants.append(participant)
    held = offset < 0
    for participant in participants:
        suggestions = recommend(participant, limit=8)
        for suggestion in suggestions[: rng.randint(2, 5)]:
            try:
                request = matchmaking.request_create(actor=None, requester=participant, target=suggestion.participant)
            except Exception:
                continue
            roll = rng.random()
            if held or roll < 0.6:
                matchmaking.request_decide(actor=None, request=request, accept=roll < 0.88)
    MeetingRequest.objects.filter(session=session).update(created_at=event.start - dt.timedelta(days=10))
    type(session).objects.filter(pk=session.pk).update(request_deadline=_aware(day - dt.timedelta(days=3), 18))
    session.refresh_from_db()
    result: dict[str, Any] = {"event": event.title, "participants": len(participants)}
    if held:
        if len(participants) >= 2:
            vip = matchmaking.meeting_impose(actor=None, a=participants[0], b=participants[1], weight=5)
            matchmaking.meeting_move(
                actor=None, meeting=vip, slot=session.slots.filter(is_break=False).first(), table=1
            )
        try:
            from grappe.events.scheduling import solve
        except ImportError:
            solve = _simple_solve
        summary = matchmaking.schedule_run(actor=None, session=session, solve=solve, time_limit=10)
        matchmaking.session_publish(actor=None, session=session, notify=False)
        for meeting in session.meetings.filter(status=Meeting.Status.SCHEDULED).select_related("slot"):
            came = rng.random() < 0.88
            matchmaking.meeting_record_outcome(
                actor=None, meeting=meeting, held=came, follow_up_wanted=came and rng.random() < 0.35
            )
        _after_the_event(event, rng, registrations)
        result.update(summary)
    return result


def load(stdout: TextIO, *, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    members, others = _people(today)
    if len(members) < 10:
        stdout.write("  events: too few people in the ecosystem, skipped (load the ecosystem demo first)")
        return {}
    staff = User.objects.filter(role=User.Role.STAFF).order_by("email").first()
    co_candidates = list(
        Organisation.objects.filter(
            kind__in=[Organisation.Kind.AGENCY, Organisation.Kind.UNIVERSITY, Organisation.Kind.RESEARCH_CENTRE]
        ).order_by("name")
    )
    created = 0
    registered = 0
    with services.messages_suppressed():
        for offset, hour, hours, kind, title_fr, title_en, capacity, audience, price, missions in PLANS:
            day = today + dt.timedelta(days=offset)
            event = services.event_create(
                actor=staff,
                title=title_fr,
                title_fr=title_fr,
                title_en=title_en,
                description_fr=f"{title_fr}. Organisé par le cluster avec ses partenaires.",
                description_en=f"{title_en}. Organised by the cluster with its partners.",
                kind=kind,
                start=_aware(day, hour),
                end=_aware(day, hour) + dt.timedelta(hours=hours),
                venue_name=""
                if kind == "webinar"
                else rng.choice(
                    ["Namur Expo", "Liège Science Park", "Mons Digital Innovation Valley", "Charleroi Entreprendre"]
                ),
                venue_address="" if kind == "webinar" else "Rue de l'Innovation 1",
                online_url="https://visio.ccw.demo/" + str(created + 1) if kind == "webinar" else "",
                capacity=capacity,
                audience=audience,
                price_non_member=price,
                mission_tags=missions,
                status=Event.Status.DRAFT if offset > 80 else Event.Status.PUBLISHED,
            )
            if co_candidates and rng.random() < 0.4:
                event.co_organisers.set(rng.sample(co_candidates, 1))
            created += 1
            if event.status != Event.Status.PUBLISHED:
                continue
            wanted = min(capacity or 40, 45) + (3 if offset > 0 and capacity and capacity <= 20 else 0)
            if offset > 0:
                wanted = int(wanted * (0.5 if offset > 30 else 1.1))
            registrations = _fill(event, rng, members, others, 0.75, wanted)
            registered += len(registrations)
            if offset < 0:
                cancelled = [r for r in registrations if rng.random() < 0.05]
                for registration in cancelled:
                    services.registration_cancel(actor=None, registration=registration)
                _after_the_event(event, rng, registrations)
        b2b = [_b2b_day(rng, today, offset, (fr, en), size, members, others) for offset, fr, en, size in B2B_DAYS]
    stdout.write(f"  events: {created + len(b2b)} events, {registered} registrations, B2B days: {b2b}")
    return {"events": created + len(b2b), "registrations": registered, "b2b": b2b}
