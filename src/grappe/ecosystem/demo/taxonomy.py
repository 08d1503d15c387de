"""The demo cluster's taxonomies: two value chains with their segments, a competence tree, topics.

Segment NACE codes are NACE-BEL 2025 codes as PRODUCT.md lists them, with one substitution:
``43.29`` (other construction installation, NACE-BEL 2008) no longer exists in NACE-BEL 2025; its
insulation part became ``43.23`` "Mise en place de l'isolation", which the *isolation et finitions*
segment uses instead.

Each segment also lists the subclasses (5 digits, as the KBO register writes activities) that the
demo's invented companies draw their activities from; every one lies below a code of its segment.
"""

from dataclasses import dataclass, field
from typing import Any

from grappe.core.audit import audit_log, diff, snapshot
from grappe.ecosystem.models import Competence, Segment, Topic, ValueChain
from grappe.referential.models import NaceCode

Names = tuple[str, str, str, str]  # fr, en, nl, de


@dataclass(frozen=True)
class SegmentSpec:
    slug: str
    names: Names
    nace_codes: tuple[str, ...]
    activity_codes: tuple[str, ...]
    competences: tuple[str, ...]
    # How many of the invented companies have this segment as their main one.
    companies: int
    # What the segment's companies do, to complete "active dans ..." in each language.
    activity: Names


@dataclass(frozen=True)
class ValueChainSpec:
    slug: str
    names: Names
    descriptions: Names
    segments: tuple[SegmentSpec, ...]


