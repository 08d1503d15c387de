"""Load the shipped reference files (see ``data/PROVENANCE.md``) into the referential tables.

Used by the data migrations with historical models, so every function takes the model classes.
Each loader is idempotent: it replaces the rows it owns.
"""

import csv
import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"

WALLOON_POSTAL_RANGES = ((1300, 1499), (4000, 7999))

_REGION_EN = {"02000": "Flemish Region", "03000": "Walloon Region", "04000": "Brussels-Capital Region"}
_PROVINCE_EN = {
    "10000": "Province of Antwerp",
    "20001": "Province of Flemish Brabant",
    "20002": "Province of Walloon Brabant",
    "30000": "Province of West Flanders",
    "40000": "Province of East Flanders",
    "50000": "Province of Hainaut",
    "60000": "Province of Liège",
    "70000": "Province of Limburg",
    "80000": "Province of Luxembourg",
    "90000": "Province of Namur",
}
_PSEUDO_HEADERS = {"Secties", "Afdelingen", "Groepen", "Klassen", "Subklassen"}


def dotted_nace(code: str) -> str:
    """``43110`` -> ``43.110``; ``4311001`` -> ``43.110.01``; sections and divisions unchanged."""
    if len(code) <= 2 or code.isalpha():
        return code
    if len(code) == 7:
        return f"{code[:2]}.{code[2:5]}.{code[5:]}"
    return f"{code[:2]}.{code[2:]}"


