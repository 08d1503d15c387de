#!/usr/bin/env python3
"""Write a synthetic KBO/BCE Open Data *full* extract in the official file format.

Copy of ../shared/tools/kbo_synth.py (read-only there) with one fix: NACE 2003 rows carry NACE 2003
codes (the original drew them from the 2008 list, so real importers rejected them as unknown).

The format (file names, headers, quoting, number and date formats, code values) follows the
real extract in ../data/kbo/ and the KBO cookbook; the proportions follow the real full dump of
October 2025 (1.94 M enterprises, 1.67 M establishments, 3.31 M denominations, 2.84 M addresses,
0.69 M contacts, 36.3 M activity rows). Names and streets are invented; postal codes,
municipalities, NACE codes and juridical forms are real codes.

    kbo_synth.py OUT_DIR [--enterprises N] [--seed S] [--zip]

--enterprises 1940000 gives a dump of national size (about 2 GB of CSV, a few minutes);
the default, 20000, gives about 1 % of it. --zip also writes OUT_DIR.zip as the register
publishes it (KboOpenData_<n>_<yyyy>_<mm>_Full.zip layout: the CSV files at the zip's root).
"""

from __future__ import annotations

import argparse
import csv
import random
import zipfile
from datetime import date, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
CODE_CSV = DATA / "kbo" / "KboOpenData_0147_2025_10_12_Update" / "code.csv"
POSTAL_CSV = DATA / "postal" / "DERIVED_postcode_municipality_province_region_2025.csv"

FIRST = [
    "Jean",
    "Marie",
    "Luc",
    "Sophie",
    "Pieter",
    "An",
    "Thomas",
    "Julie",
    "Koen",
    "Nathalie",
    "Hans",
    "Eva",
    "Mehdi",
    "Fatima",
    "Olivier",
    "Elke",
    "Bruno",
    "Ines",
    "Wim",
    "Chloé",
]
LAST = [
    "Dubois",
    "Peeters",
    "Lambert",
    "Janssens",
    "Martin",
    "Maes",
    "Dupont",
    "Willems",
    "Leclercq",
    "Claes",
    "Renard",
    "Goossens",
    "François",
    "Wouters",
    "Schmitz",
    "Müller",
]
WORDS = [
    "Tech",
    "Bio",
    "Solutions",
    "Wallonie",
    "Energie",
    "Construct",
    "Logistics",
    "Digital",
    "Agro",
    "Metal",
    "Plast",
    "Innov",
    "Green",
    "Data",
    "Aero",
    "Pharma",
    "Services",
    "Group",
    "Atelier",
    "Meuse",
    "Ardenne",
    "Sambre",
    "Hesbaye",
    "Condroz",
    "Famenne",
    "Systems",
]
FORMS = ["SRL", "SA", "SC", "ASBL", "BV", "NV", "CV", "VZW"]
STREETS_FR = [
    "Rue de la Station",
    "Avenue des Tilleuls",
    "Chaussée de Namur",
    "Rue du Moulin",
    "Place Communale",
    "Rue de l'Église",
    "Boulevard Industriel",
    "Zoning des Hauts-Sarts",
]
STREETS_NL = [
    "Stationsstraat",
    "Kerkstraat",
    "Molenstraat",
    "Dorpsstraat",
    "Industrieweg",
    "Nieuwstraat",
    "Kapelstraat",
    "Schoolstraat",
]


def check_digits(base: int) -> int:
    return 97 - (base % 97)


def enterprise_number(serial: int) -> str:
    base = 4_000_000 + serial * 3  # padded to 8 digits: 04000000.., so the number starts with 0
    digits = f"{base:08d}{check_digits(base):02d}"
    return f"{digits[0:4]}.{digits[4:7]}.{digits[7:10]}"


def establishment_number(serial: int) -> str:
    base = 20_000_000 + serial * 3  # 8 digits starting with 2
    digits = f"{base:08d}{check_digits(base):02d}"
    return f"{digits[0]}.{digits[1:4]}.{digits[4:7]}.{digits[7:10]}"