VALUE_CHAINS: tuple[ValueChainSpec, ...] = (
    ValueChainSpec(
        slug="batiment-circulaire",
        names=("Bâtiment circulaire", "Circular building", "Circulair bouwen", "Kreislauffähiges Bauen"),
        descriptions=(
            "Des matériaux à la déconstruction : concevoir, construire et équiper des bâtiments dont les "
            "matériaux gardent leur valeur.",
            "From materials to deconstruction: designing, building and equipping buildings whose materials "
            "keep their value.",
            "Van materialen tot ontmanteling: gebouwen ontwerpen, bouwen en uitrusten waarvan de materialen "
            "hun waarde behouden.",
            "Von Baustoffen bis zum Rückbau: Gebäude planen, bauen und ausstatten, deren Materialien ihren "
            "Wert behalten.",
        ),
        segments=(
            SegmentSpec(
                slug="materiaux",
                names=("Matériaux", "Materials", "Materialen", "Baustoffe"),
                nace_codes=("08.1", "16.2", "23.5", "23.6"),
                activity_codes=(
                    "08111",
                    "08112",
                    "08121",
                    "08123",
                    "16210",
                    "16230",
                    "16230",
                    "16250",
                    "16270",
                    "23510",
                    "23520",
                    "23610",
                    "23610",
                    "23630",
                    "23640",
                    "23660",
                ),
                competences=(
                    "beton-bas-carbone",
                    "granulats-recycles",
                    "pierre-naturelle",
                    "construction-bois",
                    "terre-crue",
                    "isolation-biosourcee",
                ),
                companies=30,
                activity=(
                    "la production de matériaux de construction",
                    "the production of building materials",
                    "de productie van bouwmaterialen",
                    "die Herstellung von Baustoffen",
                ),
            ),
            SegmentSpec(
                slug="conception",
                names=("Conception", "Design", "Ontwerp", "Planung"),
                nace_codes=("71.11", "71.12"),
                activity_codes=("71111", "71111", "71112", "71113", "71121", "71121", "71122"),
                competences=(
                    "conception-reversible",
                    "analyse-cycle-de-vie",
                    "stabilite",
                    "bim",
                    "renovation-patrimoine",
                ),
                companies=28,
                activity=(
                    "l'architecture et l'ingénierie du bâtiment",
                    "architecture and building engineering",
                    "architectuur en bouwkundig ingenieurswerk",
                    "Architektur und Bauingenieurwesen",
                ),
            ),
            SegmentSpec(
                slug="construction",
                names=("Construction", "Construction", "Bouw", "Bau"),
                nace_codes=("41.00", "43.9"),
                activity_codes=("41001", "41001", "41002", "41003", "43910", "43910", "43990"),
                competences=(
                    "prefabrication",
                    "construction-bois",
                    "gros-oeuvre",
                    "renovation-profonde",
                    "toitures-vegetalisees",
                    "renovation-patrimoine",
                ),
                companies=45,
                activity=(
                    "la construction et la rénovation de bâtiments",
                    "the construction and renovation of buildings",
                    "de bouw en renovatie van gebouwen",
                    "den Bau und die Sanierung von Gebäuden",
                ),
            ),
            SegmentSpec(
                slug="equipements-techniques",
                names=("Équipements techniques", "Building services", "Technische installaties", "Haustechnik"),
                nace_codes=("43.21", "43.22"),
                activity_codes=("43211", "43211", "43213", "43221", "43222", "43223"),
                competences=("gestion-technique", "photovoltaique", "pompes-a-chaleur", "ventilation-double-flux"),
                companies=25,
                activity=(
                    "les installations électriques et sanitaires des bâtiments",
                    "electrical and plumbing installations in buildings",
                    "elektrische en sanitaire installaties in gebouwen",
                    "Elektro- und Sanitärinstallationen in Gebäuden",
                ),
            ),
            SegmentSpec(
                slug="deconstruction-reemploi",
                names=(
                    "Déconstruction et réemploi",
                    "Deconstruction and reuse",
                    "Ontmanteling en hergebruik",
                    "Rückbau und Wiederverwendung",
                ),
                nace_codes=("43.11", "38"),
                activity_codes=("43110", "43110", "43110", "38110", "38120", "38210", "38210", "38230"),
                competences=(
                    "inventaire-reemploi",
                    "deconstruction-selective",
                    "reemploi-materiaux",
                    "desamiantage",
                    "recyclage-dechets-construction",
                    "granulats-recycles",
                ),
                companies=25,
                activity=(
                    "la déconstruction sélective et le réemploi de matériaux",
                    "selective deconstruction and the reuse of materials",
                    "selectieve ontmanteling en het hergebruik van materialen",
                    "den selektiven Rückbau und die Wiederverwendung von Baustoffen",
                ),
            ),
            SegmentSpec(
                slug="numerique-batiment",
                names=("Numérique du bâtiment", "Digital building", "Digitale bouw", "Digitales Bauen"),
                nace_codes=("62.10",),
                activity_codes=("62100",),
                competences=("bim", "passeport-materiaux", "scan-3d", "gestion-technique"),
                companies=15,
                activity=(
                    "les logiciels et services numériques pour le bâtiment",
                    "software and digital services for buildings",
                    "software en digitale diensten voor de bouw",
                    "Software und digitale Dienste für das Bauwesen",
                ),
            ),
        ),
    ),
    ValueChainSpec(
        slug="renovation-energetique",
        names=("Rénovation énergétique", "Energy renovation", "Energierenovatie", "Energetische Sanierung"),
        descriptions=(
            "Rendre le parc wallon sobre en énergie : isoler, chauffer et ventiler mieux, auditer, produire.",
            "Making Wallonia's building stock energy-efficient: better insulation, heating and ventilation, "
            "audits, local production.",
            "Het Waalse gebouwenpark energiezuinig maken: beter isoleren, verwarmen en ventileren, auditen, "
            "produceren.",
            "Den wallonischen Gebäudebestand energiesparend machen: besser dämmen, heizen und lüften, "
            "prüfen, erzeugen.",
        ),
        segments=(
            SegmentSpec(
                slug="isolation-finitions",
                names=(
                    "Isolation et finitions",
                    "Insulation and finishing",
                    "Isolatie en afwerking",
                    "Dämmung und Ausbau",
                ),
                nace_codes=("43.23", "43.3"),
                activity_codes=(
                    "43230",
                    "43230",
                    "43230",
                    "43310",
                    "43320",
                    "43320",
                    "43331",
                    "43332",
                    "43341",
                    "43350",
                ),
                competences=("isolation-biosourcee", "renovation-profonde", "enduits-chaux-terre"),
                companies=30,
                activity=(
                    "l'isolation et les travaux de finition",
                    "insulation and finishing works",
                    "isolatie- en afwerkingswerken",
                    "Dämm- und Ausbauarbeiten",
                ),
            ),
            SegmentSpec(
                slug="chauffage-ventilation",
                names=(
                    "Chauffage et ventilation",
                    "Heating and ventilation",
                    "Verwarming en ventilatie",
                    "Heizung und Lüftung",
                ),
                nace_codes=("43.22", "28.25"),
                activity_codes=("43222", "43222", "43223", "43223", "28250"),
                competences=("pompes-a-chaleur", "ventilation-double-flux", "geothermie"),
                companies=25,
                activity=(
                    "le chauffage, la ventilation et la climatisation",
                    "heating, ventilation and air conditioning",
                    "verwarming, ventilatie en airconditioning",
                    "Heizung, Lüftung und Klimatechnik",
                ),
            ),
            SegmentSpec(
                slug="audit-conseil",
                names=("Audit et conseil", "Audit and advice", "Audit en advies", "Audit und Beratung"),
                nace_codes=("71.12",),
                activity_codes=("71121",),
                competences=("audit-energetique", "analyse-cycle-de-vie", "renovation-profonde"),
                companies=15,
                activity=(
                    "l'audit énergétique et le conseil en rénovation",
                    "energy audits and renovation advice",
                    "energieaudits en renovatieadvies",
                    "Energieaudits und Sanierungsberatung",
                ),
            ),
            SegmentSpec(
                slug="production-energie",
                names=("Production d'énergie", "Energy production", "Energieproductie", "Energieerzeugung"),
                nace_codes=("35.1",),
                activity_codes=("35120", "35120", "35120", "35160"),
                competences=("photovoltaique", "stockage-energie", "geothermie"),
                companies=12,
                activity=(
                    "la production d'énergie renouvelable",
                    "renewable energy production",
                    "de productie van hernieuwbare energie",
                    "die Erzeugung erneuerbarer Energie",
                ),
            ),
        ),
    ),
)

