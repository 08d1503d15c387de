"""A small hand-built register universe and ecosystem, with numbers small enough to check by hand."""

import datetime as dt
from decimal import Decimal

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation, Segment, ValueChain
from grappe.referential.models import NaceCode
from grappe.register.models import Activity, Enterprise

PROVINCE = {"5000": "90000", "4000": "60000", "1300": "20002"}


def kbo_number(n: int) -> int:
    """A valid enterprise number (mod 97) from a small integer."""
    base = 4_000_000 + n
    return base * 100 + (97 - base % 97)


def dotted(number: int) -> str:
    text = f"{number:010d}"
    return f"{text[:4]}.{text[4:7]}.{text[7:]}"


def enterprise(
    n: int,
    codes: list[str],
    *,
    zipcode: str = "5000",
    start: dt.date | None = dt.date(2015, 6, 1),
    version: int = 2025,
    secondary: list[str] = (),
    form: str = "610",
) -> int:
    number = kbo_number(n)
    Enterprise.objects.create(
        number=number,
        name=f"Entreprise {n}",
        zipcode=zipcode,
        province=PROVINCE.get(zipcode, ""),
        start_date=start,
        juridical_form=form,
        type_of_enterprise="2",
    )
    for code in codes:
        Activity.objects.create(
            entity_number=number,
            enterprise_id=number,
            activity_group="001",
            nace_version=version,
            nace_code=code,
            classification="MAIN",
        )
    for code in secondary:
        Activity.objects.create(
            entity_number=number,
            enterprise_id=number,
            activity_group="001",
            nace_version=version,
            nace_code=code,
            classification="SECO",
        )
    return number


def segment(chain: ValueChain, slug: str, codes: list[tuple[str, str]]) -> Segment:
    seg = Segment.objects.create(value_chain=chain, name=slug.capitalize(), slug=slug)
    seg.nace_codes.set([NaceCode.objects.get(version=v, code=c) for v, c in codes])
    return seg


def member(
    name: str,
    number: int | None,
    *,
    start: dt.date = dt.date(2020, 1, 1),
    end: dt.date | None = None,
    sme: str = "small",
    headcount: str = "10-19",
) -> Organisation:
    org = services.organisation_create(
        actor=None,
        name=name,
        kind=Organisation.Kind.COMPANY,
        enterprise_number=dotted(number) if number else None,
        sme_status=sme,
        headcount_band=headcount,
    )
    services.membership_create(actor=None, organisation=org, start_date=start, end_date=end, yearly_fee=Decimal("100"))
    return org


def small_universe() -> dict:
    """Ten perimeter enterprises; three perimeter members, one unmatched member, one member outside.

    Segment "demolition" (2025 group 43.1): enterprises 1-6 (Namur 1-4, Liège 5-6);
    segment "architecture" (2025 class 71.11): enterprises 7-10 (Liège);
    segment "energie" (2025 class 35.11): no enterprise.
    Out of the perimeter: 11 (retail 47.11), 12 (43.11 only as a secondary activity).
    Members: 1, 2 (demolition, Namur), 7 (architecture, Liège); "Sans numéro" (unmatched); 11 (outside).
    """
    chain = ValueChain.objects.create(name="Bâtiment", slug="batiment")
    demolition = segment(chain, "demolition", [("2025", "431")])
    architecture = segment(chain, "architecture", [("2025", "7111")])
    energy = segment(chain, "energie", [("2025", "3511")])
    numbers = {}
    for n in range(1, 5):
        numbers[n] = enterprise(
            n, ["43110"], zipcode="5000", start=dt.date(2024, 1, 1) if n == 1 else dt.date(2010, 1, 1)
        )
    for n in (5, 6):
        numbers[n] = enterprise(n, ["43120"], zipcode="4000", start=dt.date(2010, 1, 1))
    for n in range(7, 11):
        numbers[n] = enterprise(n, ["71110"], zipcode="4000", start=dt.date(2000, 1, 1))
    numbers[11] = enterprise(11, ["47110"], zipcode="5000")
    numbers[12] = enterprise(12, ["47190"], zipcode="5000", secondary=["43110"])
    members = {
        1: member("Démolition Un", numbers[1], start=dt.date(2024, 3, 1)),
        2: member("Démolition Deux", numbers[2], start=dt.date(2021, 1, 1), sme="large", headcount="250-499"),
        7: member("Archi Sept", numbers[7], start=dt.date(2022, 1, 1), sme="micro", headcount="1-4"),
        0: member("Sans numéro", None, start=dt.date(2022, 1, 1), sme="unknown", headcount=""),
        11: member("Commerce Onze", numbers[11], start=dt.date(2022, 1, 1)),
    }
    return {
        "segments": {"demolition": demolition, "architecture": architecture, "energy": energy},
        "numbers": numbers,
        "members": members,
    }