def kbo_date(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def q(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def load_codes() -> dict[str, list[str]]:
    codes: dict[str, set[str]] = {}
    with CODE_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            codes.setdefault(row["Category"], set()).add(row["Code"])
    return {category: sorted(values) for category, values in codes.items()}


def load_postal() -> list[dict[str, str]]:
    with POSTAL_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(out: Path, n_enterprises: int, seed: int) -> dict[str, int]:
    rnd = random.Random(seed)
    codes = load_codes()
    nace03 = [c for c in codes["Nace2003"] if len(c) == 5]
    nace08 = [c for c in codes["Nace2008"] if len(c) == 5]
    nace25 = [c for c in codes["Nace2025"] if len(c) == 5]
    nace25_long = [c for c in codes["Nace2025"] if len(c) == 7]
    forms = [c for c in codes["JuridicalForm"]]
    situations = ["000"] * 40 + [c for c in codes["JuridicalSituation"] if c != "000"]
    postal = load_postal()
    # the register's addresses: about 60 % in Flanders (521 postal codes), 27 % in Wallonia (606)
    # and 13 % in Brussels (22); weights per postal code give those shares
    weights = [2.6 if r["region_nis"] == "02000" else 1.0 if r["region_nis"] == "03000" else 13.3 for r in postal]

    out.mkdir(parents=True, exist_ok=True)
    files = {
        name: (out / f"{name}.csv").open("w", encoding="utf-8", newline="\n")
        for name in ("enterprise", "establishment", "denomination", "address", "contact", "activity", "branch")
    }
    files["enterprise"].write(
        '"EnterpriseNumber","Status","JuridicalSituation","TypeOfEnterprise",'
        '"JuridicalForm","JuridicalFormCAC","StartDate"\n'
    )
    files["establishment"].write('"EstablishmentNumber","StartDate","EnterpriseNumber"\n')
    files["denomination"].write('"EntityNumber","Language","TypeOfDenomination","Denomination"\n')
    files["address"].write(
        '"EntityNumber","TypeOfAddress","CountryNL","CountryFR","Zipcode",'
        '"MunicipalityNL","MunicipalityFR","StreetNL","StreetFR","HouseNumber",'
        '"Box","ExtraAddressInfo","DateStrikingOff"\n'
    )
    files["contact"].write('"EntityNumber","EntityContact","ContactType","Value"\n')
    files["activity"].write('"EntityNumber","ActivityGroup","NaceVersion","NaceCode","Classification"\n')
    files["branch"].write('"Id","StartDate","EnterpriseNumber"\n')
    counts = dict.fromkeys(files, 0)
    est_serial = 0
    today = date(2025, 10, 3)

    def address(entity: str, kind: str) -> None:
        place = rnd.choices(postal, weights)[0]
        street_nl = rnd.choice(STREETS_NL)
        street_fr = rnd.choice(STREETS_FR) if place["region_nis"] != "02000" else street_nl
        struck = kbo_date(today - timedelta(days=rnd.randrange(1, 3000))) if rnd.random() < 0.01 else ""
        box = str(rnd.randrange(1, 30)) if rnd.random() < 0.2 else ""
        files["address"].write(
            f"{q(entity)},{q(kind)},,,{q(place['postal_code'])},{q(place['municipality_nl'])},"
            f"{q(place['municipality_fr'])},{q(street_nl)},{q(street_fr)},"
            f'{q(str(rnd.randrange(1, 250)))},{q(box)},"",{struck}\n'
        )
        counts["address"] += 1

    def activities(entity: str, n: int) -> None:
        lines = []
        main08 = rnd.choice(nace08)
        main25 = rnd.choice(nace25)
        for i in range(n):
            version, code = ("2025", main25) if i % 2 == 0 else ("2008", main08)
            if i >= 2:
                version = rnd.choice(("2008", "2025", "2025", "2003"))
                pool = {"2025": nace25, "2008": nace08, "2003": nace03}[version]
                code = rnd.choice(nace25_long) if version == "2025" and rnd.random() < 0.3 else rnd.choice(pool)
            group = rnd.choices(("003", "001", "006"), (0.79, 0.18, 0.03))[0]
            classification = "MAIN" if i < 2 else rnd.choices(("SECO", "MAIN", "ANCI"), (0.8, 0.19, 0.01))[0]
            lines.append(f"{q(entity)},{q(group)},{q(version)},{q(code)},{q(classification)}\n")
        files["activity"].write("".join(lines))
        counts["activity"] += n

    for serial in range(n_enterprises):
        number = enterprise_number(serial)
        natural = rnd.random() < 0.40
        start = today - timedelta(days=int(rnd.expovariate(1 / 4000)))
        form = "" if natural else rnd.choice(forms)
        files["enterprise"].write(
            f'{q(number)},"AC",{q(rnd.choice(situations))},{q("1" if natural else "2")},'
            f"{q(form) if form else ''},,{kbo_date(start)}\n"
        )
        counts["enterprise"] += 1
        if natural:
            name = f"{rnd.choice(LAST)}, {rnd.choice(FIRST)}"
            files["denomination"].write(f'{q(number)},"0","001",{q(name)}\n')
            counts["denomination"] += 1
        else:
            name = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.choice(FORMS)}"
            files["denomination"].write(f'{q(number)},{q(rnd.choice("12"))},"001",{q(name)}\n')
            counts["denomination"] += 1
            for kind in ("002", "003"):
                if rnd.random() < 0.5:
                    files["denomination"].write(
                        f"{q(number)},{q(rnd.choice('1234'))},{q(kind)},{q(name.split()[0] + ' ' + rnd.choice(WORDS))}\n"  # noqa: E501
                    )
                    counts["denomination"] += 1
            address(number, "REGO")
            if rnd.random() < 0.35:
                value = rnd.choice(
                    (
                        f"www.{name.split()[0].lower()}{serial}.be",
                        f"info@{name.split()[0].lower()}{serial}.be",
                        f"0{rnd.randrange(10, 99)}/{rnd.randrange(10, 99)}.{rnd.randrange(10, 99)}.{rnd.randrange(10, 99)}",  # noqa: E501
                    )
                )
                kind = "WEB" if value.startswith("www") else "EMAIL" if "@" in value else "TEL"
                files["contact"].write(f'{q(number)},"ENT",{q(kind)},{q(value)}\n')
                counts["contact"] += 1
        activities(number, max(0, int(rnd.gauss(11, 5))) if not (natural and rnd.random() < 0.6) else 0)
        if natural and rnd.random() < 0.6:
            continue
        for _ in range(1 if rnd.random() < 0.93 else rnd.randrange(2, 6)):
            est_serial += 1
            est = establishment_number(est_serial)
            files["establishment"].write(f"{q(est)},{kbo_date(start)},{q(number)}\n")
            counts["establishment"] += 1
            address(est, "BAET")
            activities(est, max(1, int(rnd.gauss(11, 5))))
            if rnd.random() < 0.05:
                files["contact"].write(f'{q(est)},"EST","TEL",{q("04/" + str(rnd.randrange(100, 999)) + ".00.00")}\n')
                counts["contact"] += 1
        if not natural and rnd.random() < 0.004:
            files["branch"].write(f"{q('9.' + number[1:4] + number[4:])},{kbo_date(start)},{q(number)}\n")
            counts["branch"] += 1

    for handle in files.values():
        handle.close()
    (out / "code.csv").write_bytes(CODE_CSV.read_bytes())
    (out / "meta.csv").write_text(
        '"Variable","Value"\n"SnapshotDate","03-10-2025"\n"ExtractTimestamp","05-10-2025 07:00:00"\n'
        '"ExtractType","full"\n"ExtractNumber","140"\n"Version","1.0.0"\n',
        encoding="utf-8",
    )
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--zip", action="store_true")
    args = parser.parse_args()
    counts = write(args.out, args.enterprises, args.seed)
    for name, count in counts.items():
        print(f"{name}.csv\t{count} rows")
    if args.zip:
        target = args.out.with_suffix(".zip")
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(args.out.glob("*.csv")):
                archive.write(path, path.name)
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