# (slug, parent slug or "", fr, en, nl, de)
COMPETENCES: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "materiaux-produits",
        "",
        "Matériaux et produits",
        "Materials and products",
        "Materialen en producten",
        "Baustoffe und Produkte",
    ),
    (
        "beton-bas-carbone",
        "materiaux-produits",
        "Béton bas carbone",
        "Low-carbon concrete",
        "Koolstofarm beton",
        "CO2-armer Beton",
    ),
    (
        "materiaux-biosources",
        "materiaux-produits",
        "Matériaux biosourcés",
        "Bio-based materials",
        "Biobased materialen",
        "Biobasierte Baustoffe",
    ),
    (
        "isolation-biosourcee",
        "materiaux-biosources",
        "Isolation biosourcée (chanvre, paille, fibre de bois)",
        "Bio-based insulation (hemp, straw, wood fibre)",
        "Biobased isolatie (hennep, stro, houtvezel)",
        "Biobasierte Dämmung (Hanf, Stroh, Holzfaser)",
    ),
    (
        "construction-bois",
        "materiaux-biosources",
        "Construction bois et ossature bois",
        "Timber and timber-frame construction",
        "Houtbouw en houtskeletbouw",
        "Holzbau und Holzrahmenbau",
    ),
    ("terre-crue", "materiaux-biosources", "Terre crue", "Earth construction", "Leembouw", "Lehmbau"),
    (
        "enduits-chaux-terre",
        "materiaux-biosources",
        "Enduits à la chaux et à la terre",
        "Lime and clay plasters",
        "Kalk- en leempleisters",
        "Kalk- und Lehmputze",
    ),
    (
        "granulats-recycles",
        "materiaux-produits",
        "Granulats recyclés",
        "Recycled aggregates",
        "Gerecycleerde granulaten",
        "Recycling-Gesteinskörnungen",
    ),
    ("pierre-naturelle", "materiaux-produits", "Pierre naturelle", "Natural stone", "Natuursteen", "Naturstein"),
    ("conception-durable", "", "Conception durable", "Sustainable design", "Duurzaam ontwerp", "Nachhaltige Planung"),
    (
        "conception-reversible",
        "conception-durable",
        "Conception réversible (démontabilité)",
        "Design for disassembly",
        "Demontabel ontwerpen",
        "Rückbaugerechte Planung",
    ),
    (
        "analyse-cycle-de-vie",
        "conception-durable",
        "Analyse du cycle de vie (ACV)",
        "Life-cycle assessment (LCA)",
        "Levenscyclusanalyse (LCA)",
        "Ökobilanz (LCA)",
    ),
    (
        "stabilite",
        "conception-durable",
        "Stabilité et ingénierie structurelle",
        "Structural engineering",
        "Stabiliteitsstudie",
        "Tragwerksplanung",
    ),
    (
        "renovation-patrimoine",
        "conception-durable",
        "Rénovation du patrimoine",
        "Heritage renovation",
        "Erfgoedrenovatie",
        "Denkmalgerechte Sanierung",
    ),
    ("numerique", "", "Numérique du bâtiment", "Digital building", "Digitale bouw", "Digitales Bauen"),
    (
        "bim",
        "numerique",
        "BIM (modélisation des informations du bâtiment)",
        "BIM (building information modelling)",
        "BIM (bouwinformatiemodellering)",
        "BIM (Bauwerksdatenmodellierung)",
    ),
    (
        "passeport-materiaux",
        "numerique",
        "Passeport matériaux et jumeau numérique",
        "Material passports and digital twins",
        "Materialenpaspoort en digitale tweeling",
        "Materialpass und digitaler Zwilling",
    ),
    ("scan-3d", "numerique", "Relevés par scan 3D", "3D laser scanning surveys", "3D-scanopmetingen", "3D-Scan-Aufmaß"),
    (
        "gestion-technique",
        "numerique",
        "Gestion technique du bâtiment (GTB)",
        "Building management systems",
        "Gebouwbeheersystemen",
        "Gebäudeleittechnik",
    ),
    (
        "economie-circulaire",
        "",
        "Déconstruction et réemploi",
        "Deconstruction and reuse",
        "Ontmanteling en hergebruik",
        "Rückbau und Wiederverwendung",
    ),
    (
        "inventaire-reemploi",
        "economie-circulaire",
        "Inventaire réemploi avant démolition",
        "Pre-demolition reuse audit",
        "Hergebruikinventaris vóór sloop",
        "Rückbau-Inventar vor dem Abriss",
    ),
    (
        "deconstruction-selective",
        "economie-circulaire",
        "Déconstruction sélective",
        "Selective deconstruction",
        "Selectieve sloop",
        "Selektiver Rückbau",
    ),
    (
        "reemploi-materiaux",
        "economie-circulaire",
        "Réemploi de matériaux",
        "Reuse of building materials",
        "Hergebruik van bouwmaterialen",
        "Wiederverwendung von Bauteilen",
    ),
    (
        "desamiantage",
        "economie-circulaire",
        "Désamiantage",
        "Asbestos removal",
        "Asbestverwijdering",
        "Asbestsanierung",
    ),
    (
        "recyclage-dechets-construction",
        "economie-circulaire",
        "Recyclage des déchets de construction",
        "Construction waste recycling",
        "Recyclage van bouwafval",
        "Recycling von Bauabfällen",
    ),
    ("energie", "", "Énergie", "Energy", "Energie", "Energie"),
    (
        "audit-energetique",
        "energie",
        "Audit énergétique et certification PEB",
        "Energy audits and EPB certification",
        "Energieaudit en EPB-certificering",
        "Energieaudit und GEE-Zertifizierung",
    ),
    ("pompes-a-chaleur", "energie", "Pompes à chaleur", "Heat pumps", "Warmtepompen", "Wärmepumpen"),
    (
        "ventilation-double-flux",
        "energie",
        "Ventilation double flux",
        "Balanced ventilation with heat recovery",
        "Balansventilatie met warmteterugwinning",
        "Lüftung mit Wärmerückgewinnung",
    ),
    (
        "photovoltaique",
        "energie",
        "Photovoltaïque",
        "Solar photovoltaics",
        "Fotovoltaïsche zonne-energie",
        "Photovoltaik",
    ),
    ("geothermie", "energie", "Géothermie", "Geothermal energy", "Geothermie", "Geothermie"),
    ("stockage-energie", "energie", "Stockage d'énergie", "Energy storage", "Energieopslag", "Energiespeicherung"),
    (
        "renovation-profonde",
        "energie",
        "Rénovation énergétique profonde",
        "Deep energy renovation",
        "Diepgaande energierenovatie",
        "Tiefgreifende energetische Sanierung",
    ),
    ("mise-en-oeuvre", "", "Mise en œuvre", "Building works", "Uitvoering", "Bauausführung"),
    (
        "prefabrication",
        "mise-en-oeuvre",
        "Préfabrication et construction modulaire",
        "Prefabrication and modular construction",
        "Prefabricatie en modulaire bouw",
        "Vorfertigung und Modulbau",
    ),
    ("gros-oeuvre", "mise-en-oeuvre", "Gros œuvre", "Structural works", "Ruwbouw", "Rohbau"),
    ("toitures-vegetalisees", "mise-en-oeuvre", "Toitures végétalisées", "Green roofs", "Groendaken", "Gründächer"),
)

