"""Invented companies of the demo cluster, planned in memory before anything is written.

Every company is fictional: its name is made of a Walloon landscape or a common surname and a trade,
its website and e-mail use the reserved ``.example`` domain, and its enterprise number is generated
with a valid modulo-97 check digit. What is real: the postal codes (drawn from the referential,
province by province in proportion to population) and the NACE-BEL 2025 codes (drawn from each
segment's subclasses).
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.utils.text import slugify
from stdnum.be import vat

from grappe.core.text import fold
from grappe.ecosystem.demo import words
from grappe.ecosystem.demo.taxonomy import VALUE_CHAINS, SegmentSpec, nace_2025
from grappe.ecosystem.models import Organisation
from grappe.ecosystem.services import sme_status_for
from grappe.referential.models import PostalCode

Kind = Organisation.Kind
Band = Organisation.HeadcountBand
Turnover = Organisation.TurnoverBand

# Walloon provinces by NIS code, weighted by population (Statbel 2024, in thousands).
PROVINCE_WEIGHTS = {"50000": 1350, "60000": 1115, "90000": 500, "20002": 410, "80000": 295}
# The main towns of each province: half of the companies settle there, the rest anywhere in the province.
MAIN_TOWNS = {
    "50000": ("6000", "6041", "7000", "7500", "7100", "7700", "7800", "6200", "7060", "6001"),
    "60000": ("4000", "4020", "4100", "4800", "4500", "4040", "4430", "4700", "4030"),
    "90000": ("5000", "5100", "5030", "5500", "5590", "5300", "5060"),
    "20002": ("1300", "1348", "1400", "1420", "1480", "1370", "1340"),
    "80000": ("6700", "6900", "6600", "6800", "6760"),
}
EAST_BELGIUM = range(4700, 4800)  # German-speaking municipalities
# Founding dates are drawn up to this year, whatever the reference day, so names and numbers never move.
BASE_YEAR = 2025

HEADCOUNT_WEIGHTS = {
    Band.B1_4: 24,
    Band.B5_9: 20,
    Band.B10_19: 19,
    Band.B20_49: 17,
    Band.B50_99: 9,
    Band.B100_199: 5.5,
    Band.B200_249: 2,
    Band.B250_499: 2.3,
    Band.B500_999: 0.8,
    Band.B1000: 0.4,
}
# Secondary activities that companies of a segment often declare besides their main one.
SECONDARY_CODES = {
    "materiaux": ("46831", "46832", "46839", "23610"),
    "conception": ("71121", "71111", "62200"),
    "construction": ("43120", "43230", "43110", "43910"),
    "equipements-techniques": ("43213", "46842", "43222"),
    "deconstruction-reemploi": ("46879", "43120", "38210"),
    "numerique-batiment": ("62200",),
    "isolation-finitions": ("43230", "43320", "43910"),
    "chauffage-ventilation": ("43221", "46842", "43213"),
    "audit-conseil": ("71111", "62200"),
    "production-energie": ("43213", "35160"),
}
EXPORT_MARKETS = ("FR", "LU", "NL", "DE", "CH", "GB", "ES", "IT", "CA", "MA", "SN", "CD")
EXPORT_WEIGHTS = (30, 22, 18, 14, 5, 4, 3, 3, 2, 2, 1, 1)


@dataclass
class CompanyPlan:
    """Everything about one invented organisation, before it is written."""

    name: str
    kind: str
    segment: str  # main segment slug ("" for associations and investors)
    postal_code: str
    province: str
    street: str
    number: str
    founded_on: dt.date
    headcount_band: str
    turnover_band: str
    legal_form: str
    enterprise_number: str
    main_code: str
    secondary_codes: list[str]
    segments: list[str]
    competences: list[str]
    export_markets: list[str]
    transitions: dict[str, bool]
    descriptions: dict[str, str]
    east: bool = False
    slug: str = ""
    second_site: str = ""
    internal_notes: str = ""
    # Filled by the membership plan.
    known_on: dt.date | None = None
    public_consent_on: dt.date | None = None
    memberships: list = field(default_factory=list)

    @property
    def domain(self) -> str:
        return f"{self.slug}.example"

    @property
    def sme_status(self) -> str:
        return sme_status_for(kind=self.kind, headcount_band=self.headcount_band, turnover_band=self.turnover_band)


def _weighted(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def enterprise_number(rng: random.Random, founded: int, taken: set[str]) -> str:
    """A valid, unused 10-digit enterprise number whose range roughly matches the founding year.

    Older companies hold 04xx numbers; numbers issued since 2003 start with 08xx, then 05xx to 07xx.
    The last two digits are 97 minus the first eight modulo 97 (the Belgian check).
    """
    if founded < 2003:
        low, high = 4_000_000 + (founded - 1950) * 16_000, 4_000_000 + (founded - 1949) * 16_000
    elif founded < 2012:
        low, high = 8_000_000 + (founded - 2003) * 100_000, 8_000_000 + (founded - 2002) * 100_000
    else:
        low, high = 5_000_000 + (founded - 2012) * 200_000, 5_000_000 + (founded - 2011) * 200_000
    while True:
        base = rng.randrange(low, min(high, 9_999_999))
        number = f"{base:08d}{97 - base % 97:02d}"
        if number not in taken and vat.is_valid(number):
            taken.add(number)
            return number


def _postal_codes() -> dict[str, list[str]]:
    """Walloon postal codes by province NIS code, in code order (deterministic)."""
    by_province: dict[str, list[str]] = {nis: [] for nis in PROVINCE_WEIGHTS}
    rows = PostalCode.objects.filter(municipality__province__nis__in=list(PROVINCE_WEIGHTS)).order_by("code")
    for code, nis in rows.values_list("code", "municipality__province__nis"):
        by_province[nis].append(code)
    return by_province


def _turnover(rng: random.Random, band: str) -> str:
    order = list(HEADCOUNT_WEIGHTS)
    index = order.index(band)
    if index <= order.index(Band.B5_9):
        return Turnover.LT_2M if rng.random() < 0.9 else Turnover.LT_10M
    if index <= order.index(Band.B20_49):
        return rng.choices([Turnover.LT_2M, Turnover.LT_10M, Turnover.LT_50M], [30, 60, 10])[0]
    if index <= order.index(Band.B200_249):
        return rng.choices([Turnover.LT_10M, Turnover.LT_50M, Turnover.GE_50M], [35, 55, 10])[0]
    return rng.choices([Turnover.LT_50M, Turnover.GE_50M], [30, 70])[0]


def _legal_form(rng: random.Random, kind: str, sme: str) -> str:
    """KBO juridical form codes: 610 SRL, 014 SA, 706 SC, 612 SComm."""
    if kind == Kind.STARTUP:
        return "610"
    if sme == Organisation.SmeStatus.LARGE:
        return rng.choices(["014", "610"], [90, 10])[0]
    if sme == Organisation.SmeStatus.MICRO:
        return rng.choices(["610", "706", "612", "014"], [80, 10, 5, 5])[0]
    return rng.choices(["610", "014", "706"], [55, 35, 10])[0]


class NameMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.slugs: set[str] = set()

    def make(self, segment: str, province: str, east: bool) -> tuple[str, str]:
        rng = self.rng
        for _attempt in range(200):
            patterns = words.NAME_PATTERNS_EAST if east and rng.random() < 0.7 else words.NAME_PATTERNS[segment]
            pattern = rng.choice(patterns)
            families = words.LAST_NAMES_DE if east else words.LAST_NAMES_FR
            name = pattern.format(
                area=rng.choice(words.AREAS_EAST if east else words.AREAS[province]),
                family=rng.choice(families),
                family2=rng.choice(families),
                tech=rng.choice(words.TECH_PREFIXES) + rng.choice(words.TECH_SUFFIXES),
            )
            slug = slugify(fold(name))[:60]
            if name not in self.names and slug not in self.slugs and "{" not in name:
                self.names.add(name)
                self.slugs.add(slug)
                return name, slug
        raise RuntimeError(f"no unused company name left for segment {segment}")


def _of(place: str) -> str:
    """French "de Namur" / "d'Arlon"."""
    return f"d'{place}" if fold(place[:1]) in "aeiouy" else f"de {place}"


def _description(plan: CompanyPlan, spec: SegmentSpec | None, locality: str, rng: random.Random) -> dict[str, str]:
    if spec is None:
        return {}
    staff = words.STAFF[plan.headcount_band]
    commitment = rng.choice(words.COMMITMENTS)
    year = plan.founded_on.year
    fr_kind = "jeune entreprise" if plan.kind == Kind.STARTUP else "entreprise"
    texts = {
        "fr": f"{plan.name} est une {fr_kind} {_of(locality)} active dans {spec.activity[0]}. "
        f"Fondée en {year}, elle emploie {staff[0]}. {commitment[0]}",
        "en": f"{plan.name} is a {'start-up' if plan.kind == Kind.STARTUP else 'company'} based in {locality}, "
        f"active in {spec.activity[1]}. Founded in {year}, it employs {staff[1]}. {commitment[1]}",
        "nl": f"{plan.name} is een bedrijf uit {locality}, actief in {spec.activity[2]}. "
        f"Het werd opgericht in {year} en telt {staff[2]}. {commitment[2]}",
        "de": f"{plan.name} ist ein Unternehmen aus {locality}, spezialisiert auf {spec.activity[3]}. "
        f"Gegründet {year}, beschäftigt es {staff[3]}. {commitment[3]}",
    }
    # French and English for all; Dutch for a third; German for East Belgium and a few others.
    keep = {"fr", "en"}
    if rng.random() < 0.33:
        keep.add("nl")
    if plan.east or rng.random() < 0.08:
        keep.add("de")
    return {lang: text for lang, text in texts.items() if lang in keep}


def _segments_of(codes: list[str]) -> list[str]:
    """Segment slugs whose NACE codes cover any of ``codes`` (prefix rule of the NACE hierarchy)."""
    found = []
    for chain in VALUE_CHAINS:
        for spec in chain.segments:
            prefixes = [c.replace(".", "") for c in spec.nace_codes]
            if any(code.startswith(p) for code in codes for p in prefixes):
                found.append(spec.slug)
    return found


def plan_companies(rng: random.Random) -> list[CompanyPlan]:
    """About 250 invented companies spread over the segments, plus invented associations and investors."""
    specs = {s.slug: s for chain in VALUE_CHAINS for s in chain.segments}
    nace_2025({c for codes in SECONDARY_CODES.values() for c in codes} | {"66300", "94120"})  # fail loudly if missing
    postal = _postal_codes()
    localities = dict(PostalCode.objects.values_list("code", "municipality__label_fr"))
    names = NameMaker(rng)
    taken: set[str] = set()
    plans: list[CompanyPlan] = []
    for slug, spec in specs.items():
        for _ in range(spec.companies):
            province = _weighted(rng, PROVINCE_WEIGHTS)
            towns = [c for c in MAIN_TOWNS[province] if c in localities]
            code = rng.choice(towns) if rng.random() < 0.5 else rng.choice(postal[province])
            east = int(code) in EAST_BELGIUM
            startup = (slug == "numerique-batiment" and rng.random() < 0.6) or rng.random() < 0.06
            kind = Kind.STARTUP if startup else Kind.COMPANY
            if startup:
                founded_year = BASE_YEAR - rng.randint(1, 7)
                band = rng.choice([Band.B1_4, Band.B1_4, Band.B5_9, Band.B10_19])
            else:
                old = rng.random() < 0.55
                founded_year = rng.randint(1952, BASE_YEAR - 2) if old else rng.randint(2000, BASE_YEAR - 2)
                band = _weighted(rng, HEADCOUNT_WEIGHTS)
            founded = dt.date(founded_year, rng.randint(1, 12), rng.randint(1, 28))
            name, company_slug = names.make(slug, province, east)
            main = rng.choice(spec.activity_codes)
            extra = SECONDARY_CODES[slug]
            picked = rng.sample(extra, k=min(len(extra), rng.choice([0, 1, 1, 2])))
            secondary = sorted({c for c in picked if c != main})
            segments = [slug, *[s for s in _segments_of(secondary) if s != slug]]
            pool = sorted({c for s in segments for c in specs[s].competences})
            turnover = _turnover(rng, band)
            sme = sme_status_for(kind=kind, headcount_band=band, turnover_band=turnover)
            exporter = rng.random() < (0.7 if sme in ("medium", "large") else 0.3)
            plan = CompanyPlan(
                name=name,
                slug=company_slug,
                kind=kind,
                segment=slug,
                postal_code=code,
                province=province,
                east=east,
                street=rng.choice(words.STREETS_EAST if east else words.STREETS),
                number=str(rng.randint(1, 180)),
                founded_on=founded,
                headcount_band=band,
                turnover_band=turnover,
                legal_form=_legal_form(rng, kind, sme),
                enterprise_number=enterprise_number(rng, founded_year, taken),
                main_code=main,
                secondary_codes=secondary,
                segments=segments,
                competences=rng.sample(pool, k=min(len(pool), rng.randint(1, 4))),
                export_markets=sorted(set(rng.choices(EXPORT_MARKETS, EXPORT_WEIGHTS, k=rng.randint(1, 4))))
                if exporter
                else [],
                transitions={
                    "transition_digital": slug == "numerique-batiment" or rng.random() < 0.25,
                    "transition_environmental": rng.random() < 0.65,
                    "transition_economic": rng.random() < 0.2,
                },
                descriptions={},
            )
            if rng.random() < 0.15:
                plan.second_site = rng.choice(postal[province])
            if rng.random() < 0.1:
                plan.internal_notes = rng.choice(words.INTERNAL_NOTES)
            plan.descriptions = _description(plan, spec, localities[code], rng)
            plans.append(plan)
    plans += _plan_others(rng, taken, localities)
    return plans


# Invented associations and investors of the sector (they may be associate members).
OTHERS = (
    (
        "Fonds Bâti Durable Wallonie",
        Kind.INVESTOR,
        "5000",
        "014",
        "66300",
        (
            "Fonds d'investissement privé dédié aux entreprises de la construction durable.",
            "Private investment fund for sustainable construction companies.",
        ),
    ),
    (
        "Capital Circulaire Mosan",
        Kind.INVESTOR,
        "4000",
        "014",
        "66300",
        (
            "Société d'investissement qui finance les jeunes entreprises du réemploi.",
            "Investment company financing reuse start-ups.",
        ),
    ),
    (
        "Collectif Terre & Paille",
        Kind.ASSOCIATION,
        "5030",
        "017",
        "94120",
        (
            "Association d'artisans de la construction en terre crue et en paille.",
            "Association of earth and straw building craftspeople.",
        ),
    ),
    (
        "Réseau des Éco-Rénovateurs",
        Kind.ASSOCIATION,
        "1348",
        "017",
        "94120",
        ("Réseau d'entrepreneurs de la rénovation énergétique.", "Network of energy-renovation contractors."),
    ),
)


def _plan_others(rng: random.Random, taken: set[str], localities: dict[str, str]) -> list[CompanyPlan]:
    plans = []
    for name, kind, code, form, nace, (fr, en) in OTHERS:
        founded = dt.date(rng.randint(2008, 2019), rng.randint(1, 12), rng.randint(1, 28))
        plans.append(
            CompanyPlan(
                name=name,
                slug=slugify(fold(name)),
                kind=kind,
                segment="",
                postal_code=code,
                province="",
                street=rng.choice(words.STREETS),
                number=str(rng.randint(1, 60)),
                founded_on=founded,
                headcount_band=Band.B1_4,
                turnover_band="",
                legal_form=form,
                enterprise_number=enterprise_number(rng, founded.year, taken),
                main_code=nace,
                secondary_codes=[],
                segments=[],
                competences=[],
                export_markets=[],
                transitions={"transition_environmental": True},
                descriptions={"fr": fr, "en": en},
            )
        )
    return plans
