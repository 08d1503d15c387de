"""Demo partnerships of « Construction Circulaire Wallonie »: collaborations, ~60 introductions with their
outcomes, two years of interactions and a few open portal requests.

Runs after the ecosystem demo (order 50) and looks its organisations, people and logins up (ordered by
name, so choices are stable); every random choice comes from ``random.Random(SEED)``. Writes go through
the services (audited); dates in the past that the services refuse for new input (follow-ups) are set
afterwards, as history.
"""

import datetime as dt
import random
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from grappe.accounts.models import User
from grappe.ecosystem.models import Affiliation, Competence, Organisation, Segment
from grappe.ecosystem.selectors import member_ids_on
from grappe.partnerships import services
from grappe.partnerships.models import (
    Collaboration,
    CollaborationDocument,
    Interaction,
    Introduction,
    IntroductionRequest,
)
from grappe.referential.models import NaceCode

SEED = 20250707

RD_TITLES = [
    "Bétons bas carbone à granulats recyclés",
    "Réemploi des briques de parement : protocole de tri",
    "Isolants biosourcés en fibres de chanvre",
    "Jumeau numérique pour le démontage sélectif",
    "Passeport matériaux des bâtiments publics",
    "Mortiers de chaux pour la rénovation du patrimoine",
    "Capteurs d'humidité pour l'isolation par l'intérieur",
    "Déconstruction robotisée des faux plafonds",
    "Pompes à chaleur hybrides pour maisons mitoyennes",
]
COMMERCIAL_TITLES = [
    "Filière de reprise des tuiles anciennes",
    "Plateforme régionale de matériaux de réemploi",
    "Offre groupée rénovation énergétique des copropriétés",
    "Distribution de panneaux isolants recyclés",
    "Sous-traitance du curage avant démolition",
    "Préfabrication de modules bois pour l'extension",
]
JOINT_TITLES = [
    "Stand commun au salon Batibouw",
    "Formation commune « chantier circulaire »",
    "Achat groupé de bennes de tri",
]
FRAMEWORK_TITLES = [
    "Convention-cadre de recherche sur l'économie circulaire du bâtiment",
    "Accord de coopération sur les stages en entreprise",
]
INTERCLUSTER_TITLES = [
    "Feuille de route commune matériaux biosourcés",
    "Groupe de travail chimie verte et liants",
]
INTERNATIONAL = [
    ("Mission réemploi avec le Grand Est", ["FR"]),
    ("Projet Interreg « Circular Buildings »", ["NL", "DE"]),
    ("Échange de bonnes pratiques avec le Luxembourg", ["LU"]),
]
DOCUMENT_TITLES = {
    "rd_project": "Accord de consortium signé",
    "commercial": "Contrat de partenariat",
    "framework": "Convention-cadre signée",
    "joint_action": "Plan d'action commun",
    "inter_cluster": "Feuille de route partagée",
    "international": "Lettre d'intention des partenaires",
}
REASONS = [
    "cherche un fournisseur de granulats recyclés certifiés",
    "veut tester un nouvel isolant sur un chantier pilote",
    "a besoin d'un bureau d'études pour un inventaire amiante",
    "souhaite valoriser ses déchets de plâtre",
    "prépare un dépôt de projet de recherche et cherche un partenaire industriel",
    "développe une offre de rénovation globale et cherche un installateur de pompes à chaleur",
    "cherche un partenaire pour la déconstruction d'un site industriel",
    "veut intégrer des matériaux de réemploi dans ses cahiers des charges",
    "cherche un développeur pour un outil de métré BIM",
    "prospecte le marché néerlandais et cherche un partenaire local",
]
SUMMARIES = {
    "call": [
        "Point sur les besoins en recrutement",
        "Appel de suivi après l'atelier",
        "Question sur les aides régionales",
    ],
    "visit": [
        "Visite de l'atelier de production",
        "Visite d'un chantier de déconstruction",
        "Visite des nouveaux locaux",
    ],
    "meeting": ["Réunion de présentation du cluster", "Préparation d'un dépôt de projet", "Revue annuelle d'adhésion"],
    "email": [
        "Envoi de la liste des appels à projets",
        "Échange sur une offre de stage",
        "Partage d'un contact export",
    ],
    "event_contact": [
        "Rencontre au networking de printemps",
        "Échange au stand du salon",
        "Discussion après le webinaire",
    ],
}
NEXT_ACTIONS = ["Envoyer la brochure", "Proposer une mise en relation", "Rappeler pour le dépôt", "Inviter au B2B"]
# (needs, segment slugs and NACE codes the member ticks, as on the portal form)
NEEDS = [
    (
        "Nous cherchons un partenaire qui peut recycler nos chutes de plaques de plâtre sur site.",
        ["deconstruction-reemploi"],
        ["38.21"],
    ),
    (
        "Nous cherchons un laboratoire capable de caractériser des granulats recyclés pour un béton structurel.",
        ["materiaux"],
        [],
    ),
    (
        "Nous cherchons une entreprise de menuiserie qui travaille le bois de réemploi pour un projet pilote.",
        ["materiaux"],
        ["16.2"],
    ),
    (
        "Nous cherchons un bureau d'études en techniques spéciales pour des pompes à chaleur en rénovation.",
        ["chauffage-ventilation"],
        ["71.12"],
    ),
    (
        "Nous cherchons un développeur de logiciels BIM pour automatiser nos métrés de démolition.",
        ["numerique-batiment"],
        ["62.10"],
    ),
    ("Nous cherchons un distributeur aux Pays-Bas pour nos panneaux isolants recyclés.", [], []),
    (
        "Nous cherchons un partenaire qui réalise des inventaires de réemploi avant démolition.",
        ["deconstruction-reemploi"],
        [],
    ),
    ("Nous cherchons un centre de formation pour former nos ouvriers au démontage soigné.", [], []),
]


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _competences_for(needs: str, competences: list[Competence]) -> list[Competence]:
    """The competences whose name shares a significant word with the request (as a member would tick them)."""
    from grappe.partnerships.suggestions import _tokens

    wanted = set(_tokens(needs))
    return [c for c in competences if wanted & set(_tokens(c.name))][:3]


