"""Fuzzy name matching for duplicate detection (rapidfuzz on folded names without legal forms)."""

from collections.abc import Iterable

from rapidfuzz import fuzz, process

from grappe.ecosystem.importing.fields import normalise_header

# Legal-form words say nothing about which organisation it is: "Alpha SA" and "Alpha SRL" are the same name.
_LEGAL_WORDS = frozenset(
    ("sa", "srl", "sprl", "scrl", "scs", "snc", "sc", "scri", "asbl", "aisbl", "fondation", "nv", "bv", "bvba",
     "cvba", "cv", "vzw", "ivzw", "comm", "v", "scomm", "sas", "sarl", "gmbh", "ag", "ltd", "inc", "llc", "se", "plc")
)  # fmt: skip


def match_key(name: str) -> str:
    """``"Alpha Matériaux S.A."`` -> ``"alpha materiaux"``: folded, no punctuation, no legal form."""
    words = normalise_header(name.replace(".", "")).split()
    kept = [w for w in words if w not in _LEGAL_WORDS]
    return " ".join(kept or words)


def best_match(
    name: str, candidates: Iterable[tuple[int, str]], *, threshold: int, scorer=fuzz.token_set_ratio
) -> tuple[int, int] | None:
    """``(candidate id, score)`` of the closest candidate name at or above ``threshold``, or ``None``.

    ``candidates`` are ``(id, match_key)`` pairs.
    """
    pairs = list(candidates)
    if not pairs:
        return None
    query = match_key(name)
    if not query:
        return None
    found = process.extractOne(query, [key for _pk, key in pairs], scorer=scorer, score_cutoff=threshold)
    if found is None:
        return None
    _choice, score, index = found
    return pairs[index][0], round(score)
