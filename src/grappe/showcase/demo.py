"""Showcase part of ``grappe demo``: news, stories (some from innovation's story drafts), opportunities,
a year and a half of promotion actions, certifications, pending profile proposals, and the directory index.

Runs after the ecosystem, events and innovation loaders (order 95). Deterministic (seeded); replaces
the showcase's own rows only. Innovation's ``StoryDraft`` rows are read and marked taken over
(``taken_over_at``), never otherwise changed.
"""

import datetime as dt
import random
from typing import Any, TextIO

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from grappe.accounts.models import User
from grappe.ecosystem.models import Organisation
from grappe.showcase import profiles, search, selectors
from grappe.showcase.models import Certification, CommunicationAction, Opportunity, Post, ProfileProposal

SEED = 8

NEWS = [
    (
        "label-bas-carbone",
        {
            "fr": (
                "Un label bas carbone pour les matériaux de réemploi",
                "Le cluster et ses membres lancent un label commun.",
            ),
            "en": ("A low-carbon label for reclaimed materials", "The cluster and its members launch a shared label."),
            "nl": (
                "Een koolstofarm label voor hergebruikte materialen",
                "De cluster en zijn leden lanceren een gezamenlijk label.",
            ),
            "de": (
                "Ein CO2-armes Label für wiederverwendete Baustoffe",
                "Der Cluster und seine Mitglieder starten ein gemeinsames Label.",
            ),
        },
        "Après dix-huit mois de travail, douze membres ont défini des critères communs de traçabilité "
        "et de performance.\n\nLe label sera présenté au salon Batibouw.",
    ),
    (
        "mission-quebec",
        {
            "fr": (
                "Mission économique au Québec",
                "Huit entreprises wallonnes à Montréal avec l'agence à l'exportation.",
            ),
            "en": ("Trade mission to Quebec", "Eight Walloon companies in Montreal with the export agency."),
        },
        "Rencontres avec des maîtres d'ouvrage publics et visite de chantiers en bois massif.",
    ),
    (
        "appel-projets-renovation",
        {
            "fr": ("Appel à projets rénovation énergétique", "Jusqu'à 200 000 € pour des consortiums d'entreprises."),
            "nl": ("Projectoproep energierenovatie", "Tot 200 000 € voor consortia van bedrijven."),
        },
        "Le cluster accompagne le montage des dossiers : inscrivez-vous à l'atelier de présentation.",
    ),
    (
        "bilan-annuel",
        {"fr": ("Le cluster en chiffres", "Membres, projets et événements de l'année écoulée.")},
        "Plus de 120 membres, 30 événements et une quinzaine de projets d'innovation accompagnés.",
    ),
]

STORIES = [
    (
        "beton-recycle-hopital",
        {
            "fr": (
                "Du béton recyclé pour un hôpital",
                "Un granulat issu de la démolition, certifié pour la structure.",
            ),
            "en": ("Recycled concrete for a hospital", "Aggregate from demolition, certified for structural use."),
            "de": ("Recyclingbeton für ein Krankenhaus", "Gesteinskörnung aus Abbruch, für Tragwerke zertifiziert."),
        },
        "Trois membres du cluster ont mis au point un béton à 50 % de granulats recyclés.\n\n"
        "Le chantier a évité 1 200 tonnes de déchets.",
    ),
    (
        "isolant-chanvre",
        {
            "fr": ("Un isolant en chanvre wallon", "De la parcelle au panneau en moins de 80 km."),
            "nl": ("Een isolatie van Waalse hennep", "Van veld tot paneel binnen 80 km."),
        },
        "Une start-up et un centre de recherche ont industrialisé un panneau isolant biosourcé.",
    ),
]

OPPORTUNITIES = [
    (Opportunity.Kind.PARTNERSHIP_REQUEST, "Partenaire pour un démonstrateur de façade réemployée", 45),
    (Opportunity.Kind.TENDER, "Marché public : rénovation de 40 logements sociaux", 20),
    (Opportunity.Kind.JOB, "Ingénieur·e matériaux biosourcés (CDI)", 60),
    (Opportunity.Kind.INTERNSHIP, "Stage BIM et analyse de cycle de vie", 90),
    (Opportunity.Kind.FUNDING, "Chèques technologiques pour PME du bâtiment", 120),
    (Opportunity.Kind.PARTNERSHIP_OFFER, "Plateforme d'essais hygrothermiques ouverte aux membres", 75),
]

