"""Demo register: the demo organisations as the register has them, ~1,500 invented non-member enterprises
in the perimeter's NACE codes across Wallonia, one full import and the update that follows, and a few
changes for the feed (PRODUCT journey 2: a member's seat moved to Flanders, a new perimeter company in
Namur). Deterministic (``random.Random``), bulk inserts only.
"""

import datetime as dt
import random
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from grappe.ecosystem.models import Organisation
from grappe.ecosystem.selectors import member_ids_on
from grappe.referential.loaders import is_walloon_postal_code
from grappe.referential.models import NaceCode, PostalCode
from grappe.register.changes import perimeter_prefixes
from grappe.register.models import (
    Activity,
    Address,
    Denomination,
    Enterprise,
    ImportRun,
    RegisterChange,
    RegisterLink,
)
from grappe.register.territory import province_of_postal_codes

SEED = 20
INVENTED = 1500
_FIRST = ["Atelier", "Bureau", "Entreprise", "Ets", "Groupe", "Maison", "Société", "Compagnie"]
_WHAT = [
    "Bois",
    "Béton",
    "Toitures",
    "Isolation",
    "Chauffage",
    "Rénovation",
    "Carrières",
    "Démolition",
    "Menuiserie",
    "Études",
    "Énergies",
    "Charpentes",
    "Enduits",
    "Ventilation",
    "Réemploi",
    "Plafonnage",
]
_WHO = [
    "Dubois",
    "Lambert",
    "Martin",
    "Renard",
    "Leroy",
    "Dumont",
    "Lejeune",
    "Collard",
    "Thiry",
    "Gilson",
    "Mathieu",
    "Lemaire",
    "Denis",
    "Wauters",
    "Pirard",
    "Jacquet",
    "Hardy",
    "Bodart",
    "Ernst",
    "Henrard",
]


def _number(rng: random.Random, taken: set[int]) -> int:
    while True:
        base = rng.randint(2_000_000, 9_999_999)  # 0200.000.0xx to 0999.999.9xx: enterprise numbers
        number = base * 100 + (97 - base % 97)
        if number not in taken:
            taken.add(number)
            return number


