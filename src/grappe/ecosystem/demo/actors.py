"""Real public actors of the Walloon ecosystem: universities, hautes écoles, research centres, public bodies.

They come from the files in ``data/`` (see ``data/PROVENANCE.md``): the ROR rows located in Wallonia
that matter to a building cluster, and the Hipo university list for former names and web domains.
``CURATION`` adds what those files lack — the kind of organisation, the usual French name and
acronym where ROR gives an English name — and ``EXTRA_ACTORS`` lists a few public bodies every
Walloon cluster deals with, by name and city only.

Real organisations are ecosystem actors only: the demo gives them no enterprise number, no
membership, no fee, no invented activity code, no relationship and no opinion.
"""

import ast
import csv
import json
from dataclasses import dataclass
from pathlib import Path

from grappe.ecosystem.models import Organisation

DATA = Path(__file__).resolve().parent / "data"
ROR_FILE = DATA / "ror_2022_wallonia_subset.csv"
HIPO_FILE = DATA / "hipo_universities_wallonia_subset.json"

Kind = Organisation.Kind

# The city of each ROR address -> a postal code of that city in the referential.
CITY_POSTAL_CODES = {
    "Namur": "5000",
    "Liège": "4000",
    "Tournai": "7500",
    "Mons": "7000",
    "Seraing": "4100",
    "Louvain-la-Neuve": "1348",
    "Gembloux": "5030",
    "Waterloo": "1410",
    "Seneffe": "7180",
    "Charleroi": "6000",
    "Eupen": "4700",
    "Sombreffe": "5140",
    "Saint-Hubert": "6870",
    "Herve": "4650",
}


@dataclass(frozen=True)
class Curation:
    kind: str
    name_fr: str = ""  # the usual French name when ROR's is English
    acronym: str = ""
    hipo_names: tuple[str, ...] = ()  # Hipo entries that are former names (mergers) of this institution
    website_from: str = ""  # the Hipo entry whose web page is the institution's current site


# By ROR id.
CURATION: dict[str, Curation] = {
    "02495e989": Curation(
        Kind.UNIVERSITY,
        "Université catholique de Louvain",
        "UCLouvain",
        hipo_names=("Université Catholique de Louvain", "Facultés Universitaires Catholiques de Mons"),
        website_from="Louvain School of Management",
    ),
    "00afp2z80": Curation(
        Kind.UNIVERSITY,
        "Université de Liège",
        "ULiège",
        hipo_names=("University of Liège", "Fondation Universitaire Luxembourgeoise"),
        website_from="University of Liège",
    ),
    "03d1maw17": Curation(
        Kind.UNIVERSITY, "Université de Namur", "UNamur", hipo_names=("Facultés Universitaires Notre-Dame de la Paix",)
    ),
    "02qnnz951": Curation(
        Kind.UNIVERSITY,
        "Université de Mons",
        "UMONS",
        hipo_names=("Université de Mons-Hainaut", "Faculté Polytechnique de Mons"),
    ),
    "00bmzhb16": Curation(Kind.UNIVERSITY, hipo_names=("Faculté Universitaire des Sciences Agronomiques de Gembloux",)),
    "00zx7z876": Curation(Kind.UNIVERSITY, acronym="HEAJ"),
    "03y37ca41": Curation(Kind.UNIVERSITY, acronym="HEL"),
    "02a22tx41": Curation(Kind.UNIVERSITY),
    "007cpvh39": Curation(Kind.UNIVERSITY, acronym="HEH"),
    "052x1x555": Curation(Kind.UNIVERSITY, acronym="HELMo"),
    "051e52h07": Curation(Kind.UNIVERSITY, acronym="Hénallux"),
    "03er55z68": Curation(Kind.UNIVERSITY),
    "03r7nsz84": Curation(Kind.UNIVERSITY, acronym="HERS"),
    "03kmar131": Curation(Kind.UNIVERSITY, acronym="HEPL"),
    "04sv11p30": Curation(Kind.UNIVERSITY),
    "03sfp2d76": Curation(Kind.UNIVERSITY, acronym="HELHa"),
    "05a2hgt53": Curation(Kind.RESEARCH_CENTRE),
    "016n74679": Curation(Kind.RESEARCH_CENTRE, "Centre wallon de Recherches agronomiques", "CRA-W"),
    "01kmcf465": Curation(Kind.RESEARCH_CENTRE, acronym="CEBELCOR"),
    "03m4peq39": Curation(Kind.RESEARCH_CENTRE, acronym="CoRI"),
    "02x4mx473": Curation(Kind.RESEARCH_CENTRE, acronym="BCRC"),
    "01gcdtm70": Curation(Kind.RESEARCH_CENTRE, acronym="ISSeP"),
    "04rt32z32": Curation(Kind.RESEARCH_CENTRE, acronym="CEBEDEAU"),
    "00bpwc735": Curation(Kind.RESEARCH_CENTRE, acronym="CERTECH"),
    "02ma6j015": Curation(Kind.RESEARCH_CENTRE, acronym="CETIC"),
    "042e7c302": Curation(Kind.RESEARCH_CENTRE),
    "005cv6b38": Curation(Kind.RESEARCH_CENTRE),
    "02acz2505": Curation(Kind.RESEARCH_CENTRE, "Cenaero"),
    "0114pns79": Curation(Kind.TRAINING_CENTRE),
    "00pwar297": Curation(Kind.TRAINING_CENTRE, acronym="IFAPME"),
    "025jpkh15": Curation(Kind.TRAINING_CENTRE),
    "02yr5fm11": Curation(Kind.ASSOCIATION, acronym="ICEDD"),
    "04yjjyw09": Curation(Kind.ASSOCIATION),
    "01ber0266": Curation(Kind.ASSOCIATION),
    "0215gxf82": Curation(Kind.PUBLIC_BODY, acronym="SPW"),
    "00jv65847": Curation(Kind.PUBLIC_BODY, "Gouvernement wallon"),
    "058fcc996": Curation(Kind.PUBLIC_BODY, acronym="AWaP"),
    "00q03be40": Curation(Kind.PUBLIC_BODY, acronym="IWEPS"),
    "05g1fka72": Curation(Kind.PUBLIC_BODY),
    "04mrvfq25": Curation(Kind.AGENCY, acronym="AEI"),
}