# (name, issuer, years of validity left; None: no expiry date)
CERTIFICATIONS = [
    ("ISO 9001", "Vinçotte", 2),
    ("ISO 14001", "Bureau Veritas", 1),
    ("VCA**", "BeSaCC-VCA", 3),
    ("B Corp", "B Lab Europe", 2),
    ("ISO 45001", "AIB-Vinçotte", 1),
    ("FSC", "Preferred by Nature", 4),
    ("Label Entreprise Écodynamique", "Bruxelles Environnement", None),
]

ACTIONS = [
    (CommunicationAction.Kind.PRESS_RELEASE, "Lancement du label bas carbone", "BE", "fr", 4000),
    (CommunicationAction.Kind.MEDIA_COVERAGE, "Article dans L'Echo", "BE", "fr", 60000),
    (CommunicationAction.Kind.MEDIA_COVERAGE, "Reportage RTBF", "BE", "fr", 150000),
    (CommunicationAction.Kind.MEDIA_COVERAGE, "Artikel in De Tijd", "BE", "nl", 45000),
    (CommunicationAction.Kind.MEDIA_COVERAGE, "Beitrag im Grenz-Echo", "BE", "de", 8000),
    (CommunicationAction.Kind.TRADE_FAIR, "Stand collectif à Batibouw", "BE", "", 30000),
    (CommunicationAction.Kind.TRADE_FAIR, "BAU Munich", "DE", "de", 2500),
    (CommunicationAction.Kind.TRADE_FAIR, "Pollutec Lyon", "FR", "fr", 1800),
    (CommunicationAction.Kind.MISSION, "Mission économique au Québec", "CA", "fr", 300),
    (CommunicationAction.Kind.MISSION, "Mission Pays-Bas : construction circulaire", "NL", "nl", 200),
    (CommunicationAction.Kind.PUBLICATION, "Guide du réemploi des matériaux", "BE", "fr", 3000),
    (CommunicationAction.Kind.NEWSLETTER, "Lettre d'information trimestrielle", "BE", "fr", 2200),
    (CommunicationAction.Kind.SOCIAL_MEDIA, "Campagne LinkedIn « Bâtir circulaire »", "BE", "en", 25000),
    (CommunicationAction.Kind.EVENT, "Journée portes ouvertes des membres", "BE", "fr", 900),
]