# (slug, fr, en, nl, de, description fr) — the watch topics; people's interests use them too.
TOPICS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "peb",
        "Performance énergétique des bâtiments (PEB)",
        "Energy performance of buildings (EPB)",
        "Energieprestatie van gebouwen (EPB)",
        "Gesamtenergieeffizienz von Gebäuden (GEE)",
        "Exigences PEB wallonnes, certificats et transposition de la directive européenne EPBD.",
    ),
    (
        "marches-publics-circulaires",
        "Marchés publics circulaires",
        "Circular public procurement",
        "Circulaire overheidsopdrachten",
        "Kreislauforientierte öffentliche Beschaffung",
        "Clauses de réemploi et critères environnementaux dans les marchés publics de travaux.",
    ),
    (
        "materiaux-biosources",
        "Matériaux biosourcés",
        "Bio-based materials",
        "Biobased materialen",
        "Biobasierte Baustoffe",
        "Filières chanvre, paille, bois et terre crue ; normes et agréments.",
    ),
    (
        "taxonomie-europeenne",
        "Taxonomie européenne",
        "EU taxonomy",
        "EU-taxonomie",
        "EU-Taxonomie",
        "Critères de la taxonomie verte appliqués à la construction et à la rénovation.",
    ),
    (
        "cpr",
        "Règlement Produits de construction (CPR)",
        "Construction Products Regulation (CPR)",
        "Verordening bouwproducten (CPR)",
        "Bauproduktenverordnung (BauPVO)",
        "Marquage CE, déclarations de performance et nouvelles exigences environnementales.",
    ),
    (
        "dechets-construction",
        "Déchets de construction",
        "Construction waste",
        "Bouwafval",
        "Bauabfälle",
        "Tri, traçabilité et valorisation des déchets de construction et de démolition.",
    ),
    (
        "reemploi",
        "Réemploi des matériaux",
        "Reuse of building materials",
        "Hergebruik van bouwmaterialen",
        "Wiederverwendung von Bauteilen",
        "Filières, assurances et garanties des matériaux de réemploi.",
    ),
    ("amiante", "Amiante", "Asbestos", "Asbest", "Asbest", "Inventaires et obligations de désamiantage."),
    (
        "primes-renovation",
        "Primes et aides à la rénovation",
        "Renovation grants",
        "Renovatiepremies",
        "Sanierungsprämien",
        "Primes Habitation, prêts à taux zéro et aides aux entreprises.",
    ),
    (
        "bim-numerique",
        "BIM et numérique",
        "BIM and digital tools",
        "BIM en digitalisering",
        "BIM und Digitalisierung",
        "Standards openBIM, passeports matériaux, jumeaux numériques.",
    ),
    (
        "financement-innovation",
        "Financement de l'innovation",
        "Innovation funding",
        "Innovatiefinanciering",
        "Innovationsfinanzierung",
        "Appels à projets régionaux et européens pour la construction durable.",
    ),
    (
        "energies-renouvelables",
        "Énergies renouvelables",
        "Renewable energy",
        "Hernieuwbare energie",
        "Erneuerbare Energien",
        "Photovoltaïque, pompes à chaleur, communautés d'énergie.",
    ),
)


