"""The watch part of ``grappe demo``: sources, ~150 items through the real ingest path, rules, triage,
annotated regulations, subscriptions of member people and a few sent digests.

Runs after the ecosystem demo (order 40) and uses its topics (by slug), segments and people. Sources
use ``.example`` addresses and have polling disabled: the demo never touches the network.
Deterministic: every choice comes from ``random.Random(SEED)``; dates are relative to now.
"""

import datetime as dt
import random
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from grappe.ecosystem.models import Affiliation, Consent, Person, Segment, Topic
from grappe.referential.models import NaceCode
from grappe.watch import digests
from grappe.watch.ingest import ingest_entries
from grappe.watch.models import Digest, Item, ItemTopic, Source, Subscription, TopicProfile, TopicRule
from grappe.watch.parsing import ParsedEntry
from grappe.watch.tagging import Tagger, train_topic_classifier

SEED = 20250640

# (slug, url, title, category, language)
SOURCES = (
    (
        "spw-environnement",
        "https://environnement.wallonie.example/actualites/rss",
        "SPW Agriculture, Ressources naturelles et Environnement",
        "regulation",
        "fr",
    ),
    (
        "moniteur",
        "https://moniteur.belgique.example/flux/construction.xml",
        "Moniteur belge — construction et environnement",
        "regulation",
        "fr",
    ),
    ("energie-wallonie", "https://energie.wallonie.example/peb/feed", "Énergie Wallonie — PEB", "regulation", "fr"),
    ("ovam", "https://ovam.vlaanderen.example/nieuws/rss", "OVAM — nieuws", "regulation", "nl"),
    (
        "eur-lex",
        "https://eur-lex.europa.example/construction/atom",
        "EUR-Lex — construction products",
        "regulation",
        "en",
    ),
    (
        "buildwise",
        "https://www.buildwise.example/fr/actualites/rss",
        "Buildwise — actualités techniques",
        "technology",
        "fr",
    ),
    (
        "ccw-partenaires",
        "https://agenda.partenaires.example/ccw.ics",
        "Agenda des partenaires",
        "ecosystem_events",
        "fr",
    ),
    ("sowalfin", "https://www.sowalfin.example/appels/feed", "Appels et financements wallons", "funding", "fr"),
    ("horizon-europe", "https://cinea.europa.example/calls/feed", "Horizon Europe — calls", "funding", "en"),
    (
        "marche-construction",
        "https://www.construction-marche.example/rss",
        "Le marché de la construction",
        "market",
        "fr",
    ),
    ("dena", "https://www.dena.example/newsroom/rss", "Bauen und Sanieren — Newsroom", "technology", "de"),
    (
        "cstc-page",
        "https://www.reglementation.wallonie.example/conditions-sectorielles",
        "Conditions sectorielles (page suivie)",
        "regulation",
        "fr",
    ),
)

# Rules per topic slug: (language or "", expression).
RULES = {
    "peb": [
        ("", "PEB OR EPB OR EPBD OR GEE"),
        ("fr", '"performance énergétique"'),
        ("nl", "energieprestatie"),
        ("de", "Gesamtenergieeffizienz"),
    ],
    "marches-publics-circulaires": [
        ("fr", '"marché public" OR "marchés publics"'),
        ("nl", "overheidsopdracht*"),
        ("en", '"public procurement"'),
    ],
    "materiaux-biosources": [("", "chanvre OR paille OR hennep OR hanf OR hemp OR biosourc* OR biobased")],
    "taxonomie-europeenne": [("", "taxonomie OR taxonomy OR taxonomi*")],
    "cpr": [
        ("", "CPR OR BauPVO"),
        ("fr", '"produits de construction" OR "marquage CE"'),
        ("en", '"construction products"'),
    ],
    "dechets-construction": [
        ("fr", "déchets AND (construction OR démolition OR chantier*)"),
        ("nl", "bouwafval OR sloopafval"),
        ("de", "Bauabfälle OR Abbruchabfälle"),
    ],
    "reemploi": [
        ("fr", "réemploi OR réutilisation"),
        ("nl", "hergebruik"),
        ("en", "reuse"),
        ("de", "Wiederverwendung"),
    ],
    "amiante": [("", "amiante OR asbest OR asbestos OR désamiantage")],
    "primes-renovation": [("fr", "prime* AND rénovation"), ("nl", "renovatiepremie*"), ("de", "Sanierungsprämie*")],
    "bim-numerique": [("", 'BIM OR openBIM OR "jumeau numérique" OR "digital twin" OR "passeport matériaux"')],
    "financement-innovation": [
        ("fr", '"appel à projets" OR financement'),
        ("en", "call OR funding"),
        ("nl", "projectoproep"),
    ],
    "energies-renouvelables": [
        (
            "",
            'photovoltaïque OR photovoltaic OR "pompe à chaleur" OR warmtepomp OR Wärmepumpe OR "communauté d\'énergie"'
            " OR photovoltaik",
        )
    ],
}

