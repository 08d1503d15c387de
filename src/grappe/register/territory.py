"""The territory of the register universe, from ``settings.GRAPPE_REGISTER_TERRITORY``.

Two spellings: postal code ranges ``"1300-1499,4000-7999"`` (single codes allowed: ``"6700"``) or
province NIS codes ``"province:60000,90000"`` (resolved through ``referential.PostalCode``).
The importer tests an address with one set lookup on the raw postal code string.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from grappe.referential.models import PostalCode


@dataclass(frozen=True)
class Territory:
    spec: str
    postal_codes: frozenset[str]

    def contains(self, zipcode: str) -> bool:
        return zipcode in self.postal_codes


def parse_territory(spec: str) -> Territory:
    text = (spec or "").strip()
    if text.lower().startswith("province:"):
        nis = [p.strip() for p in text.split(":", 1)[1].split(",") if p.strip()]
        codes = frozenset(PostalCode.objects.filter(municipality__province__nis__in=nis).values_list("code", flat=True))
        if not codes:
            raise ImproperlyConfigured(f"GRAPPE_REGISTER_TERRITORY: no postal code in provinces {nis}")
        return Territory(text, codes)
    codes: set[str] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        low, _sep, high = part.partition("-")
        if not (low.isdigit() and (not high or high.isdigit())):
            raise ImproperlyConfigured(f"GRAPPE_REGISTER_TERRITORY: bad range {part!r}")
        lo, hi = int(low), int(high or low)
        codes.update(f"{n:04d}" for n in range(lo, hi + 1))
    if not codes:
        raise ImproperlyConfigured("GRAPPE_REGISTER_TERRITORY is empty")
    return Territory(text, frozenset(codes))


def configured_territory() -> Territory:
    return parse_territory(settings.GRAPPE_REGISTER_TERRITORY)


def province_of_postal_codes() -> dict[str, str]:
    """Postal code -> province NIS code (Brussels has none)."""
    return {code: nis or "" for code, nis in PostalCode.objects.values_list("code", "municipality__province__nis")}