@dataclass
class Taxonomy:
    """What the other demo steps need: segments by slug, competences by slug, topics by slug."""

    value_chains: dict[str, ValueChain] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    specs: dict[str, SegmentSpec] = field(default_factory=dict)
    competences: dict[str, Competence] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    nace: dict[str, NaceCode] = field(default_factory=dict)


def _names(prefix: str, names: Names) -> dict[str, str]:
    return {f"{prefix}_{lang}": value for lang, value in zip(("fr", "en", "nl", "de"), names, strict=True)}


def nace_2025(codes: set[str]) -> dict[str, NaceCode]:
    """NACE-BEL 2025 codes by dotted or undotted form; ``LookupError`` names any code missing from the list."""
    compact = {code: code.replace(".", "") for code in codes}
    found = {n.code: n for n in NaceCode.objects.filter(version=NaceCode.Version.V2025, code__in=compact.values())}
    missing = sorted(code for code, c in compact.items() if c not in found)
    if missing:
        raise LookupError(f"NACE-BEL 2025 codes missing from the referential: {', '.join(missing)}")
    return {code: found[c] for code, c in compact.items()}


def _audit_created(actor: Any, instance: Any) -> None:
    # Same action codes as ``taxonomy_services`` (ecosystem.<model>.created).
    audit_log(
        actor=actor,
        action=f"ecosystem.{instance._meta.model_name}.created",
        obj=instance,
        changes=diff({}, snapshot(instance)),
    )