# Item titles per source slug (a summary is derived); {year} is next year.
TITLES = {
    "spw-environnement": [
        "Nouvel arrêté sur la traçabilité des déchets de construction et de démolition",
        "Permis d'environnement : conditions sectorielles des centres de tri de déchets de chantier",
        "Inventaire amiante obligatoire avant travaux de démolition dès le 1er juillet",
        "Plan wallon des déchets-ressources : état d'avancement des mesures construction",
        "Guide pratique du tri sélectif des déchets sur chantier",
        "Amiante : nouvelles règles pour le désamiantage des toitures en fibrociment",
        "Consultation publique sur le réemploi des matériaux dans les chantiers publics",
        "Terres excavées : rappel des obligations de traçabilité",
        "Déchets de démolition : objectifs de valorisation relevés pour {year}",
        "Certificat de contrôle du sol et chantiers de démolition",
        "Réemploi des éléments de structure : appel aux chantiers pilotes",
        "Amiante dans les écoles : calendrier de désamiantage",
        "Nouvelles conditions intégrales pour les installations de concassage",
    ],
    "moniteur": [
        "Décret relatif aux marchés publics circulaires : publication au Moniteur",
        "Arrêté du Gouvernement wallon modifiant la PEB des bâtiments neufs",
        "Marchés publics : clauses de réemploi dans les cahiers des charges de travaux",
        "Arrêté relatif aux primes à la rénovation des logements",
        "Modification du Code wallon de l'habitation durable",
        "Décret sur les communautés d'énergie renouvelable",
        "Arrêté amiante : inventaire obligatoire avant démolition des bâtiments publics",
        "Marchés publics de travaux : critères environnementaux et taxonomie européenne",
        "Règlement sur la gestion des terres excavées : entrée en vigueur",
        "Arrêté relatif au passeport matériaux des bâtiments publics",
        "Primes rénovation : nouveaux plafonds pour l'isolation de toiture",
        "Code du développement territorial : simplification des permis de rénovation",
    ],
    "energie-wallonie": [
        "PEB {year} : ce qui change pour les bâtiments neufs",
        "Certificat PEB des bâtiments publics : nouvelle échéance",
        "Transposition de la directive EPBD révisée : calendrier wallon",
        "Pompe à chaleur et PEB : méthode de calcul mise à jour",
        "Performance énergétique : exigences renforcées pour les rénovations lourdes",
        "Primes Habitation : bonus pour l'isolation biosourcée",
        "Photovoltaïque et autoconsommation collective : nouvelles règles",
        "PEB : logiciel de calcul version {year}",
        "Audit logement et primes à la rénovation : mode d'emploi",
        "Performance énergétique des bâtiments tertiaires : obligations de rénovation",
        "Communauté d'énergie : premiers projets agréés en Wallonie",
        "Rénovation énergétique des écoles : appel à candidatures",
    ],
    "ovam": [
        "Nieuwe regels voor bouwafval en sloopafval op werven",
        "Asbestafbouwplan: asbestattest verplicht bij verkoop",
        "Selectieve sloop en sloopopvolgingsplan: wat verandert er",
        "Hergebruik van bouwmaterialen: nieuwe praktijkgids",
        "Circulaire overheidsopdrachten in de bouw: ervaringen uit Vlaanderen",
        "Asbest in daken: subsidies voor verwijdering verlengd",
        "Materialenpaspoort voor gebouwen: proefprojecten",
        "Bouwafval: recyclagegranulaten met kwaliteitslabel",
        "Biobased materialen in renovatie: hennep en stro",
        "Energieprestatie en renovatieplicht voor niet-residentiële gebouwen",
        "Warmtepomp en renovatiepremie: nieuwe voorwaarden",
        "Hergebruik van bakstenen: technische voorschriften",
    ],
    "eur-lex": [
        "Construction Products Regulation (CPR): new environmental requirements published",
        "EU taxonomy: technical screening criteria for renovation of existing buildings",
        "Energy Performance of Buildings Directive (EPBD) recast enters into force",
        "Digital product passport for construction products: implementing act",
        "Waste Framework Directive: targets for construction and demolition waste",
        "Public procurement: green criteria for office buildings",
        "CPR: harmonised standards and the declaration of performance",
        "EU taxonomy and construction: do no significant harm criteria",
        "Asbestos at work directive: lower exposure limit",
        "Reuse of construction products under the new CPR",
        "EPBD: zero-emission buildings from 2030",
        "Construction products: CE marking and sustainability information",
    ],
    "buildwise": [
        "Isolation biosourcée : retour d'expérience sur le chanvre-chaux",
        "BIM et passeport matériaux : guide pour les entreprises",
        "Réemploi des briques : essais de caractérisation",
        "Jumeau numérique de chantier : démonstration en Wallonie",
        "Pompes à chaleur en rénovation : dimensionnement",
        "Bétons à granulats recyclés : recommandations",
        "Paille porteuse : nouvelle note d'information technique",
        "openBIM : format IFC pour les marchés publics",
        "Déconstruction sélective : méthode d'inventaire pré-démolition",
        "Panneaux photovoltaïques intégrés aux toitures : détails d'exécution",
        "Isolation par l'intérieur : risques et solutions",
        "Réutilisation des éléments en acier : protocole d'essais",
        "Produits de construction et marquage CE : questions fréquentes",
    ],
    "ccw-partenaires": [
        "Atelier réemploi des matériaux — Namur",
        "Matinée BIM et numérique du bâtiment — Liège",
        "Visite d'un chantier de déconstruction sélective — Charleroi",
        "Webinaire taxonomie européenne pour les PME de la construction",
        "Rencontres B2B matériaux biosourcés — Gembloux",
        "Formation amiante pour chefs de chantier — Mons",
        "Salon de la rénovation énergétique — Louvain-la-Neuve",
        "Journée d'étude marchés publics circulaires — Namur",
        "Atelier pompes à chaleur pour installateurs — Wavre",
        "Table ronde financement de l'innovation — Liège",
        "Visite d'une usine de panneaux en paille — Arlon",
        "Atelier passeport matériaux — Mons",
    ],
    "sowalfin": [
        "Appel à projets économie circulaire dans la construction : dépôt avant le 30 septembre",
        "Financement de l'innovation : prêt pour les PME du bâtiment durable",
        "Appel à projets rénovation énergétique des bâtiments publics",
        "Chèques entreprises : financement de l'audit énergétique",
        "Appel à projets matériaux biosourcés : filière chanvre",
        "Financement du réemploi : nouvel instrument pour les PME",
        "Appel à projets jumeaux numériques pour la construction",
        "Garantie régionale pour l'investissement en photovoltaïque",
        "Appel à projets communautés d'énergie renouvelable",
        "Financement de la transition numérique des entreprises de construction",
        "Appel à projets déconstruction et réemploi",
        "Prime à l'investissement pour les équipements de recyclage des déchets de construction",
    ],
    "horizon-europe": [
        "Horizon Europe call: circular construction demonstrators",
        "Funding for digital twins of the built environment",
        "Call: bio-based materials for energy-efficient renovation",
        "LIFE programme call: construction and demolition waste",
        "Built4People partnership: 2025 funding call",
        "Call for proposals: reuse of building components",
        "Innovation Fund: heat pumps manufacturing",
        "Call: industrialised deep renovation",
        "EIC Accelerator: construction technology startups",
        "Funding: public procurement of innovation in construction",
        "Call: digital building logbooks and material passports",
        "New European Bauhaus: funding opportunities",
    ],
    "marche-construction": [
        "Le prix des matériaux de construction se stabilise",
        "Marché de la rénovation : hausse des demandes de primes",
        "Pénurie de main-d'œuvre dans la construction wallonne",
        "Réemploi : les plateformes de matériaux de seconde main se structurent",
        "Marchés publics : le réemploi gagne du terrain dans les cahiers des charges",
        "Construction neuve en recul, rénovation en hausse",
        "Pompes à chaleur : ventes en baisse après les années record",
        "Photovoltaïque : les installateurs face à la fin du compteur qui tourne",
        "Matériaux biosourcés : une filière chanvre en croissance",
        "Déchets de construction : les centres de tri saturés",
        "BIM : l'adoption progresse chez les PME",
        "Taxonomie européenne : les banques demandent des preuves",
    ],
    "dena": [
        "Neue Regeln für Bauabfälle und Abbruchabfälle auf Baustellen",
        "Gesamtenergieeffizienz von Gebäuden: Novelle verabschiedet",
        "Wärmepumpe im Bestand: Leitfaden für Handwerker",
        "Wiederverwendung von Bauteilen: Pilotprojekte",
        "Sanierungsprämie für Dämmung erhöht",
        "BIM in der öffentlichen Beschaffung",
        "Hanf und Stroh: biobasierte Baustoffe im Kommen",
        "Asbest: neue Pflichten vor Abbrucharbeiten",
        "EU-Taxonomie für Bauunternehmen erklärt",
        "Photovoltaik auf Dächern: Pflicht für Neubauten",
        "BauPVO: was Hersteller jetzt tun müssen",
        "Digitaler Gebäudepass: Start der Testphase",
    ],
}