def _nace_2025_rows() -> Iterator[dict[str, Any]]:
    """Rows in hierarchical order: a division follows its section."""
    section = ""
    with open(DATA / "NACEBEL_2025.csv", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            level, code = int(row["LEVEL"]), row["CODE"].replace(".", "").strip()
            section = code if level == 1 else section
            yield {
                "level": level,
                "code": code,
                "parent_code": "" if level == 1 else section if level == 2 else code[:-1],
                "label_nl": row["NATIONAL_TITLE_BE_NL"].strip(),
                "label_fr": row["NATIONAL_TITLE_BE_FR"].strip(),
                "label_de": row["NATIONAL_TITLE_BE_DE"].strip(),
                "label_en": row["NATIONAL_TITLE_BE_EN"].strip(),
            }


def _nace_2008_rows() -> Iterator[dict[str, Any]]:
    with open(DATA / "NACEBEL_2008_statbel.csv", encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for level_raw, code, parent, nl, fr, de, en in reader:
            if not code or nl.strip() in _PSEUDO_HEADERS:
                continue
            level = int(level_raw)
            code = code.strip() if level == 1 else code.strip().zfill(level)
            parent = parent.strip()
            yield {
                "level": level,
                "code": code,
                "parent_code": "" if level == 1 else parent if level == 2 else parent.zfill(level - 1),
                "label_nl": " ".join(nl.split()),
                "label_fr": " ".join(fr.split()),
                "label_de": " ".join(de.split()),
                "label_en": " ".join(en.split()),
            }


def kbo_code_rows() -> Iterator[dict[str, str]]:
    """Rows of the shipped KBO ``code.csv``: Category, Code, Language, Description."""
    with gzip.open(DATA / "kbo_code.csv.gz", "rb") as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


def _national_subcodes(version: str) -> dict[str, dict[str, str]]:
    """7-digit NACE sub-codes of the KBO code table with their FR/NL/DE labels."""
    labels: dict[str, dict[str, str]] = {}
    for row in kbo_code_rows():
        if row["Category"] == f"Nace{version}" and len(row["Code"]) == 7:
            labels.setdefault(row["Code"], {})[f"label_{row['Language'].lower()}"] = row["Description"].strip()
    return labels


def load_nace(NaceCode: Any) -> int:
    """Load NACE-BEL 2008 and 2025 with parents and sections; returns the number of codes."""
    NaceCode.objects.all().delete()
    total = 0
    for version, rows in (("2025", _nace_2025_rows()), ("2008", _nace_2008_rows())):
        parents: dict[str, str] = {}
        objects = []
        for row in rows:
            parents[row["code"]] = row.pop("parent_code")
            objects.append(NaceCode(version=version, dotted=dotted_nace(row["code"]), **row))
        for code, labels in sorted(_national_subcodes(version).items()):
            parents[code] = code[:5]
            objects.append(NaceCode(version=version, code=code, dotted=dotted_nace(code), level=6, **labels))
        NaceCode.objects.bulk_create(objects, batch_size=1000)
        by_code = {obj.code: obj for obj in NaceCode.objects.filter(version=version)}
        for obj in by_code.values():
            obj.parent = by_code.get(parents.get(obj.code, ""))
            if obj.parent is None and obj.level == 6:  # a few sub-codes hang off a class directly
                obj.parent = by_code.get(obj.code[:4])
        for obj in by_code.values():
            node = obj
            while node.parent is not None:
                node = node.parent
            obj.section = node.code if node.level == 1 else ""
        NaceCode.objects.bulk_update(list(by_code.values()), ["parent", "section"], batch_size=1000)
        total += len(by_code)
    return total


def _refnis() -> dict[str, dict[str, str]]:
    """Valid REFNIS rows by NIS code."""
    out: dict[str, dict[str, str]] = {}
    with open(DATA / "bemaps_TU_COM_REFNIS.txt", encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="|"):
            if row["DT_VLDT_END"].strip() == "31/12/9999":
                out[row["CD_REFNIS"]] = row
    return out


def load_territory(Region: Any, Province: Any, Arrondissement: Any, Municipality: Any, PostalCode: Any) -> int:
    """Load regions, provinces, arrondissements, municipalities and postal codes; returns postal codes loaded."""
    for model in (PostalCode, Municipality, Arrondissement, Province, Region):
        model.objects.all().delete()
    refnis = _refnis()

    def labels(nis: str, fr: str = "", nl: str = "") -> dict[str, str]:
        ref = refnis.get(nis, {})
        return {
            "label_fr": fr or ref.get("TX_REFNIS_FR", ""),
            "label_nl": nl or ref.get("TX_REFNIS_NL", ""),
            "label_de": ref.get("TX_REFNIS_DE", ""),
        }

    with open(DATA / "DERIVED_postcode_municipality_province_region_2025.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))

    regions: dict[str, Any] = {}
    provinces: dict[str, Any] = {}
    arrondissements: dict[str, Any] = {}
    municipalities: dict[str, Any] = {}
    for row in rows:
        if row["region_nis"] not in regions:
            regions[row["region_nis"]] = Region.objects.create(
                nis=row["region_nis"],
                label_en=_REGION_EN.get(row["region_nis"], ""),
                **labels(row["region_nis"], row["region_fr"], row["region_nl"]),
            )
        region = regions[row["region_nis"]]
        province = None
        if row["province_nis"]:
            if row["province_nis"] not in provinces:
                provinces[row["province_nis"]] = Province.objects.create(
                    nis=row["province_nis"],
                    region=region,
                    label_en=_PROVINCE_EN.get(row["province_nis"], ""),
                    **labels(row["province_nis"], row["province_fr"], row["province_nl"]),
                )
            province = provinces[row["province_nis"]]
        if row["arrondissement_nis"] not in arrondissements:
            arrondissements[row["arrondissement_nis"]] = Arrondissement.objects.create(
                nis=row["arrondissement_nis"],
                province=province,
                region=region,
                **labels(row["arrondissement_nis"], row["arrondissement_fr"]),
            )
        if row["municipality_nis"] not in municipalities:
            municipalities[row["municipality_nis"]] = Municipality(
                nis=row["municipality_nis"],
                arrondissement=arrondissements[row["arrondissement_nis"]],
                province=province,
                region=region,
                **labels(row["municipality_nis"], row["municipality_fr"], row["municipality_nl"]),
            )
        municipality = municipalities[row["municipality_nis"]]
        # The municipality's point: the locality that bears its name, else its first postal code.
        has_point = row["lat"] and row["lon"]
        same_name = row["coord_locality"].strip().lower() in (
            row["municipality_fr"].lower(),
            row["municipality_nl"].lower(),
        )
        if has_point and (municipality.latitude is None or same_name):
            municipality.latitude, municipality.longitude = float(row["lat"]), float(row["lon"])
    Municipality.objects.bulk_create(municipalities.values())
    saved = {m.nis: m for m in Municipality.objects.all()}
    PostalCode.objects.bulk_create(
        [
            PostalCode(
                code=row["postal_code"],
                municipality=saved[row["municipality_nis"]],
                locality=row["coord_locality"] or row["municipality_fr"],
                latitude=float(row["lat"]) if row["lat"] else None,
                longitude=float(row["lon"]) if row["lon"] else None,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    return len(rows)


def load_kbo_codes(KboCode: Any) -> int:
    """Load every non-NACE category of the KBO code table, labels merged per language."""
    KboCode.objects.all().delete()
    merged: dict[tuple[str, str], dict[str, str]] = {}
    for row in kbo_code_rows():
        if row["Category"].startswith("Nace"):
            continue
        language = row["Language"].lower()
        if language in ("fr", "nl", "de"):
            merged.setdefault((row["Category"], row["Code"]), {})[f"label_{language}"] = row["Description"].strip()
    KboCode.objects.bulk_create(
        [KboCode(category=cat, code=code, **labels) for (cat, code), labels in merged.items()], batch_size=1000
    )
    return len(merged)


def is_walloon_postal_code(code: str) -> bool:
    return code.isdigit() and any(lo <= int(code) <= hi for lo, hi in WALLOON_POSTAL_RANGES)
