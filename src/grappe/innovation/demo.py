# ruff: noqa: E501 -- the demo catalogue keeps one project or call per line
"""Demo innovation pipeline of « Construction Circulaire Wallonie »: ~35 projects over two years, 10 calls.

Runs after the ecosystem demo (order 60) and looks its organisations and staff up (ordered by name, so
choices are stable); every random choice comes from ``random.Random(SEED)``. Calls have invented,
generic names: they look like regional, federal and European programmes without claiming any real
programme's rules. Writes go through the services (audited), with dates in the past.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from grappe.accounts.models import User
from grappe.ecosystem.models import Competence, Organisation
from grappe.ecosystem.selectors import member_ids_on
from grappe.innovation import services
from grappe.innovation.models import FundingCall, GateChecklistItem, InnovationProject
from grappe.referential.models import NaceCode

SEED = 20260104
Stage = InnovationProject.Stage

# (title fr, title en, summary fr, domains, transitions, sdgs, competence slugs, NACE, roles, final stage, trl)
PROJECTS: list[tuple[str, str, str, list[str], list[str], list[int], list[str], list[str], list[str], str, int]] = [
    (
        "Réemploi de briques de façade",
        "Reuse of facade bricks",
        "Nettoyer, trier et requalifier des briques anciennes issues de démolitions pour la construction neuve, avec un protocole d'essais reconnu.",
        ["circular_materials", "sustainable_construction"],
        ["environmental", "economic"],
        [11, 12],
        ["analyse-cycle-de-vie"],
        ["43.11"],
        ["research", "end_user"],
        "valorisation",
        5,
    ),
    (
        "Béton bas carbone à granulats recyclés",
        "Low-carbon concrete with recycled aggregates",
        "Formuler un béton structurel à granulats recyclés et liant bas carbone, et le valider sur un chantier pilote.",
        ["circular_materials"],
        ["environmental"],
        [9, 12, 13],
        ["analyse-cycle-de-vie"],
        ["23.61"],
        ["research", "sme"],
        "running",
        4,
    ),
    (
        "Isolation biosourcée en chanvre pour la rénovation",
        "Hemp-based insulation for renovation",
        "Développer des panneaux isolants en chanvre et chaux adaptés à la rénovation du bâti ancien wallon.",
        ["sustainable_construction", "energy_transition"],
        ["environmental"],
        [7, 11, 13],
        ["isolation-biosourcee", "enduits-chaux-terre"],
        ["43.29"],
        ["research", "sme"],
        "funded",
        5,
    ),
    (
        "BIM pour la déconstruction sélective",
        "BIM for selective deconstruction",
        "Utiliser la maquette numérique pour inventorier les matériaux réemployables avant démolition.",
        ["digital", "circular_materials"],
        ["digital", "environmental"],
        [9, 12],
        ["bim", "scan-3d", "passeport-materiaux"],
        ["62.10"],
        ["research", "end_user"],
        "submitted",
        4,
    ),
    (
        "Passeport matériaux des bâtiments publics",
        "Material passports for public buildings",
        "Un passeport matériaux standardisé pour le patrimoine immobilier des communes.",
        ["digital", "circular_materials"],
        ["digital"],
        [11, 12],
        ["passeport-materiaux", "bim"],
        ["62.10"],
        ["end_user", "research"],
        "elaboration",
        3,
    ),
    (
        "Plateforme de revente de matériaux de réemploi",
        "Marketplace for reclaimed materials",
        "Une plateforme en ligne reliant démolisseurs, négociants et entrepreneurs pour les matériaux de réemploi.",
        ["digital", "circular_materials"],
        ["digital", "economic"],
        [8, 12],
        ["passeport-materiaux"],
        ["62.10", "43.11"],
        ["sme"],
        "valorisation",
        6,
    ),
    (
        "Enduits terre-chaux préfabriqués",
        "Prefabricated earth-lime plasters",
        "Industrialiser des enduits terre-chaux en sacs prêts à l'emploi à partir de terres d'excavation.",
        ["circular_materials", "sustainable_construction"],
        ["environmental", "economic"],
        [12],
        ["enduits-chaux-terre"],
        ["23.64"],
        ["research", "sme"],
        "closed",
        6,
    ),
    (
        "Rénovation profonde industrialisée de maisons mitoyennes",
        "Industrialised deep renovation of terraced houses",
        "Des modules de façade préfabriqués isolés pour rénover en quelques jours les maisons mitoyennes.",
        ["sustainable_construction", "energy_transition"],
        ["environmental", "economic"],
        [7, 11],
        ["renovation-profonde", "isolation-biosourcee"],
        ["43.29", "16.23"],
        ["research", "sme", "end_user"],
        "running",
        5,
    ),
    (
        "Pompes à chaleur en rénovation collective",
        "Heat pumps in collective renovation",
        "Dimensionner et piloter des pompes à chaleur pour les logements collectifs rénovés.",
        ["energy_transition"],
        ["environmental"],
        [7, 13],
        ["pompes-a-chaleur", "gestion-technique"],
        ["43.22"],
        ["research", "sme"],
        "elaboration",
        6,
    ),
    (
        "Jumeau numérique de chantier",
        "Construction site digital twin",
        "Suivre l'avancement et les flux de matériaux d'un chantier par scan 3D et capteurs.",
        ["digital"],
        ["digital"],
        [9],
        ["scan-3d", "bim"],
        ["62.10"],
        ["research", "end_user"],
        "emergence",
        3,
    ),
    (
        "Tri des déchets de plâtre sur chantier",
        "On-site sorting of plaster waste",
        "Un service de collecte séparée du plâtre pour sa remise en filière chez le fabricant.",
        ["circular_materials"],
        ["environmental", "economic"],
        [12],
        [],
        ["38.11", "43.11"],
        ["end_user", "sme"],
        "funded",
        7,
    ),
    (
        "Granulats recyclés certifiés pour voiries",
        "Certified recycled aggregates for roads",
        "Obtenir la certification de granulats recyclés pour un usage en sous-fondation de voirie.",
        ["circular_materials"],
        ["environmental"],
        [9, 12],
        ["analyse-cycle-de-vie"],
        ["38.32"],
        ["research"],
        "abandoned",
        6,
    ),
    (
        "Charpentes en bois de réemploi",
        "Reclaimed timber frames",
        "Requalifier des bois de charpente issus de démolition par classement mécanique.",
        ["circular_materials", "sustainable_construction"],
        ["environmental"],
        [12, 15],
        [],
        ["16.23"],
        ["research", "sme"],
        "submitted",
        4,
    ),
    (
        "Ventilation double flux intelligente",
        "Smart balanced ventilation",
        "Une régulation par capteurs de CO2 et d'humidité pour la ventilation double flux résidentielle.",
        ["energy_transition", "digital"],
        ["digital", "environmental"],
        [3, 7],
        ["ventilation-double-flux", "gestion-technique"],
        ["43.22"],
        ["research", "sme"],
        "idea",
        2,
    ),
    (
        "Stockage d'énergie de seconde vie",
        "Second-life energy storage",
        "Réutiliser des batteries de véhicules pour le stockage photovoltaïque des bâtiments tertiaires.",
        ["energy_transition", "circular_materials"],
        ["environmental", "economic"],
        [7, 12],
        ["stockage-energie", "photovoltaique"],
        ["35.11"],
        ["research", "large_company"],
        "emergence",
        3,
    ),
    (
        "Audit énergétique assisté par drone",
        "Drone-assisted energy audit",
        "Thermographie par drone et traitement automatique pour les audits de toitures.",
        ["digital", "energy_transition"],
        ["digital"],
        [7, 9],
        ["audit-energetique", "scan-3d"],
        ["71.12"],
        ["sme"],
        "abandoned",
        5,
    ),
    (
        "Analyse de cycle de vie simplifiée pour PME",
        "Simplified life-cycle assessment for SMEs",
        "Un outil d'analyse de cycle de vie simplifié pour les entrepreneurs de la rénovation.",
        ["digital", "sustainable_construction"],
        ["digital", "environmental"],
        [12, 13],
        ["analyse-cycle-de-vie"],
        ["71.12"],
        ["research"],
        "valorisation",
        7,
    ),
    (
        "Géothermie peu profonde en milieu urbain",
        "Shallow geothermal energy in cities",
        "Cartographier le potentiel de géothermie peu profonde pour les quartiers en rénovation.",
        ["energy_transition"],
        ["environmental"],
        [7, 11],
        ["geothermie"],
        ["43.22"],
        ["research", "end_user"],
        "elaboration",
        4,
    ),
    (
        "Menuiseries démontables",
        "Demountable joinery",
        "Concevoir des châssis et portes démontables pour faciliter leur réemploi en fin de vie.",
        ["circular_materials", "agile_manufacturing"],
        ["environmental", "economic"],
        [9, 12],
        [],
        ["16.23", "43.32"],
        ["research", "sme"],
        "idea",
        2,
    ),
    (
        "Béton de chanvre projeté",
        "Sprayed hempcrete",
        "Mécaniser la mise en œuvre du béton de chanvre pour réduire les temps de chantier.",
        ["sustainable_construction", "agile_manufacturing"],
        ["environmental", "economic"],
        [9, 13],
        ["isolation-biosourcee"],
        ["43.99"],
        ["research", "sme"],
        "running",
        6,
    ),
    (
        "Cellule d'expertise réemploi pour maîtres d'ouvrage",
        "Reuse advisory unit for building owners",
        "Accompagner les maîtres d'ouvrage publics dans l'inscription du réemploi dans leurs marchés.",
        ["circular_materials"],
        ["economic", "environmental"],
        [12, 16],
        [],
        ["71.11"],
        ["end_user"],
        "funded",
        7,
    ),
    (
        "Panneaux photovoltaïques en façade ventilée",
        "Photovoltaic ventilated facades",
        "Intégrer des panneaux photovoltaïques dans une façade ventilée démontable.",
        ["energy_transition", "sustainable_construction"],
        ["environmental"],
        [7, 9],
        ["photovoltaique"],
        ["43.21", "43.29"],
        ["research", "sme"],
        "submitted",
        5,
    ),
    (
        "Gestion technique des bâtiments open source",
        "Open-source building management",
        "Une couche logicielle ouverte pour piloter chauffage, ventilation et éclairage des petites écoles.",
        ["digital", "energy_transition"],
        ["digital"],
        [4, 7],
        ["gestion-technique"],
        ["62.10"],
        ["sme", "end_user"],
        "emergence",
        4,
    ),
    (
        "Terres d'excavation valorisées en briques crues",
        "Excavated soil turned into earth bricks",
        "Produire des briques de terre crue compressée à partir des terres de chantier.",
        ["circular_materials"],
        ["environmental", "economic"],
        [11, 12],
        ["enduits-chaux-terre"],
        ["23.32"],
        ["research", "sme"],
        "elaboration",
        4,
    ),
    (
        "Inventaire pré-démolition automatisé",
        "Automated pre-demolition audit",
        "Reconnaissance automatique des matériaux sur photos pour l'inventaire pré-démolition.",
        ["digital", "circular_materials"],
        ["digital"],
        [9, 12],
        ["scan-3d"],
        ["62.10"],
        ["research"],
        "idea",
        2,
    ),
    (
        "Logistique inverse des matériaux de chantier",
        "Reverse logistics for building materials",
        "Mutualiser les retours de palettes, chutes et emballages entre chantiers voisins.",
        ["circular_materials"],
        ["economic", "environmental"],
        [11, 12],
        [],
        ["49.41", "43.99"],
        ["sme", "end_user"],
        "abandoned",
        6,
    ),
    (
        "Rénovation énergétique des fermes en carré",
        "Energy renovation of square farms",
        "Des solutions compatibles avec le patrimoine pour isoler les fermes en carré.",
        ["sustainable_construction", "energy_transition"],
        ["environmental"],
        [7, 11],
        ["renovation-profonde", "isolation-biosourcee"],
        ["43.29"],
        ["research", "end_user"],
        "emergence",
        3,
    ),
    (
        "Chauffage urbain basse température",
        "Low-temperature district heating",
        "Un réseau de chaleur basse température alimenté par la récupération de chaleur industrielle.",
        ["energy_transition"],
        ["environmental", "economic"],
        [7, 11],
        ["pompes-a-chaleur"],
        ["35.30"],
        ["research", "large_company"],
        "idea",
        3,
    ),
    (
        "Vitrage de réemploi requalifié",
        "Requalified reused glazing",
        "Tester et recertifier des doubles vitrages démontés pour une seconde vie.",
        ["circular_materials"],
        ["environmental"],
        [12],
        [],
        ["23.12"],
        ["research", "sme"],
        "submitted",
        4,
    ),
    (
        "Formation des ouvriers au réemploi",
        "Training workers in reuse",
        "Un module de formation pratique au démontage soigné et à la préparation des matériaux de réemploi.",
        ["circular_materials"],
        ["economic"],
        [4, 8],
        [],
        ["85.59"],
        ["end_user"],
        "closed",
        7,
    ),
    (
        "Capteurs d'humidité dans les isolants biosourcés",
        "Moisture sensors in bio-based insulation",
        "Suivre l'humidité des parois isolées en matériaux biosourcés pour prévenir les pathologies.",
        ["digital", "sustainable_construction"],
        ["digital", "environmental"],
        [3, 9],
        ["isolation-biosourcee"],
        ["26.51"],
        ["research", "sme"],
        "elaboration",
        4,
    ),
    (
        "Modules préfabriqués en bois local",
        "Prefabricated modules in local timber",
        "Des modules de logement préfabriqués en bois feuillu wallon.",
        ["sustainable_construction", "agile_manufacturing"],
        ["environmental", "economic"],
        [9, 11, 15],
        [],
        ["16.23"],
        ["research", "sme", "large_company"],
        "funded",
        5,
    ),
    (
        "Économie de la fonctionnalité des équipements",
        "Product-as-a-service for building equipment",
        "Louer plutôt que vendre chaudières et pompes à chaleur, avec maintenance et reprise.",
        ["energy_transition", "circular_materials"],
        ["economic"],
        [8, 12],
        ["pompes-a-chaleur"],
        ["43.22"],
        ["sme", "end_user"],
        "idea",
        2,
    ),
    (
        "Carnet numérique du logement",
        "Digital home logbook",
        "Centraliser plans, interventions et matériaux d'un logement tout au long de sa vie.",
        ["digital"],
        ["digital"],
        [11],
        ["passeport-materiaux", "bim"],
        ["62.10"],
        ["end_user", "sme"],
        "emergence",
        3,
    ),
    (
        "Mortiers à base de sables de recyclage",
        "Mortars from recycled sands",
        "Remplacer une part du sable naturel par des sables fins de recyclage dans les mortiers.",
        ["circular_materials"],
        ["environmental"],
        [12],
        ["analyse-cycle-de-vie"],
        ["23.64"],
        ["research", "sme"],
        "running",
        5,
    ),
]

# (title, programme, funder, level, open offset days, length days, smes, min partners, trl, rate, domains, transitions, keywords)
CALLS: list[
    tuple[str, str, str, str, int, int, bool, int, tuple[int, int] | None, str | None, list[str], list[str], str]
] = [
    (
        "Appel régional Excellence en recherche collaborative",
        "Programme régional d'excellence collaborative",
        "Service public régional de la recherche",
        "regional",
        -60,
        120,
        True,
        2,
        (3, 6),
        "30",
        ["circular_materials", "sustainable_construction"],
        ["environmental"],
        "matériaux circulaires réemploi recherche collaborative entreprises centres de recherche",
    ),
    (
        "Appel régional Transition numérique des PME",
        "Programme régional de soutien numérique",
        "Agence régionale du numérique",
        "regional",
        -20,
        75,
        True,
        1,
        None,
        "40",
        ["digital"],
        ["digital"],
        "numérique BIM données plateforme PME",
    ),
    (
        "Appel régional Rénovation et énergie",
        "Programme régional énergie-bâtiment",
        "Administration régionale de l'énergie",
        "regional",
        -10,
        45,
        False,
        2,
        (4, 8),
        "25",
        ["energy_transition", "sustainable_construction"],
        ["environmental"],
        "rénovation énergétique isolation pompe à chaleur bâtiment",
    ),
    (
        "Appel européen Construction circulaire et neutre en carbone",
        "Programme-cadre européen de recherche et d'innovation",
        "Commission (programme-cadre)",
        "european",
        -40,
        150,
        False,
        3,
        (4, 7),
        "30",
        ["circular_materials", "sustainable_construction"],
        ["environmental", "digital"],
        "circular construction low carbon materials reuse digital logbook demonstration",
    ),
    (
        "Appel européen Démonstrateurs d'efficacité énergétique",
        "Programme-cadre européen de recherche et d'innovation",
        "Commission (programme-cadre)",
        "european",
        30,
        120,
        False,
        3,
        (5, 8),
        "30",
        ["energy_transition"],
        ["environmental"],
        "energy efficiency buildings demonstration heat pumps storage",
    ),
    (
        "Appel fédéral Normes et certification pour l'économie circulaire",
        "Programme fédéral de prénormalisation",
        "Service public fédéral Économie",
        "federal",
        -30,
        90,
        False,
        1,
        (5, 9),
        None,
        ["circular_materials"],
        ["economic"],
        "normes certification granulats recyclés réemploi essais",
    ),
    (
        "Appel fédéral Innovation dans la construction",
        "Programme fédéral d'innovation sectorielle",
        "Service public fédéral Économie",
        "federal",
        -400,
        90,
        True,
        1,
        None,
        "50",
        ["sustainable_construction"],
        ["economic"],
        "innovation construction entreprises",
    ),
    (
        "Appel régional Économie circulaire 2025",
        "Programme régional d'économie circulaire",
        "Administration régionale de l'environnement",
        "regional",
        -500,
        100,
        True,
        2,
        (3, 7),
        "30",
        ["circular_materials"],
        ["environmental", "economic"],
        "économie circulaire déchets de construction réemploi",
    ),
    (
        "Appel européen Compétences vertes",
        "Programme européen éducation et formation",
        "Agence exécutive européenne",
        "european",
        -300,
        120,
        False,
        3,
        None,
        "20",
        ["sustainable_construction"],
        ["economic"],
        "formation compétences réemploi ouvriers",
    ),
    (
        "Appel régional Prototypes et pilotes industriels",
        "Programme régional de prototypage",
        "Agence régionale de l'innovation",
        "regional",
        -15,
        60,
        True,
        1,
        (5, 8),
        "50",
        ["agile_manufacturing", "circular_materials"],
        ["economic"],
        "prototype pilote industrialisation préfabrication",
    ),
]

PIPELINE = list(InnovationProject.PIPELINE)
REJECTION_REASONS = [
    "Dossier non retenu par le financeur : consortium jugé trop faible.",
    "Le porteur a changé de priorités.",
    "Solution concurrente déjà sur le marché.",
]


def _organisations() -> dict[str, list[Organisation]]:
    members = member_ids_on(timezone.localdate())
    companies = list(
        Organisation.objects.filter(kind__in=(Organisation.Kind.COMPANY, Organisation.Kind.STARTUP)).order_by("name")
    )
    research = list(
        Organisation.objects.filter(
            kind__in=(Organisation.Kind.RESEARCH_CENTRE, Organisation.Kind.UNIVERSITY)
        ).order_by("name")
    )
    public = list(Organisation.objects.filter(kind=Organisation.Kind.PUBLIC_BODY).order_by("name"))
    return {
        "member_companies": [o for o in companies if o.pk in members],
        "companies": companies,
        "research": research,
        "public": public,
    }


def _calls(rng: random.Random, today: dt.date) -> list[FundingCall]:
    calls = []
    for title, programme, funder, level, offset, length, smes, minimum, trl, rate, domains, transitions, kw in CALLS:
        opens = today + dt.timedelta(days=offset)
        calls.append(
            services.call_create(
                actor=None,
                title=title,
                programme=programme,
                funder=funder,
                level=level,
                opens_on=opens,
                closes_on=opens + dt.timedelta(days=length),
                budget=Decimal(rng.choice([2, 3, 5, 8, 12, 20])) * Decimal(1_000_000),
                smes_required=smes,
                min_partners=minimum,
                countries=["BE"] if level != "european" else [],
                trl_min=trl[0] if trl else None,
                trl_max=trl[1] if trl else None,
                own_contribution_rate=Decimal(rate) if rate else None,
                domains=domains,
                transitions=transitions,
                keywords=kw,
                description=kw.capitalize() + ".",
            )
        )
    return calls


def _documents(project: InnovationProject, owner: Any, budget: Decimal, requested: Decimal) -> int:
    """A scoping note and a budget table, uploaded through the service (shared upload validator)."""
    note = (
        f"Note de cadrage — {project.title}\n\n{project.summary}\n\n"
        f"Porteur : {project.lead_organisation.name}\nTRL visé : {project.trl_target or '?'}\n"
    )
    table = (
        "poste;montant (EUR)\n"
        f"personnel;{(budget * Decimal('0.55')).quantize(Decimal('1'))}\n"
        f"équipements;{(budget * Decimal('0.25')).quantize(Decimal('1'))}\n"
        f"sous-traitance;{(budget * Decimal('0.20')).quantize(Decimal('1'))}\n"
        f"financement demandé;{requested}\n"
    )
    for title, name, content in (
        ("Note de cadrage", "note-de-cadrage.txt", note),
        ("Budget prévisionnel", "budget-previsionnel.csv", table),
    ):
        services.document_add(
            actor=owner, project=project, title=title, upload=SimpleUploadedFile(name, content.encode("utf-8"))
        )
    return 2


def _calls_from_watch(today: dt.date) -> int:
    """Turn the watch demo's call announcements (if any) into funding calls that keep their item."""
    from grappe.watch.models import Item

    items = (
        Item.objects.filter(title__istartswith="Appel à projets")
        .exclude(status=Item.Status.DISCARDED)
        .order_by("-published_at", "pk")[:2]
    )
    created = 0
    for offset, item in enumerate(items):
        fields: dict[str, Any] = {
            "programme": "Wallonie — appels thématiques",
            "funder": "SPW Économie",
            "level": "regional",
        }
        initial = services.call_initial_from_watch_item(item)
        if "closes_on" not in initial or initial["closes_on"] <= initial["opens_on"]:
            fields["closes_on"] = max(today, initial["opens_on"]) + dt.timedelta(days=45 + 15 * offset)
        services.call_create_from_watch_item(actor=None, item=item, **fields)
        created += 1
    return created


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])), tzinfo=timezone.get_current_timezone()
    )


