"""The perimeter editor: staff pick the NACE codes of each value-chain segment.

- ``nace_search``: NACE-BEL codes (both versions, every level the register can hold) matching a code
  prefix (``43``, ``43.1``, ``4311``) or words of their label in the user's language (accent- and
  case-insensitive through ``core.text.fold``), with the labels in that language;
- ``code_counts``: for each code, how many register enterprises have a MAIN activity under it (the
  perimeter's own rule, so the figure is what the code adds to the universe) and how many ecosystem
  organisations have an activity under it (main or not);
- ``segment_codes_set``: validate and replace a segment's NACE codes, with one audit entry.

Counts are one indexed range count per shown code (at most ``SEARCH_LIMIT`` per page), never a scan.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log
from grappe.core.text import fold
from grappe.ecosystem.models import Organisation, Segment
from grappe.insights.perimeter import prefixes_q
from grappe.referential.models import NaceCode
from grappe.register.models import Activity

SEARCH_LIMIT = 25
MAX_CODES = 200
# National sub-codes (level 6) are finer than anything the register records.
PICKABLE_LEVELS = (
    NaceCode.Level.SECTION,
    NaceCode.Level.DIVISION,
    NaceCode.Level.GROUP,
    NaceCode.Level.CLASS,
    NaceCode.Level.SUBCLASS,
)

# Folded labels per language, built once per process (reference data does not change while running).
_index_cache: dict[str, list[tuple[int, str, str, str]]] = {}


@dataclass
class CodeRow:
    id: int
    version: str
    code: str
    dotted: str
    level: int
    label: str
    enterprises: int = 0
    organisations: int = 0

    @property
    def level_label(self) -> str:
        return str(NaceCode.Level(self.level).label)


def _language() -> str:
    return (get_language() or "fr")[:2]


def code_row(nace: NaceCode) -> CodeRow:
    return CodeRow(nace.pk, nace.version, nace.code, nace.dotted, nace.level, nace.label_in(_language()))


def _search_index(language: str) -> list[tuple[int, str, str, str]]:
    """``(id, version, code, folded label)`` of every pickable code, labels in ``language`` (French fallback)."""
    if language not in _index_cache:
        fields = [f"label_{language}"] if language in ("fr", "nl", "de", "en") else []
        rows = []
        for pk, version, code, *labels in NaceCode.objects.filter(level__in=PICKABLE_LEVELS).values_list(
            "id", "version", "code", *fields, "label_fr", "label_en"
        ):
            label = next((x for x in labels if x), "")
            rows.append((pk, version, code, fold(label)))
        if rows:
            _index_cache[language] = rows
        return rows
    return _index_cache[language]


def nace_search(query: str, *, version: str = "", limit: int = SEARCH_LIMIT) -> list[CodeRow]:
    """Codes whose code starts with ``query`` (dots ignored) or whose label contains all its words."""
    text = (query or "").strip()
    if not text:
        return []
    compact = text.replace(".", "").replace(" ", "").upper()
    by_code = compact.isdigit() or (len(compact) == 1 and compact.isalpha())
    words = fold(text).split()
    ids = []
    for pk, code_version, code, label in _search_index(_language()):
        if version and code_version != version:
            continue
        if (by_code and code.startswith(compact)) or (not by_code and all(w in label for w in words)):
            ids.append(pk)
    codes = NaceCode.objects.filter(pk__in=ids).order_by("-version", "code")[:limit]
    return [code_row(n) for n in codes]


def _prefixes(nace: NaceCode) -> set[tuple[int, str]]:
    if nace.level == NaceCode.Level.SECTION:
        divisions = NaceCode.objects.filter(version=nace.version, level=NaceCode.Level.DIVISION, section=nace.code)
        return {(int(nace.version), d) for d in divisions.values_list("code", flat=True)}
    return {(int(nace.version), nace.code)}


def code_counts(rows: list[CodeRow]) -> list[CodeRow]:
    """Fill ``enterprises`` (register, MAIN activity) and ``organisations`` (ecosystem) of each row."""
    for row in rows:
        nace = NaceCode(pk=row.id, version=row.version, code=row.code, level=row.level)
        prefixes = _prefixes(nace)
        row.enterprises = (
            Activity.objects.filter(prefixes_q(prefixes)).values("enterprise_id").distinct().count() if prefixes else 0
        )
        condition = Q()
        for version, prefix in prefixes:
            condition |= Q(activities__nace__version=str(version), activities__nace__code__startswith=prefix)
        row.organisations = Organisation.objects.filter(condition).values("pk").distinct().count() if prefixes else 0
    return rows


def segment_rows(segment: Segment, *, counts: bool = True) -> list[CodeRow]:
    rows = [code_row(n) for n in segment.nace_codes.order_by("-version", "code")]
    return code_counts(rows) if counts else rows


def perimeter_overview(*, counts: bool = True) -> list[dict[str, Any]]:
    """Every segment with its codes (labels in the user's language and, optionally, counts)."""
    segments = (
        Segment.objects.select_related("value_chain")
        .prefetch_related("competences")
        .order_by("value_chain__order", "value_chain__name", "order", "name")
    )
    return [
        {
            "segment": s,
            "codes": segment_rows(s, counts=counts),
            "competences": sorted((c.name for c in s.competences.all()), key=str.casefold),
        }
        for s in segments
    ]


def redundant_codes(codes: list[NaceCode]) -> list[tuple[NaceCode, NaceCode]]:
    """``(code, broader)`` pairs where ``broader`` (same version, in the list) already covers ``code``."""
    pairs = []
    for nace in codes:
        for other in codes:
            if other.pk == nace.pk or other.version != nace.version:
                continue
            if other.level == NaceCode.Level.SECTION:
                covers = nace.level != NaceCode.Level.SECTION and nace.section == other.code
            else:
                covers = nace.level != NaceCode.Level.SECTION and nace.code.startswith(other.code)
            if covers:
                pairs.append((nace, other))
                break
    return pairs


@transaction.atomic
def segment_codes_set(*, actor: Any, segment: Segment, code_ids: list[Any]) -> Segment:
    """Replace the segment's NACE codes by ``code_ids`` (NaceCode ids); ``ValidationError`` on bad input."""
    cleaned: list[int] = []
    bad = []
    for raw in code_ids:
        text = str(raw).strip()
        if not text.isdigit() or len(text) > 18:
            bad.append(text[:20])
        elif int(text) not in cleaned:
            cleaned.append(int(text))
    if bad:
        raise ValidationError({"codes": _("Identifiants de code NACE invalides : %(ids)s.") % {"ids": ", ".join(bad)}})
    if len(cleaned) > MAX_CODES:
        message = _("Au plus %(max)d codes NACE par segment (%(n)d choisis).")
        raise ValidationError({"codes": message % {"max": MAX_CODES, "n": len(cleaned)}})
    codes = list(NaceCode.objects.filter(pk__in=cleaned))
    if len(codes) != len(cleaned):
        missing = sorted(set(cleaned) - {n.pk for n in codes})
        raise ValidationError(
            {"codes": _("Codes NACE inconnus : %(ids)s.") % {"ids": ", ".join(str(i) for i in missing)}}
        )
    too_fine = [n.dotted for n in codes if n.level not in PICKABLE_LEVELS]
    if too_fine:
        raise ValidationError(
            {
                "codes": _("Sous-codes nationaux trop fins pour le registre (choisissez la sous-classe) : %(codes)s.")
                % {"codes": ", ".join(too_fine)}
            }
        )
    before = sorted(f"{n.version}:{n.dotted}" for n in segment.nace_codes.all())
    segment.nace_codes.set(codes)
    after = sorted(f"{n.version}:{n.dotted}" for n in codes)
    if before != after:
        audit_log(
            actor=actor,
            action="insights.perimeter.updated",
            obj=segment,
            changes={"nace_codes": [before, after]},
            message=_("Périmètre : codes NACE du segment « %(name)s »") % {"name": segment.name},
        )
    return segment