SUMMARIES = [
    "Le texte précise les obligations des entreprises et le calendrier d'application.",
    "Les entreprises du secteur sont invitées à anticiper ces changements.",
    "Une séance d'information est prévue pour les professionnels.",
    "Les détails techniques sont disponibles dans le document complet.",
    "Cette évolution concerne en particulier les PME de la construction.",
]

ANNOTATIONS = [
    "S'applique à tous les membres qui réalisent des travaux de démolition à partir de la date d'entrée en vigueur.",
    "Bureaux d'études et entreprises générales : les cahiers des charges devront intégrer ces clauses.",
    "Les fabricants de matériaux doivent mettre à jour leurs déclarations de performance.",
    "Impact direct sur les installateurs : formation recommandée avant l'échéance.",
    "À relayer aux membres du segment rénovation énergétique ; le cluster organise un atelier.",
]
OBLIGATIONS = [
    "Inventaire amiante réalisé par un expert agréé avant tout permis de démolition.",
    "Tri à la source en six fractions et registre de traçabilité des déchets.",
    "Certificat PEB actualisé à la réception des travaux.",
    "Clause de réemploi d'au moins 5 % des matériaux dans les marchés de travaux publics.",
    "Déclaration des performances environnementales des produits mis sur le marché.",
]
SEGMENTS_BY_TOPIC = {
    "amiante": ["deconstruction-reemploi", "construction"],
    "dechets-construction": ["deconstruction-reemploi", "construction"],
    "peb": ["isolation-finitions", "audit-conseil", "chauffage-ventilation"],
    "cpr": ["materiaux"],
    "marches-publics-circulaires": ["conception", "construction"],
    "reemploi": ["deconstruction-reemploi", "materiaux"],
    "primes-renovation": ["isolation-finitions", "audit-conseil"],
    "taxonomie-europeenne": ["conception", "audit-conseil"],
}