@transaction.atomic
def load(stdout: TextIO, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    for model in (RegisterChange, RegisterLink, Activity, Address, Denomination, Enterprise, ImportRun):
        model.objects.all().delete()
    provinces = province_of_postal_codes()
    places = {
        p.code: (p.municipality.label_fr, p.municipality.label_nl)
        for p in PostalCode.objects.select_related("municipality")
        if is_walloon_postal_code(p.code)
    }
    enterprises: list[Enterprise] = []
    names: list[Denomination] = []
    addresses: list[Address] = []
    activities: list[Activity] = []
    taken: set[int] = set()

    def add(number: int, name: str, zipcode: str, street: str, house: str, form: str, start, codes) -> None:
        fr, nl = places.get(zipcode, ("", ""))
        enterprises.append(
            Enterprise(
                number=number,
                status="AC",
                juridical_situation="000",
                type_of_enterprise="2",
                juridical_form=form,
                start_date=start,
                name=name,
                zipcode=zipcode,
                province=provinces.get(zipcode, ""),
            )
        )
        names.append(Denomination(entity_number=number, enterprise_id=number, language="1", type="001", value=name))
        addresses.append(
            Address(
                entity_number=number,
                enterprise_id=number,
                type="REGO",
                zipcode=zipcode,
                municipality_fr=fr,
                municipality_nl=nl or fr,
                street_fr=street,
                street_nl=street,
                house_number=house,
            )
        )
        for version, code, main in codes:
            activities.append(
                Activity(
                    entity_number=number,
                    enterprise_id=number,
                    activity_group="003",
                    nace_version=int(version),
                    nace_code=code,
                    classification="MAIN" if main else "SECO",
                )
            )

    organisations = list(
        Organisation.objects.filter(enterprise_number__isnull=False).prefetch_related(
            "sites__postal_code", "activities__nace"
        )
    )
    for org in organisations:
        number = int(org.enterprise_number)
        taken.add(number)
        site = next((s for s in org.sites.all() if s.is_head_office), None) or next(iter(org.sites.all()), None)
        if site is None or site.postal_code.code not in places:
            continue
        codes = [(a.nace.version, a.nace.code, a.is_main) for a in org.activities.all() if a.nace.level >= 4]
        add(
            number,
            org.name,
            site.postal_code.code,
            site.street or "Rue de la Station",
            site.number or "1",
            org.legal_form or "610",
            org.founded_on,
            codes,
        )
    linked = len(enterprises)

    prefixes = perimeter_prefixes().get(2025, set())
    leaves = sorted(
        code
        for code in NaceCode.objects.filter(version="2025", level=5).values_list("code", flat=True)
        if any(code.startswith(p) for p in prefixes)
    ) or ["43999"]
    postal_codes = sorted(places)
    for _i in range(INVENTED):
        zipcode = rng.choice(postal_codes)
        name = f"{rng.choice(_FIRST)} {rng.choice(_WHAT)} {rng.choice(_WHO)}"
        start = dt.date(rng.randint(1975, today.year - 1), rng.randint(1, 12), rng.randint(1, 28))
        add(
            _number(rng, taken),
            name,
            zipcode,
            "Rue du Commerce",
            str(rng.randint(1, 180)),
            rng.choice(["610", "610", "610", "014", "706"]),
            start,
            [("2025", rng.choice(leaves), True)],
        )

    # The newcomer of journey 2: a company founded last week in Namur, in a perimeter code.
    newcomer = _number(rng, taken)
    add(
        newcomer,
        "Namur Réemploi Matériaux",
        "5000",
        "Rue de Fer",
        "42",
        "610",
        today - dt.timedelta(days=7),
        [("2025", rng.choice(leaves), True)],
    )
    Enterprise.objects.bulk_create(enterprises, batch_size=2000)
    Denomination.objects.bulk_create(names, batch_size=2000)
    Address.objects.bulk_create(addresses, batch_size=2000)
    Activity.objects.bulk_create(activities, batch_size=2000)

    ImportRun.objects.create(
        extract_number=146,
        snapshot_date=today - dt.timedelta(days=31),
        kind=ImportRun.Kind.FULL,
        source="demo",
        status=ImportRun.Status.SUCCEEDED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        counts={"enterprise": len(enterprises) - 1},
    )
    update = ImportRun.objects.create(
        extract_number=147,
        snapshot_date=today - dt.timedelta(days=1),
        kind=ImportRun.Kind.UPDATE,
        source="demo",
        status=ImportRun.Status.SUCCEEDED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        counts={"entered": 1},
    )
    RegisterLink.objects.bulk_create(
        [
            RegisterLink(organisation=o, enterprise_number=int(o.enterprise_number), status="linked", score=100)
            for o in organisations
        ]
    )
    members = member_ids_on(update.snapshot_date)
    by_number = {int(o.enterprise_number): o for o in organisations}
    rows = enterprises[:linked]
    member_rows = [e for e in rows if by_number[e.number].pk in members]
    other_rows = [e for e in rows if by_number[e.number].pk not in members]
    changes = []

    def change(enterprise: Enterprise, kind: str, details: dict, leaves: bool = False) -> None:
        org = by_number.get(enterprise.number)
        changes.append(
            RegisterChange(
                run=update,
                extract_number=147,
                snapshot_date=update.snapshot_date,
                enterprise_number=enterprise.number,
                name=enterprise.name,
                kind=kind,
                details=details,
                leaves_region=leaves,
                organisation=org,
                was_member=bool(org and org.pk in members),
            )
        )

    def place(e: Enterprise) -> dict:
        return {"zipcode": e.zipcode, "municipality": places.get(e.zipcode, ("", ""))[0], "street": "", "country": ""}

    if member_rows:
        moved = member_rows[rng.randrange(len(member_rows))]
        change(
            moved,
            "seat_moved",
            {
                "from": place(moved),
                "to": {"zipcode": "2800", "municipality": "Malines", "street": "Bruul 5", "country": ""},
            },
            leaves=True,
        )
        grown = member_rows[(member_rows.index(moved) + 1) % len(member_rows)]
        change(
            grown,
            "new_establishment",
            {
                "establishment": "2.345.678.915",
                "place": {
                    "zipcode": "6000",
                    "municipality": "Charleroi",
                    "street": "Boulevard Tirou 12",
                    "country": "",
                },
            },
        )
    if other_rows:
        renamed = other_rows[rng.randrange(len(other_rows))]
        change(renamed, "name_changed", {"from": renamed.name, "to": f"{renamed.name} Group"})
    newcomer_row = enterprises[-1]
    change(
        newcomer_row,
        "new_in_perimeter",
        {
            "nace": [f"2025:{activities[-1].nace_code}"],
            "start_date": newcomer_row.start_date.isoformat(),
            "place": place(newcomer_row),
        },
    )
    RegisterChange.objects.bulk_create(changes)
    stdout.write(
        f"register: {len(enterprises)} enterprises ({linked} demo organisations, {INVENTED + 1} invented), "
        f"{len(changes)} changes in extract 147\n"
    )