def _person_of(organisation: Organisation, today: dt.date):
    affiliation = (
        Affiliation.objects.filter(organisation=organisation)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("person")
        .order_by("-is_primary_contact", "pk")
        .first()
    )
    return affiliation.person if affiliation else None


def _collaborations(rng, today, staff, companies, research, public, poles) -> list[Collaboration]:
    created = []

    def make(title, kind, partners, **fields):
        start = fields.pop(
            "start", _date_between(rng, today - dt.timedelta(days=3 * 365), today - dt.timedelta(days=20))
        )
        status = fields.pop("status", rng.choices(["active", "completed", "explored", "dropped"], [5, 3, 2, 1])[0])
        end = None
        if status == "completed":
            end = min(today - dt.timedelta(days=1), start + dt.timedelta(days=rng.randint(180, 720)))
        elif status == "active" and rng.random() < 0.5:
            end = start + dt.timedelta(days=rng.randint(365, 1100))
        collaboration = services.collaboration_create(
            actor=staff,
            title=title,
            kind=kind,
            partners=partners,
            status=status,
            start_date=start if status != "explored" else None,
            end_date=end if status != "explored" else None,
            cluster_role=rng.choice(["initiated", "facilitated", "facilitated", "informed"]),
            missions=sorted({"m2", rng.choice(["m1", "m3", "m4"])}),
            transition_environmental=True,
            transition_digital=rng.random() < 0.3,
            description=f"{title}. Collaboration suivie par le cluster Construction Circulaire Wallonie.",
            outcomes="Prototype validé en conditions réelles." if status == "completed" else "",
            internal_notes="Suivi budgétaire à surveiller." if rng.random() < 0.3 else "",
            **fields,
        )
        created.append(collaboration)

    for title in RD_TITLES:
        lead, other = rng.sample(companies, 2)
        make(title, "rd_project", [(lead, "lead"), (other, "partner"), (rng.choice(research), "research")])
    for title in COMMERCIAL_TITLES:
        a, b = rng.sample(companies, 2)
        make(title, "commercial", [(a, "lead"), (b, "partner")])
    for title in JOINT_TITLES:
        make(title, "joint_action", [(org, "partner") for org in rng.sample(companies, 3)])
    for title in FRAMEWORK_TITLES:
        make(title, "framework", [(rng.choice(research), "lead"), (rng.choice(public or research), "partner")])
    for title in INTERCLUSTER_TITLES:
        partners = [(org, "partner") for org in rng.sample(companies, 2)]
        if poles:
            partners.append((poles[0], "lead"))
        make(title, "inter_cluster", partners, status="active")
    for title, countries in INTERNATIONAL:
        make(
            title, "international", [(org, "partner") for org in rng.sample(companies, 2)], foreign_countries=countries
        )
    _documents(created, staff)
    return created


