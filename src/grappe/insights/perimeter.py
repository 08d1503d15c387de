"""The cluster's perimeter: the union of its value-chain segments' NACE codes.

A segment lists NACE codes of any level (section, division, group, class, subclass) in either
NACE-BEL version (2008 or 2025). A register enterprise is **in a segment** when one of its MAIN
activities has a code of the same version that starts with one of the segment's codes (a section
letter stands for all its divisions). Only main activities count: secondary and auxiliary
activities would put almost every builder's supplier in the perimeter and make the universe
meaningless for a cluster's representativeness; this is also how the register's own statistics
count (``register.selectors.universe_stats``).

Conditions are expressed as index-friendly ranges (``code >= '43' AND code < '44'``) on the
register's ``(nace_version, classification, nace_code, enterprise)`` covering index
(``register_act_nace_class``), never ``LIKE``.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from grappe.ecosystem.models import Segment
from grappe.referential.models import NaceCode

MAIN = "MAIN"


@dataclass(frozen=True)
class PerimeterSegment:
    """A segment and its NACE prefixes as ``(version, undotted prefix)`` pairs."""

    id: int
    name: str
    value_chain: str
    prefixes: tuple[tuple[int, str], ...]

    @property
    def label(self) -> str:
        return f"{self.value_chain} — {self.name}"


@dataclass
class Perimeter:
    segments: list[PerimeterSegment] = field(default_factory=list)

    @property
    def prefixes(self) -> set[tuple[int, str]]:
        return {p for s in self.segments for p in s.prefixes}

    @property
    def is_empty(self) -> bool:
        return not self.prefixes

    @property
    def division_version(self) -> int:
        """The NACE version used for the division breakdown: 2025 unless the perimeter has only 2008 codes."""
        versions = {v for v, _p in self.prefixes}
        return 2008 if versions == {2008} else 2025

    def segments_of(self, activities: list[tuple[int, str]]) -> set[int]:
        """Segment ids matched by main activities ``(version, code)`` (the Python twin of :func:`segment_q`)."""
        return {s.id for s in self.segments if any(_match(s.prefixes, v, c) for v, c in activities)}

    def contains(self, activities: list[tuple[int, str]]) -> bool:
        prefixes = tuple(self.prefixes)
        return any(_match(prefixes, v, c) for v, c in activities)


def _match(prefixes: tuple[tuple[int, str], ...], version: int, code: str) -> bool:
    return any(version == v and code.startswith(p) for v, p in prefixes)


def _expand(nace: NaceCode, divisions: dict[tuple[str, str], list[str]]) -> list[str]:
    if nace.level == NaceCode.Level.SECTION:
        return divisions.get((nace.version, nace.code), [])
    return [nace.code]


def load_perimeter(segment_ids: list[int] | None = None) -> Perimeter:
    """The segments (all, or the chosen ones) with their prefixes; segments without codes are kept (no universe)."""
    queryset = (
        Segment.objects.select_related("value_chain")
        .prefetch_related("nace_codes")
        .order_by("value_chain__order", "value_chain__name", "order", "name")
    )
    if segment_ids:
        queryset = queryset.filter(pk__in=segment_ids)
    divisions: dict[tuple[str, str], list[str]] = {}
    for version, section, code in NaceCode.objects.filter(level=NaceCode.Level.DIVISION).values_list(
        "version", "section", "code"
    ):
        divisions.setdefault((version, section), []).append(code)
    segments = []
    for segment in queryset:
        prefixes = sorted({(int(n.version), code) for n in segment.nace_codes.all() for code in _expand(n, divisions)})
        # A prefix covered by a shorter one of the same version adds nothing (and would double the range scan).
        kept = tuple(
            (v, p) for v, p in prefixes if not any(v == v2 and p != p2 and p.startswith(p2) for v2, p2 in prefixes)
        )
        segments.append(PerimeterSegment(segment.pk, segment.name, segment.value_chain.name, kept))
    return Perimeter(segments)


def _range(prefix: str) -> tuple[str, str]:
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefixes_q(prefixes: set[tuple[int, str]] | tuple[tuple[int, str], ...], path: str = "") -> Q:
    """Main activities under any prefix, as index ranges; ``path`` prefixes field names (``"activity__"``)."""
    condition = Q()
    for version, prefix in sorted(prefixes):
        low, high = _range(prefix)
        condition |= Q(**{f"{path}nace_version": version, f"{path}nace_code__gte": low, f"{path}nace_code__lt": high})
    if not condition:
        return Q(pk__in=[])
    return condition & Q(**{f"{path}classification": MAIN})


def segment_q(segment: PerimeterSegment) -> Q:
    return prefixes_q(segment.prefixes)