def _titles(languages: dict[str, tuple[str, str]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for code, (title, lead) in languages.items():
        fields[f"title_{code}"] = title
        fields[f"lead_{code}"] = lead
    return fields


@transaction.atomic
def load(stdout: TextIO, *, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    now = timezone.now()
    rng = random.Random(SEED)
    indexed = search.rebuild_index()
    public = list(selectors.public_organisations().order_by("name"))
    if not public:
        stdout.write("  showcase: no public member (load the ecosystem demo first); index only")
        return {"indexed": indexed}
    Post.objects.all().delete()
    Opportunity.objects.all().delete()
    CommunicationAction.objects.all().delete()
    ProfileProposal.objects.all().delete()
    Certification.objects.all().delete()
    for index, (slug, languages, body) in enumerate(NEWS):
        post = Post.objects.create(
            kind=Post.Kind.NEWS,
            status=Post.Status.PUBLISHED,
            slug=slug,
            published_at=now - dt.timedelta(days=7 + 23 * index),
            body_fr=body,
            **_titles(languages),
        )
        post.organisations.set(rng.sample(public, min(3, len(public))))
    for index, (slug, languages, body) in enumerate(STORIES):
        post = Post.objects.create(
            kind=Post.Kind.STORY,
            status=Post.Status.PUBLISHED,
            slug=slug,
            published_at=now - dt.timedelta(days=30 + 60 * index),
            body_fr=body,
            **_titles(languages),
        )
        post.organisations.set(rng.sample(public, min(2, len(public))))
    taken = 0
    if apps.is_installed("grappe.innovation"):
        StoryDraft = apps.get_model("innovation", "StoryDraft")
        for draft in StoryDraft.objects.filter(taken_over_at__isnull=True).order_by("pk")[:5]:
            post = Post.objects.create(
                kind=Post.Kind.STORY,
                status=Post.Status.PUBLISHED if taken == 0 else Post.Status.DRAFT,
                slug=f"projet-{draft.pk}",
                published_at=now - dt.timedelta(days=3) if taken == 0 else None,
                title_fr=draft.title[:200],
                lead_fr=draft.lead,
                body_fr=draft.body,
                source_draft_id=draft.pk,
            )
            post.organisations.set(Organisation.objects.filter(pk__in=draft.organisation_ids or []))
            StoryDraft.objects.filter(pk=draft.pk).update(taken_over_at=now)
            taken += 1
    staff = User.objects.filter(role=User.Role.STAFF).order_by("email").first()
    for index, (kind, title, days) in enumerate(OPPORTUNITIES):
        organisation = public[(index * 7) % len(public)]
        pending = index == len(OPPORTUNITIES) - 1
        Opportunity.objects.create(
            kind=kind,
            status=Opportunity.Status.PENDING if pending else Opportunity.Status.PUBLISHED,
            title=title,
            description=f"{title}. Contactez {organisation.name} via le cluster pour en savoir plus.",
            organisation=organisation,
            expires_on=today + dt.timedelta(days=days),
            published_at=None if pending else now - dt.timedelta(days=index + 1),
            contact_email=organisation.email or "",
            posted_by=staff,
        )
    certifications = 0
    for index, organisation in enumerate(public[::3]):
        for offset in range(1 + index % 2):
            name, issuer, years = CERTIFICATIONS[(index + offset * 3) % len(CERTIFICATIONS)]
            Certification.objects.create(
                organisation=organisation,
                name=name,
                issuer=issuer,
                reference=f"CERT-{today.year}-{index:03d}{offset}",
                valid_from=today - dt.timedelta(days=365),
                valid_until=today + dt.timedelta(days=365 * years) if years else None,
                submitted_by=staff,
            )
            certifications += 1
    if public:  # an expired one, a private one and one waiting for review: none of them on the public site
        first = public[0]
        Certification.objects.create(
            organisation=first, name="ISO 50001", issuer="Vinçotte", valid_until=today - dt.timedelta(days=30)
        )
        Certification.objects.create(organisation=first, name="ISO 27001", issuer="BSI", is_public=False)
        Certification.objects.create(
            organisation=first,
            name="Cradle to Cradle",
            issuer="C2C Products Innovation Institute",
            status=Certification.Status.PENDING,
        )
        certifications += 3
    actions = 0
    for year in (today.year - 1, today.year):
        for kind, title, country, language, reach in ACTIONS:
            day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            if day > today:
                continue
            action = CommunicationAction.objects.create(
                kind=kind,
                title=f"{title} {year}",
                date=day,
                end_date=day + dt.timedelta(days=3)
                if kind in (CommunicationAction.Kind.TRADE_FAIR, CommunicationAction.Kind.MISSION)
                else None,
                country=country,
                language=language,
                reach=reach + rng.randint(0, reach // 5),
                with_export_agency=kind == CommunicationAction.Kind.MISSION,
                audience=CommunicationAction.Audience.BUSINESSES,
                notes="Bilan interne : à reconduire.",
                created_by=staff,
            )
            action.organisations.set(rng.sample(public, min(rng.randint(0, 5), len(public))))
            actions += 1
    proposals = 0
    members = User.objects.filter(role=User.Role.MEMBER, person__isnull=False).order_by("email")
    for user in members[:2]:
        from grappe.accounts import permissions

        ids = permissions.member_organisation_ids(user)
        organisation = next((o for o in public if o.pk in ids), None)
        if organisation is None:
            continue
        values = profiles.published_values(organisation)
        values["description_en"] = (values["description_en"] or values["description_fr"] or organisation.name) + (
            " We now also offer on-site reuse audits."
        )
        values["description_nl"] = values["description_nl"] or f"{organisation.name}: circulair bouwen in Wallonië."
        profiles.submit(actor=user, organisation=organisation, values=values)
        proposals += 1
    stdout.write(
        f"  showcase: {indexed} public profiles indexed, {Post.objects.count()} posts ({taken} from story drafts), "
        f"{Opportunity.objects.count()} opportunities, {certifications} certifications, {actions} promotion actions, "
        f"{proposals} pending proposals"
    )
    return {"indexed": indexed, "actions": actions}