def build_taxonomy(actor: Any) -> Taxonomy:
    """Create the value chains, segments, competences and topics, each with its audit entry."""
    taxonomy = Taxonomy()
    for slug, parent, *names in COMPETENCES:
        competence = Competence.objects.create(
            slug=slug, parent=taxonomy.competences.get(parent), **_names("name", tuple(names))
        )
        taxonomy.competences[slug] = competence
        _audit_created(actor, competence)
    for slug, *names, description in TOPICS:
        topic = Topic.objects.create(slug=slug, description_fr=description, **_names("name", tuple(names)))
        taxonomy.topics[slug] = topic
        _audit_created(actor, topic)
    all_codes = {c for chain in VALUE_CHAINS for s in chain.segments for c in (*s.nace_codes, *s.activity_codes)}
    taxonomy.nace = nace_2025(all_codes)
    for order, chain in enumerate(VALUE_CHAINS, start=1):
        value_chain = ValueChain.objects.create(
            slug=chain.slug, order=order, **_names("name", chain.names), **_names("description", chain.descriptions)
        )
        taxonomy.value_chains[chain.slug] = value_chain
        _audit_created(actor, value_chain)
        for position, spec in enumerate(chain.segments, start=1):
            segment = Segment.objects.create(
                value_chain=value_chain, slug=spec.slug, order=position, **_names("name", spec.names)
            )
            segment.nace_codes.set([taxonomy.nace[c] for c in spec.nace_codes])
            segment.competences.set([taxonomy.competences[c] for c in spec.competences])
            taxonomy.segments[spec.slug] = segment
            taxonomy.specs[spec.slug] = spec
            _audit_created(actor, segment)
    return taxonomy