def reset() -> None:
    for model in (Digest, Subscription, ItemTopic, Item, Source, TopicRule, TopicProfile):
        model._base_manager.all().delete()


@transaction.atomic
def load(stdout: TextIO) -> dict[str, int]:
    rng = random.Random(SEED)
    reset()
    now = timezone.now().replace(microsecond=0)
    topics = {t.slug: t for t in Topic.objects.all()}
    if not topics:
        stdout.write("  watch: no topics (load the ecosystem demo first); nothing loaded")
        return {}
    for slug, topic in topics.items():
        TopicProfile.objects.create(
            topic=topic, public_feed=slug in ("energies-renouvelables", "financement-innovation")
        )
        for language, expression in RULES.get(slug, []):
            TopicRule.objects.create(topic=topic, language=language, expression=expression)
    sources = {}
    for slug, url, title, category, language in SOURCES:
        kind = {"ccw-partenaires": "ical", "cstc-page": "webpage", "eur-lex": "atom"}.get(slug, "rss")
        sources[slug] = Source.objects.create(
            url=url,
            title=title,
            kind=kind,
            category=category,
            language=language,
            polling_enabled=False,
            last_success_at=now - dt.timedelta(hours=rng.randint(1, 20)),
            poll_interval_minutes=rng.choice([60, 180, 360, 720]),
        )
    # One source in trouble, so staff see what a failing source looks like.
    troubled = sources["horizon-europe"]
    troubled.consecutive_failures = 5
    troubled.status = Source.Status.PAUSED
    troubled.auto_paused = True
    troubled.last_error_at = now - dt.timedelta(hours=3)
    troubled.last_error = "Le serveur a répondu 503."
    troubled.save()
    sources["cstc-page"].page_text = "Conditions sectorielles\nSeuil : 30 tonnes par jour."
    sources["cstc-page"].save()

    tagger = Tagger()
    year = now.year + 1
    for slug, titles in TITLES.items():
        source = sources[slug]
        entries = []
        for index, title in enumerate(titles):
            published = now - dt.timedelta(days=rng.randint(0, 75), hours=rng.randint(0, 23))
            title = title.format(year=year)
            entry = ParsedEntry(
                title=title,
                link=f"{source.url.rsplit('/', 1)[0]}/{index + 1}-{rng.randint(1000, 9999)}",
                guid=f"{slug}-{index}",
                summary=f"<p>{rng.choice(SUMMARIES)}</p>",
                published=published,
            )
            if source.kind == Source.Kind.ICAL:
                start = (now + dt.timedelta(days=rng.randint(5, 90))).replace(hour=9, minute=30, second=0)
                entry.kind = Item.Kind.EVENT
                entry.event_start, entry.event_end = start, start + dt.timedelta(hours=3)
                entry.location = title.rsplit(" — ", 1)[-1]
            entries.append(entry)
        ingest_entries(source, entries, now - dt.timedelta(hours=rng.randint(1, 48)), tagger=tagger)
    # The same story from a second source: a near-duplicate group for the triage queue.
    ingest_entries(
        sources["marche-construction"],
        [ParsedEntry(title="Nouvel arrêté sur la traçabilité des déchets de construction et de démolition.",
                     link="https://www.construction-marche.example/arrete-tracabilite", summary="<p>Reprise.</p>",
                     published=now - dt.timedelta(days=2))],
        now,
        tagger=tagger,
    )  # fmt: skip
    # A change detected on the watched page.
    ingest_entries(
        sources["cstc-page"],
        [
            ParsedEntry(
                title="Conditions sectorielles (page suivie) : page modifiée",
                guid=f"change:{now.isoformat()}",
                published=now - dt.timedelta(days=1),
                kind=Item.Kind.PAGE_CHANGE,
                diff="--- avant\n+++ après\n@@ -1,2 +1,2 @@\n Conditions sectorielles\n-Seuil : 30 tonnes par jour.\n"
                "+Seuil : 50 tonnes par jour.",
            )
        ],
        now,
        tagger=tagger,
    )
    stats = _triage(rng, now, topics)
    trained = sum(train_topic_classifier(t.pk)["trained"] for t in topics.values())
    subscriptions, digests_sent = _subscriptions_and_digests(rng, now, topics)
    counts = {
        "sources": Source.objects.count(),
        "items": Item.objects.count(),
        "kept": stats["kept"],
        "regulations": stats["regulations"],
        "classifiers": trained,
        "subscriptions": subscriptions,
        "digests": digests_sent,
    }
    stdout.write("  watch: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


def _triage(rng: random.Random, now: dt.datetime, topics: dict[str, Topic]) -> dict[str, int]:
    from grappe.accounts.models import User

    staff = User.objects.filter(role=User.Role.STAFF).order_by("pk").first()
    segments = {s.slug: s for s in Segment.objects.all()}
    naces = {n.code: n for n in NaceCode.objects.filter(version="2025", code__in=["43110", "43120", "41000", "71120"])}
    kept = regulations = 0
    items = list(Item.objects.select_related("source").prefetch_related("item_topics__topic").order_by("pk"))
    for item in items:
        age_days = (now - item.published_at).days
        roll = rng.random()
        if age_days < 4 and roll < 0.7:
            continue  # the recent ones wait in the queue
        if not item.item_topics.all() and roll < 0.6:
            item.status = Item.Status.DISCARDED
        else:
            item.status = Item.Status.KEPT if roll < 0.85 else Item.Status.DISCARDED
        item.triaged_at = min(now, item.published_at + dt.timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 8)))
        item.triaged_by = staff
        links = list(item.item_topics.all())
        if item.status == Item.Status.KEPT:
            kept += 1
            if item.source.category == Source.Category.REGULATION and item.kind == Item.Kind.ENTRY:
                regulations += 1
                item.annotation = rng.choice(ANNOTATIONS)
                item.obligations = rng.choice(OBLIGATIONS)
                item.effective_date = (now + dt.timedelta(days=rng.randint(-30, 300))).date()
                slugs = {s for link in links for s in SEGMENTS_BY_TOPIC.get(link.topic.slug, [])}
                affected = [segments[s] for s in sorted(slugs) if s in segments]
                item.save()
                item.affected_segments.set(affected)
                item.segments.set(affected)
                if links and links[0].topic.slug in ("amiante", "dechets-construction") and naces:
                    item.nace_codes.set([n for c, n in naces.items() if c.startswith("431")])
        for link in links:
            # Staff confirm most suggestions and reject a few: the marks that teach the classifiers.
            link.relevant = item.status == Item.Status.KEPT and (link.origin == "rule" or rng.random() < 0.7)
            link.marked_by, link.marked_at = staff, item.triaged_at
        if links:
            ItemTopic.objects.bulk_update(links, ["relevant", "marked_by", "marked_at"])
        item.save()
    return {"kept": kept, "regulations": regulations}


