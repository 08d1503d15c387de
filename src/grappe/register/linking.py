"""Matching curated organisations with register enterprises.

An organisation with an enterprise number is linked by that number. For one without, candidates
come from the enterprises with a seat or an establishment in one of the organisation's postal
codes (an indexed lookup: a few hundred enterprises at most, never the 600 000 names of the
universe), scored by fuzzy comparison of folded names (rapidfuzz), rejected pairs left out.
"""

from dataclasses import dataclass

from rapidfuzz import fuzz

from grappe.core.text import fold
from grappe.register.models import Address, Denomination, Enterprise, RegisterLink

# Below this score a name is too different to be worth a reviewer's time.
MIN_SCORE = 70.0
# Legal-form words that say nothing about who an organisation is ("SRL Dupont" ~ "Dupont SA").
_NOISE = {
    "sa",
    "srl",
    "sprl",
    "sc",
    "scrl",
    "scs",
    "snc",
    "asbl",
    "nv",
    "bv",
    "bvba",
    "cv",
    "vzw",
    "sprlu",
    "s.a.",
    "s.r.l.",
}


@dataclass(frozen=True)
class Candidate:
    enterprise_number: int
    name: str
    matched_name: str
    zipcode: str
    score: float


def _clean(name: str) -> str:
    return " ".join(word for word in fold(name).replace(",", " ").split() if word not in _NOISE)


def name_score(a: str, b: str) -> float:
    """0-100: token-order-insensitive similarity of two names, accents, case and legal forms ignored."""
    left, right = _clean(a), _clean(b)
    if not left or not right:
        return 0.0
    return float(max(fuzz.token_sort_ratio(left, right), fuzz.ratio(left, right)))


def enterprises_near(postal_codes: set[str]) -> set[int]:
    """Enterprises with their place, or any address, in one of the postal codes (index lookups only)."""
    if not postal_codes:
        return set()
    numbers = set(Enterprise.objects.filter(zipcode__in=postal_codes).values_list("number", flat=True))
    numbers |= set(
        Address.objects.filter(zipcode__in=postal_codes, struck_off_on__isnull=True).values_list(
            "enterprise_id", flat=True
        )
    )
    return numbers


def taken_numbers(numbers: set[int]) -> set[int]:
    """Enterprises already linked to an organisation (by its number)."""
    from grappe.ecosystem.models import Organisation

    keys = [f"{n:010d}" for n in numbers]
    taken: set[int] = set()
    for start in range(0, len(keys), 900):
        taken |= {
            int(n)
            for n in Organisation.objects.filter(enterprise_number__in=keys[start : start + 900]).values_list(
                "enterprise_number", flat=True
            )
        }
    return taken


def find_candidates(organisation, *, limit: int = 5, min_score: float = MIN_SCORE) -> list[Candidate]:
    """Scored register enterprises that may be ``organisation`` (which has no number yet)."""
    postal_codes = set(organisation.sites.values_list("postal_code__code", flat=True))
    numbers = enterprises_near(postal_codes)
    if not numbers:
        return []
    numbers -= set(
        RegisterLink.objects.filter(organisation=organisation, status=RegisterLink.Status.REJECTED).values_list(
            "enterprise_number", flat=True
        )
    )
    numbers -= taken_numbers(numbers)
    names = [organisation.name, organisation.acronym, *(organisation.other_names or [])]
    names = [n for n in names if n]
    best: dict[int, tuple[float, str]] = {}
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 900):
        # The enterprise's own names and its establishments' (commercial) names.
        for enterprise, value in Denomination.objects.filter(
            enterprise_id__in=ordered[start : start + 900]
        ).values_list("enterprise_id", "value"):
            score = max(name_score(name, value) for name in names)
            if score >= min_score and score > best.get(enterprise, (0.0, ""))[0]:
                best[enterprise] = (score, value)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
    enterprises = Enterprise.objects.in_bulk([number for number, _ in ranked])
    return [
        Candidate(
            enterprise_number=number,
            name=enterprises[number].name if number in enterprises else matched,
            matched_name=matched,
            zipcode=enterprises[number].zipcode if number in enterprises else "",
            score=round(score, 1),
        )
        for number, (score, matched) in ranked
    ]
