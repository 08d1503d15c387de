"""A small hand-built public directory: three public members, one member without consent, one former member."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation

from grappe.ecosystem import services
from grappe.ecosystem.models import Competence, Organisation, Segment, Site, ValueChain

LANGUAGES = ["fr", "en", "nl", "de"]


@dataclass
class Directory:
    building: ValueChain
    renovation: ValueChain
    materials: Segment
    design: Segment
    insulation: Segment
    reuse: Competence
    bim: Competence
    ecobeton: Organisation
    bois: Organisation
    isolants: Organisation
    hidden: Organisation
    former: Organisation

    def province_of(self, organisation: Organisation) -> str:
        return Site.objects.filter(organisation=organisation).values_list("municipality__province__nis", flat=True)[0]


def _org(name: str, postal_code: str, *, consent: bool = True, start=dt.date(2021, 3, 1), end=None, **fields):
    segments = fields.pop("segments", [])
    competences = fields.pop("competences", [])
    org = services.organisation_create(
        actor=None, name=name, public_profile_consent=consent, segments=segments, competences=competences, **fields
    )
    services.site_add(actor=None, organisation=org, postal_code=postal_code, street="Rue du Port", number="3")
    status = "member" if end is None else "resigned"
    services.membership_create(
        actor=None, organisation=org, start_date=start, end_date=end, status=status, yearly_fee=Decimal("750")
    )
    return org


@pytest.fixture
def directory(db) -> Directory:
    # modeltranslation writes ``name=`` into the active language's column: build the data in French.
    with translation.override("fr"):
        return _build()


def _build() -> Directory:
    building = ValueChain.objects.create(name="Bâtiment circulaire", name_en="Circular building", slug="batiment")
    renovation = ValueChain.objects.create(name="Rénovation énergétique", slug="renovation", order=2)
    materials = Segment.objects.create(value_chain=building, name="Matériaux", name_en="Materials", slug="materiaux")
    design = Segment.objects.create(value_chain=building, name="Conception", slug="conception", order=2)
    insulation = Segment.objects.create(value_chain=renovation, name="Isolation", slug="isolation")
    reuse = Competence.objects.create(name="Réemploi", name_en="Reuse", name_nl="Hergebruik", slug="reemploi")
    bim = Competence.objects.create(name="Maquette numérique BIM", slug="bim")
    ecobeton = _org(
        "Écobéton Liège",
        "4000",
        description_fr="Béton recyclé à partir de déchets de démolition.",
        description_en="Recycled concrete made from demolition waste.",
        segments=[materials],
        competences=[reuse],
        website="https://ecobeton.example",
        email="info@ecobeton.example",
        export_markets=["FR", "LU"],
    )
    bois = _org(
        "Bois & Co",
        "5000",
        kind=Organisation.Kind.STARTUP,
        description_fr="Charpentes en bois local et conception bas carbone.",
        segments=[design],
        competences=[bim],
    )
    isolants = _org(
        "Isolants du Sud", "6000", description_fr="Isolants biosourcés.", segments=[insulation], competences=[reuse]
    )
    hidden = _org(
        "Discrète Matériaux",
        "4000",
        consent=False,
        description_fr="Béton discret.",
        segments=[materials],
        competences=[reuse],
    )
    former = _org(
        "Ancien Béton",
        "4000",
        start=dt.date(2018, 1, 1),
        end=dt.date(2020, 12, 31),
        description_fr="Béton ancien.",
        segments=[materials],
        competences=[reuse],
    )
    return Directory(
        building, renovation, materials, design, insulation, reuse, bim, ecobeton, bois, isolants, hidden, former
    )