def _documents(collaborations: list[Collaboration], staff: Any) -> int:
    """Agreements as links for the started ones, and a staff-only budget file for the R&D projects."""
    count = 0
    for collaboration in collaborations:
        if collaboration.status not in Collaboration.STARTED_STATUSES:
            continue
        title = DOCUMENT_TITLES.get(collaboration.kind, "Note de cadrage")
        services.collaboration_add_document(
            actor=staff,
            collaboration=collaboration,
            title=title,
            url=f"https://documents.construction-circulaire.example/collaborations/{collaboration.pk}/",
        )
        count += 1
        if collaboration.kind == Collaboration.Kind.RD_PROJECT:
            budget = "poste;montant (EUR)\npersonnel;180000\nmatériaux;42000\nsous-traitance;25000\n"
            services.collaboration_add_document(
                actor=staff,
                collaboration=collaboration,
                title="Budget prévisionnel",
                file=SimpleUploadedFile("budget-previsionnel.csv", budget.encode(), content_type="text/csv"),
                is_internal=True,
            )
            count += 1
    return count


def load(stdout: TextIO, *, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    staff_users = list(
        User.objects.filter(role__in=[User.Role.STAFF, User.Role.ADMIN], is_active=True).order_by("email")
    )
    members = list(Organisation.objects.filter(pk__in=member_ids_on(today)).order_by("name"))
    companies = [o for o in members if o.kind in (Organisation.Kind.COMPANY, Organisation.Kind.STARTUP)]
    if len(companies) < 10 or not staff_users:
        stdout.write(
            "  partnerships: too few member companies or no staff login, skipped (load the ecosystem demo first)"
        )
        return {}
    staff = staff_users[0]
    research = list(
        Organisation.objects.filter(
            kind__in=[Organisation.Kind.UNIVERSITY, Organisation.Kind.RESEARCH_CENTRE]
        ).order_by("name")
    )
    public = list(
        Organisation.objects.filter(kind__in=[Organisation.Kind.PUBLIC_BODY, Organisation.Kind.AGENCY]).order_by("name")
    )
    poles = list(
        Organisation.objects.filter(kind__in=[Organisation.Kind.POLE, Organisation.Kind.CLUSTER]).order_by("name")
    )
    others = list(Organisation.objects.exclude(pk__in=[o.pk for o in members]).order_by("name"))
    research = research or companies[:3]

    collaborations = _collaborations(rng, today, staff, companies, research, public, poles)

    # Introductions over two years: older ones have an outcome, recent ones wait for their follow-up.
    introductions = []
    for _n in range(60):
        a = rng.choice(companies)
        b = rng.choice([o for o in companies + research + others[:40] if o.pk != a.pk])
        day = _date_between(rng, today - dt.timedelta(days=730), today - dt.timedelta(days=1))
        introduction = services.introduction_create(
            actor=staff,
            organisation_a=a,
            organisation_b=b,
            reason=f"{a.name} {rng.choice(REASONS)}",
            channel=rng.choice(Introduction.Channel.values),
            owner=rng.choice(staff_users),
            introduced_on=day,
            person_a=_person_of(a, today),
            notes="Contact chaleureux, à relancer." if rng.random() < 0.25 else "",
            is_internal=rng.random() < 0.08,
        )
        follow_up = day + dt.timedelta(days=rng.choice([14, 21, 30]))
        Introduction.objects.filter(pk=introduction.pk).update(follow_up_on=follow_up)
        introduction.follow_up_on = follow_up
        if follow_up < today - dt.timedelta(days=10):
            outcome = rng.choices(["meeting_held", "collaboration_started", "nothing", "unknown"], [40, 15, 30, 15])[0]
            if outcome != "unknown":
                new = None
                if outcome == "collaboration_started":
                    new = {
                        "title": f"Partenariat {a.name} – {b.name}",
                        "kind": "commercial",
                        "start_date": follow_up,
                    }
                services.introduction_record_outcome(
                    actor=staff, introduction=introduction, outcome=outcome, new_collaboration=new
                )
                Introduction.objects.filter(pk=introduction.pk).update(outcome_on=follow_up)
        introductions.append(introduction)

    # Interactions over two years with about sixty organisations.
    interactions = edited = 0
    contacts = rng.sample(members, min(60, len(members)))
    for organisation in contacts:
        person = _person_of(organisation, today)
        for _k in range(rng.randint(1, 5)):
            kind = rng.choice(Interaction.Kind.values)
            day = _date_between(rng, today - dt.timedelta(days=730), today)
            recent = day > today - dt.timedelta(days=30)
            due = today + dt.timedelta(days=rng.randint(0, 21)) if recent and rng.random() < 0.6 else None
            interaction = services.interaction_log(
                actor=staff,
                organisation=organisation,
                kind=kind,
                date=day,
                summary=rng.choice(SUMMARIES[kind]),
                person=person,
                notes="Évoque des difficultés de trésorerie." if rng.random() < 0.1 else "",
                is_internal=rng.random() < 0.1,
                next_action=rng.choice(NEXT_ACTIONS) if due else "",
                next_action_due=due,
                owner=rng.choice(staff_users),
            )
            interactions += 1
            # Corrected afterwards, as from the edit page: a next action postponed, a summary completed.
            if due and interactions % 2 == 0:
                services.interaction_update(
                    actor=staff,
                    interaction=interaction,
                    next_action_due=due + dt.timedelta(days=7),
                    notes="\n".join(filter(None, [interaction.notes, "Action reportée d'une semaine à sa demande."])),
                )
                edited += 1
            elif interactions % 10 == 0:
                services.interaction_update(
                    actor=staff, interaction=interaction, summary=f"{interaction.summary} Compte rendu complété."
                )
                edited += 1

    # Portal requests: a few open in the queue, some done (with their introductions), one declined.
    competences = list(Competence.objects.order_by("name"))
    requests = []
    for index, (needs, segment_slugs, nace) in enumerate(NEEDS):
        organisation = companies[(index * 7) % len(companies)]
        codes = [code.replace(".", "") for code in nace]
        request = services.introduction_request_submit(
            actor=None,
            organisation=organisation,
            person=_person_of(organisation, today),
            needs=needs,
            competences=_competences_for(needs, competences),
            segments=list(Segment.objects.filter(slug__in=segment_slugs)),
            nace_codes=[
                NaceCode.objects.filter(code=code).order_by("-version").first()
                for code in codes
                if NaceCode.objects.filter(code=code).exists()
            ],
        )
        if index in (0, 1, 2):  # done: an introduction made for it
            services.introduction_request_assign(actor=staff, request=request, owner=staff)
            target = rng.choice([o for o in companies + research if o.pk != organisation.pk])
            services.introduction_create(
                actor=staff,
                organisation_a=organisation,
                organisation_b=target,
                reason=needs,
                owner=staff,
                request=request,
                follow_up_on=today + dt.timedelta(days=14),
            )
            services.introduction_request_resolve(
                actor=staff, request=request, status="done", response=f"Nous vous avons présenté {target.name}."
            )
        elif index == 3:
            services.introduction_request_assign(actor=staff, request=request, owner=staff)
            services.introduction_request_resolve(
                actor=staff,
                request=request,
                status="declined",
                response="Aucun acteur de l'écosystème ne correspond ; nous vous orientons vers l'AWEX.",
            )
        elif index == 4:
            services.introduction_request_assign(actor=staff, request=request, owner=staff)
        requests.append(request)
    open_requests = IntroductionRequest.objects.filter(status__in=IntroductionRequest.OPEN_STATUSES).count()
    stdout.write(
        f"  partnerships: {Collaboration.objects.count()} collaborations "
        f"({CollaborationDocument.objects.count()} documents), "
        f"{Introduction.objects.count()} introductions, {interactions} interactions ({edited} corrected), "
        f"{len(requests)} portal requests ({open_requests} open)"
    )
    return {"collaborations": collaborations, "introductions": introductions, "requests": requests}