def _subscriptions_and_digests(rng: random.Random, now: dt.datetime, topics: dict[str, Topic]) -> tuple[int, int]:
    """Member people with a digest consent subscribe to their interests; ten got digests these weeks."""
    from grappe.ecosystem.selectors import member_ids_on

    members = member_ids_on(now.date())
    people = list(
        Person.objects.filter(
            pk__in=Affiliation.objects.filter(organisation_id__in=members, end_date__isnull=True).values("person_id"),
            consents__purpose=Consent.Purpose.WATCH_DIGEST,
            consents__withdrawn_at__isnull=True,
            erased_at__isnull=True,
        )
        .distinct()
        .prefetch_related("interests")
        .order_by("pk")
    )
    demo_member = Person.objects.filter(user__email__startswith="member@").first()
    chosen = rng.sample(people, k=min(40, len(people)))
    if demo_member and demo_member not in chosen:
        chosen.append(demo_member)
    topic_list = sorted(topics.values(), key=lambda t: t.slug)
    subscriptions = []
    for person in chosen:
        wanted = list(person.interests.all()) or rng.sample(topic_list, k=2)
        for topic in wanted:
            subscriptions.append(
                Subscription(
                    person=person,
                    topic=topic,
                    frequency=Subscription.Frequency.DAILY if rng.random() < 0.15 else Subscription.Frequency.WEEKLY,
                )
            )
    Subscription.objects.bulk_create(subscriptions, ignore_conflicts=True)
    sent = 0
    recipients = chosen[:10] + ([demo_member] if demo_member and demo_member not in chosen[:10] else [])
    for person in recipients:
        for weeks_ago in (3, 2, 1):
            until = now - dt.timedelta(weeks=weeks_ago)
            since = until - dt.timedelta(weeks=1)
            sections = digests.digest_sections(person, since, until)
            if not sections:
                continue
            language = digests.digest_language(person)
            rendered = digests.render_digest(person, sections, language=language, since=since, until=until)
            digest = Digest.objects.create(
                person=person,
                email=digests.recipient_email(person) or f"{person.pk}@members.ccw.demo",
                language=language,
                period_start=since,
                period_end=until,
                subject=rendered["subject"],
                html=rendered["html"],
                text=rendered["text"],
                sent_at=until,
            )
            digest.items.set([item for items in sections.values() for item in items])
            sent += 1
    return len(subscriptions), sent
