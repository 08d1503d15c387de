"""Lookups in the reference data: postal codes to territory, NACE codes with their hierarchy."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from grappe.core.text import fold
from grappe.referential.models import KboCode, NaceCode, PostalCode


@dataclass(frozen=True)
class Place:
    postal_code: str
    locality: str
    municipality: str
    municipality_nis: str
    arrondissement: str
    province: str | None
    province_nis: str | None
    region: str
    region_nis: str
    latitude: float | None
    longitude: float | None


def postal_code_lookup(code: str) -> Place | None:
    """Where a Belgian postal code lies, or ``None`` if it does not exist."""
    postal = (
        PostalCode.objects.select_related(
            "municipality__arrondissement", "municipality__province", "municipality__region"
        )
        .filter(code=(code or "").strip())
        .first()
    )
    if postal is None:
        return None
    municipality = postal.municipality
    province = municipality.province
    return Place(
        postal_code=postal.code,
        locality=postal.locality,
        municipality=municipality.label,
        municipality_nis=municipality.nis,
        arrondissement=municipality.arrondissement.label,
        province=province.label if province else None,
        province_nis=province.nis if province else None,
        region=municipality.region.label,
        region_nis=municipality.region.nis,
        latitude=postal.latitude,
        longitude=postal.longitude,
    )


def nace_get(code: str, version: str = NaceCode.Version.V2025) -> NaceCode | None:
    """A NACE code written with or without dots (``43.110`` or ``43110``)."""
    compact = (code or "").replace(".", "").strip().upper()
    return NaceCode.objects.filter(version=version, code=compact).select_related("parent").first()


def nace_ancestors(nace: NaceCode) -> list[NaceCode]:
    """From the section down to ``nace`` itself."""
    chain = [nace]
    while chain[-1].parent_id:
        chain.append(NaceCode.objects.get(pk=chain[-1].parent_id))
    return list(reversed(chain))


def nace_search(text: str, version: str = NaceCode.Version.V2025, *, limit: int = 30) -> QuerySet[NaceCode]:
    """Codes whose code starts with ``text`` or whose label (any language) contains every word."""
    queryset = NaceCode.objects.filter(version=version)
    compact = (text or "").replace(".", "").strip()
    if compact.isdigit() or (len(compact) == 1 and compact.isalpha()):
        return queryset.filter(code__startswith=compact.upper()).order_by("code")[:limit]
    for word in fold(text).split()[:6]:
        queryset = queryset.filter(
            Q(label_fr__icontains=word)
            | Q(label_nl__icontains=word)
            | Q(label_en__icontains=word)
            | Q(label_de__icontains=word)
        )
    return queryset.order_by("level", "code")[:limit]


def nace_descendant_codes(codes: list[str], version: str) -> set[str]:
    """Every code at or below the given codes (prefix semantics of the NACE hierarchy)."""
    compact = [c.replace(".", "") for c in codes]
    condition = Q()
    for code in compact:
        condition |= Q(code__startswith=code) if not code.isalpha() else Q(section=code)
    return set(NaceCode.objects.filter(condition, version=version).values_list("code", flat=True)) if compact else set()


def kbo_label(category: str, code: str, language: str | None = None) -> str:
    """Label of a KBO code (juridical form, situation...), or the code itself."""
    entry = KboCode.objects.filter(category=category, code=code).first()
    return entry.label_in(language) if entry else code