@transaction.atomic
def load(stdout: TextIO, *, today: dt.date | None = None) -> dict[str, Any]:
    rng = random.Random(SEED)
    today = today or timezone.localdate()
    if InnovationProject.objects.exists():
        stdout.write("innovation: demo data already present, nothing done\n")
        return {}
    staff = list(User.objects.filter(role__in=(User.Role.STAFF, User.Role.ADMIN)).order_by("email"))
    orgs = _organisations()
    leads = orgs["member_companies"] or orgs["companies"]
    if not leads:
        stdout.write("innovation: no companies in the ecosystem (run the ecosystem demo first), nothing done\n")
        return {}
    competences = {c.slug: c for c in Competence.objects.all()}
    calls = _calls(rng, today)
    open_calls = [c for c in calls if c.opens_on <= today <= c.closes_on]
    past_calls = [c for c in calls if c.closes_on < today]
    n_moves = n_actions = n_outcomes = n_documents = n_stories = 0
    for index, (title, title_en, summary, domains, transitions, sdgs, comp, nace, roles, final, trl) in enumerate(
        PROJECTS
    ):
        lead = leads[(index * 7) % len(leads)]
        owner = staff[index % len(staff)] if staff else None
        final_index = PIPELINE.index(final) if final in PIPELINE else rng.randint(1, 3)
        # Projects further down the pipeline started earlier; every stay lasts 3 weeks to 5 months.
        stays = [rng.randint(20, 150) for _ in range(final_index + 1)]
        start = today - dt.timedelta(days=min(720, sum(stays) + rng.randint(5, 40)))
        budget = Decimal(rng.randrange(80, 1600, 20)) * Decimal(1000)
        requested = (budget * Decimal(rng.choice(["0.5", "0.6", "0.7"]))).quantize(Decimal("1"))
        project = services.project_create(
            actor=owner,
            title=title,
            title_en=title_en,
            summary=summary,
            lead_organisation=lead,
            owner=owner,
            at=_at(start, rng),
            transitions=transitions,
            domains=domains,
            sdgs=sdgs,
            trl_now=trl,
            trl_target=min(9, trl + rng.randint(2, 3)),
            budget=budget,
            funding_requested=requested,
            confidentiality="staff" if index % 11 == 5 else "consortium",
            origin=rng.choice(["staff", "portal_idea", "portal_help"]) if index % 3 else "portal_idea",
            needed_competences=[competences[s] for s in comp if s in competences],
            needed_nace=list(NaceCode.objects.filter(version="2025", code__in=[c.replace(".", "") for c in nace])),
            needed_roles=roles,
        )
        partners: list[tuple[Organisation, str]] = []
        if final_index >= 2:  # a consortium exists from the elaboration stage on
            if "research" in roles and orgs["research"]:
                partners.append((orgs["research"][(index * 3) % len(orgs["research"])], "research"))
            if "end_user" in roles and orgs["public"]:
                partners.append((orgs["public"][index % len(orgs["public"])], "end_user"))
            for other in rng.sample(orgs["companies"], k=min(len(orgs["companies"]), rng.randint(1, 2))):
                partners.append((other, "sme" if other.sme_status in ("micro", "small", "medium") else "subcontractor"))
        for organisation, role in partners:
            if organisation.pk != lead.pk and not project.partners.filter(organisation=organisation).exists():
                services.partner_add(actor=owner, project=project, organisation=organisation, role=role)
        if final_index >= 2:  # shaped projects have their scoping note and budget on file
            n_documents += _documents(project, owner, budget, requested)
        day = start
        for step, stage in enumerate(PIPELINE[1 : final_index + 1], start=1):
            day = min(today, day + dt.timedelta(days=stays[step - 1]))
            GateChecklistItem.objects.filter(project=project, stage=PIPELINE[step - 1]).update(done=True)
            if stage == Stage.SUBMITTED:
                call = rng.choice(past_calls or calls) if final_index > 3 else rng.choice(open_calls or calls)
                services.project_update(actor=owner, project=project, funding_call=call)
            if stage == Stage.FUNDED:
                services.project_update(actor=owner, project=project, funding_obtained=requested)
            services.project_move_stage(actor=owner, project=project, to_stage=stage, at=_at(day, rng))
            n_moves += 1
        if final == Stage.ABANDONED:
            day = min(today, day + dt.timedelta(days=rng.randint(20, 90)))
            services.project_move_stage(
                actor=owner,
                project=project,
                to_stage=Stage.ABANDONED,
                reason=rng.choice(REJECTION_REASONS),
                at=_at(day, rng),
            )
            n_moves += 1
        for _ in range(rng.randint(1, 2 + final_index)):
            action_day = start + dt.timedelta(days=rng.randint(0, max(1, (today - start).days)))
            services.support_action_log(
                actor=owner,
                kind=rng.choice(
                    ["coaching", "coaching", "partner_search", "funding_search", "expert_referral", "pitch"]
                ),
                date=action_day,
                hours=Decimal(rng.choice(["1", "1.5", "2", "3", "4", "6"])),
                project=project,
                staff=owner,
                summary="",
            )
            n_actions += 1
        if final in (Stage.VALORISATION, Stage.CLOSED):
            services.support_action_log(
                actor=owner, kind="valorisation", date=day, hours=Decimal("3"), project=project, staff=owner
            )
            services.valorisation_record(
                actor=owner,
                project=project,
                kind=rng.choice(["product", "service"]),
                title=title,
                date=day,
                jobs_created=rng.randint(1, 6),
                turnover_expected=Decimal(rng.randrange(100, 900, 50)) * Decimal(1000),
            )
            n_outcomes += 1
            if project.confidentiality == InnovationProject.Confidentiality.CONSORTIUM:
                # The one-click success story; the showcase demo (loaded later) takes some drafts over.
                services.story_from_project(actor=owner, project=project)
                n_stories += 1
    # Support given to organisations without a project yet (first contacts, referrals).
    for organisation in rng.sample(leads, k=min(8, len(leads))):
        services.support_action_log(
            actor=staff[0] if staff else None,
            kind=rng.choice(["coaching", "expert_referral", "funding_search"]),
            date=today - dt.timedelta(days=rng.randint(5, 300)),
            hours=Decimal(rng.choice(["1", "2"])),
            organisation=organisation,
            staff=staff[0] if staff else None,
        )
        n_actions += 1
    n_watch_calls = _calls_from_watch(today)
    stdout.write(
        f"innovation: {len(PROJECTS)} projects, {len(calls)} calls (+{n_watch_calls} from watch items), "
        f"{n_moves} stage moves, {n_actions} support actions, {n_outcomes} valorised results, "
        f"{n_documents} documents, {n_stories} success-story drafts\n"
    )
    return {"projects": len(PROJECTS), "calls": len(calls)}