@dataclass(frozen=True)
class RealActor:
    name: str
    kind: str
    postal_code: str
    acronym: str = ""
    other_names: tuple[str, ...] = ()
    website: str = ""
    ror_id: str = ""
    description: tuple[str, str] = ("", "")  # fr, en


# Public bodies named in PRODUCT.md's demo brief: names and cities only (no invented facts).
EXTRA_ACTORS: tuple[RealActor, ...] = (
    RealActor(
        "Agence wallonne à l'Exportation et aux Investissements étrangers",
        Kind.AGENCY,
        "1080",
        acronym="AWEX",
        description=(
            "Agence publique wallonne qui accompagne les entreprises à l'exportation.",
            "Walloon public agency supporting companies' exports.",
        ),
    ),
    RealActor(
        "SPW Économie, Emploi, Recherche",
        Kind.PUBLIC_BODY,
        "5100",
        acronym="SPW EER",
        description=(
            "Administration régionale de l'économie, de l'emploi et de la recherche.",
            "Regional administration for the economy, employment and research.",
        ),
    ),
    RealActor(
        "GreenWin",
        Kind.POLE,
        "6041",
        description=(
            "Pôle de compétitivité wallon de la chimie durable et des matériaux.",
            "Walloon competitiveness pole for sustainable chemistry and materials.",
        ),
    ),
    RealActor(
        "Wallonie Entreprendre",
        Kind.INVESTOR,
        "4000",
        description=(
            "Groupe public wallon de financement des entreprises.",
            "Walloon public group financing companies.",
        ),
    ),
    RealActor(
        "Buildwise",
        Kind.RESEARCH_CENTRE,
        "1342",
        other_names=("CSTC", "WTCB"),
        description=(
            "Centre de recherche du secteur de la construction ; site d'essais de Limelette.",
            "Research centre of the construction industry; test site in Limelette.",
        ),
    ),
)


def _strip_country(name: str) -> str:
    # ROR suffixes national branches of companies with " (Belgium)".
    return name.removesuffix(" (Belgium)")


def real_actors() -> list[RealActor]:
    """The real organisations of the demo, in file order, then the extra public bodies."""
    with open(HIPO_FILE, encoding="utf-8") as handle:
        hipo = {entry["name"]: entry for entry in json.load(handle)}
    actors: list[RealActor] = []
    with open(ROR_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            curation = CURATION[row["ror_id"]]
            address = ast.literal_eval(row["addresses"])[0]
            ror_name = _strip_country(row["name"])
            name = curation.name_fr or ror_name
            aliases = [a for a in ast.literal_eval(row["aliases"]) if a]
            others: list[str] = []
            for other in (ror_name, *aliases, *curation.hipo_names):
                if other != name and other not in others:
                    others.append(other)
            website = ""
            if curation.website_from:
                website = hipo[curation.website_from]["web_pages"][0]
            actors.append(
                RealActor(
                    name=name,
                    kind=curation.kind,
                    postal_code=CITY_POSTAL_CODES[address["city"]],
                    acronym=curation.acronym,
                    other_names=tuple(others),
                    website=website,
                    ror_id=row["ror_id"],
                )
            )
    return [*actors, *EXTRA_ACTORS]
