"""Full-text search of the public directory, on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm).

One entry point, :func:`search`, whatever the database:

- **index** (:func:`index_organisations`): one ``DirectoryEntry`` per organisation public *today*,
  with a folded document (name, acronym, descriptions and competence names in the four languages,
  NACE labels, municipalities) and its facet values in ``DirectoryFacet``;
- **text**: every folded term must occur in the document (substring: "beton" finds "écobéton").
  SQLite answers from an FTS5 table with the ``trigram`` tokenizer; PostgreSQL from a GIN
  ``gin_trgm_ops`` index on the document (``LIKE '%term%'`` uses it). Terms of one or two letters
  are checked by ``LIKE`` on the candidates;
- **typos**: when the exact terms find nothing, each term that occurs nowhere is replaced by the
  vocabulary words within one edit (substitution, insertion, deletion, transposition) found with
  symmetric deletes in ``DirectoryWord`` — "Solvey" finds "Solvay". The caller is told which words
  were used;
- **facets**: filters and *disjunctive* counts (each facet counted with the text and every other
  facet) by ``GROUP BY`` on ``DirectoryFacet``.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from grappe.core.text import fold
from grappe.ecosystem import selectors as ecosystem_selectors
from grappe.ecosystem.models import Activity, Organisation, Site
from grappe.showcase.models import DirectoryEntry, DirectoryFacet, DirectoryWord

FACETS = ("value_chain", "competence", "province", "kind", "market")
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
FTS_TABLE = "showcase_directory_fts"
_WORD = re.compile(r"[a-z]{4,30}")
MAX_ALTERNATIVES = 8
CHUNK = 2000


def _public_ids(ids: Iterable[int] | None = None) -> set[int]:
    qs = ecosystem_selectors.members_on(timezone.localdate()).filter(public_profile_consent=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return set(qs.values_list("pk", flat=True))


# --- Indexing ------------------------------------------------------------------------------------


def _documents(ids: list[int]) -> dict[int, tuple[str, str, list[tuple[str, str]]]]:
    """(name key, folded document, facet pairs) of each organisation in ``ids`` — public fields only."""
    parts: dict[int, list[str]] = {}
    facets: dict[int, set[tuple[str, str]]] = {}
    names: dict[int, str] = {}
    rows = Organisation.objects.filter(pk__in=ids).values_list(
        "pk", "name", "acronym", "kind", "export_markets", *(f"description_{code}" for code in LANGUAGE_CODES)
    )
    for pk, name, acronym, kind, markets, *descriptions in rows:
        names[pk] = name
        parts[pk] = [name, acronym or "", *(d or "" for d in descriptions)]
        facets[pk] = {("kind", kind)}
        for market in str(markets or "").split(","):
            if market.strip():
                facets[pk].add(("market", market.strip()))
    for pk, slug in Organisation.segments.through.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "segment__value_chain__slug"
    ):
        facets[pk].add(("value_chain", slug))
    labels = [f"competence__name_{code}" for code in LANGUAGE_CODES]
    for pk, slug, *names_in in Organisation.competences.through.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "competence__slug", *labels
    ):
        facets[pk].add(("competence", slug))
        parts[pk].extend(n or "" for n in names_in)
    nace = [f"nace__label_{code}" for code in LANGUAGE_CODES]
    for pk, *nace_labels in Activity.objects.filter(organisation_id__in=ids).values_list("organisation_id", *nace):
        parts[pk].extend(label or "" for label in nace_labels)
    municipality = [f"municipality__label_{code}" for code in LANGUAGE_CODES]
    for pk, nis, *places in Site.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "municipality__province__nis", *municipality
    ):
        if nis:
            facets[pk].add(("province", nis))
        parts[pk].extend(p or "" for p in places)
    return {
        pk: (fold(names[pk])[:255], fold(" ".join(dict.fromkeys(p for p in parts[pk] if p))), sorted(facets[pk]))
        for pk in parts
    }


def deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _add_words(documents: Iterable[str]) -> None:
    words: set[str] = set()
    for document in documents:
        words.update(_WORD.findall(document))
    if not words:
        return
    known: set[str] = set()
    listed = sorted(words)
    for start in range(0, len(listed), 500):
        batch = listed[start : start + 500]
        known.update(DirectoryWord.objects.filter(key__in=batch, word__in=batch).values_list("word", flat=True))
    rows = [DirectoryWord(key=key, word=word) for word in words - known for key in deletes(word) | {word}]
    DirectoryWord.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


def _fts_delete(ids: list[int]) -> None:
    if connection.vendor != "sqlite" or not ids:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({','.join(['%s'] * len(batch))})", batch)


def _fts_insert(rows: list[tuple[int, str]]) -> None:
    if connection.vendor != "sqlite" or not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, document) VALUES (%s, %s)", rows)


def index_organisations(ids: Iterable[int]) -> int:
    """Bring the index up to date for ``ids``: public ones (re)indexed, others removed. Returns the count indexed."""
    wanted = sorted(set(ids))
    indexed = 0
    for start in range(0, len(wanted), CHUNK):
        batch = wanted[start : start + CHUNK]
        with transaction.atomic():
            public = sorted(_public_ids(batch))
            DirectoryEntry.objects.filter(pk__in=batch).delete()  # cascades to the facets
            _fts_delete(batch)
            documents = _documents(public)
            DirectoryEntry.objects.bulk_create(
                [
                    DirectoryEntry(organisation_id=pk, name_key=key, document=doc)
                    for pk, (key, doc, _f) in documents.items()
                ]
            )
            DirectoryFacet.objects.bulk_create(
                [
                    DirectoryFacet(organisation_id=pk, facet=facet, value=value)
                    for pk, (_k, _d, pairs) in documents.items()
                    for facet, value in pairs
                ],
                batch_size=5000,
            )
            _fts_insert([(pk, doc) for pk, (_k, doc, _f) in documents.items()])
            _add_words(doc for _k, doc, _f in documents.values())
            indexed += len(documents)
    return indexed


def rebuild_index() -> int:
    """Re-index every organisation: adds the newly public, drops those no longer public."""
    ids = set(Organisation.objects.values_list("pk", flat=True)) | set(
        DirectoryEntry.objects.values_list("pk", flat=True)
    )
    return index_organisations(ids)


# --- Query ---------------------------------------------------------------------------------------


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _text_filter(term_groups: list[list[str]]) -> RawSQL | None:
    """Ids of entries whose document contains, for every group, at least one of its spellings."""
    if not term_groups:
        return None
    if connection.vendor == "sqlite":
        match, likes, params = [], [], []
        for group in term_groups:
            long = [t for t in group if len(t) >= 3]
            if len(long) == len(group):
                match.append("(" + " OR ".join(_fts_phrase(t) for t in long) + ")")
            else:  # too short for trigrams: LIKE over the FTS rows
                likes.append("(" + " OR ".join(["document LIKE %s ESCAPE '\\'"] * len(group)) + ")")
                params.extend(_like(t) for t in group)
        where = []
        if match:
            where.append(f"{FTS_TABLE} MATCH %s")
            params.insert(0, " AND ".join(match))
        where.extend(likes)
        return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE " + " AND ".join(where), params)
    clauses, params = [], []
    for group in term_groups:
        clauses.append("(" + " OR ".join(["document LIKE %s"] * len(group)) + ")")
        params.extend(_like(t) for t in group)
    return RawSQL(f"SELECT organisation_id FROM {DirectoryEntry._meta.db_table} WHERE " + " AND ".join(clauses), params)


def _term_found(term: str) -> bool:
    condition = _text_filter([[term]])
    return DirectoryEntry.objects.filter(pk__in=condition).exists()


def osa_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent transpositions), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def alternatives(term: str) -> list[str]:
    """Vocabulary words within one edit of ``term`` (none for short words or words with digits)."""
    if not _WORD.fullmatch(term):
        return []
    keys = deletes(term) | {term}
    words = set(DirectoryWord.objects.filter(key__in=keys).values_list("word", flat=True)) - {term}
    close = sorted((osa_distance(term, w), w) for w in words)
    return [w for d, w in close if d <= 1][:MAX_ALTERNATIVES]


@dataclass
class SearchResult:
    ids: list[int]  # the requested page, in order
    total: int
    counts: dict[str, dict[str, int]]
    corrections: dict[str, list[str]] = field(default_factory=dict)


def _filtered(text: RawSQL | None, selected: dict[str, str], skip: str | None = None) -> QuerySet[DirectoryEntry]:
    qs = DirectoryEntry.objects.all()
    if text is not None:
        qs = qs.filter(pk__in=text)
    for facet, value in selected.items():
        if facet != skip:
            qs = qs.filter(pk__in=DirectoryFacet.objects.filter(facet=facet, value=value).values("organisation_id"))
    return qs


def _counts(text: RawSQL | None, selected: dict[str, str]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        rows = DirectoryFacet.objects.filter(facet=facet)
        if text is not None or any(f != facet for f in selected):
            rows = rows.filter(organisation_id__in=_filtered(text, selected, skip=facet).values("pk"))
        counts[facet] = dict(rows.values("value").annotate(n=Count("*")).values_list("value", "n"))
    return counts


def _blank_counts() -> dict[str, dict[str, int]]:
    """Counts of the whole directory, cached while the index does not change."""
    state = DirectoryEntry.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    key = f"showcase:blank-counts:{connection.alias}:{state['n']}:{state['last'] and state['last'].timestamp()}"
    counts = cache.get(key)
    if counts is None:
        counts = _counts(None, {})
        cache.set(key, counts, 3600)
    return counts


SORTS = {"name": ("name_key", "pk"), "-name": ("-name_key", "-pk"), "recent": ("-updated_at", "-pk")}


def search(
    terms: list[str], selected: dict[str, str], *, offset: int = 0, limit: int = 20, sort: str = "name"
) -> SearchResult:
    """Page of public organisation ids matching every folded term and every selected facet value."""
    groups = [[t] for t in terms]
    text = _text_filter(groups)
    qs = _filtered(text, selected)
    total = qs.count()
    corrections: dict[str, list[str]] = {}
    if total == 0 and terms:
        for index, term in enumerate(terms):
            if not _term_found(term):
                spelled = alternatives(term)
                if spelled:
                    corrections[term] = spelled
                    groups[index] = spelled
        if corrections:
            text = _text_filter(groups)
            qs = _filtered(text, selected)
            total = qs.count()
    ids = list(qs.order_by(*SORTS.get(sort, SORTS["name"])).values_list("pk", flat=True)[offset : offset + limit])
    counts = _blank_counts() if text is None and not selected else _counts(text, selected)
    return SearchResult(ids, total, counts, corrections if total else {})


def naive_search(terms: list[str], selected: dict[str, str], *, limit: int = 20) -> tuple[list[int], int]:
    """The baseline of the benchmark: ``icontains`` over the organisation's fields and joins, no index."""
    from django.db.models import Q

    qs = ecosystem_selectors.members_on(timezone.localdate()).filter(public_profile_consent=True)
    for term in terms:
        condition = Q(name__icontains=term) | Q(acronym__icontains=term)
        for code in LANGUAGE_CODES:
            condition |= Q(**{f"description_{code}__icontains": term})
            condition |= Q(**{f"competences__name_{code}__icontains": term})
        qs = qs.filter(pk__in=Organisation.objects.filter(condition).values("pk"))
    lookups = {
        "value_chain": "segments__value_chain__slug",
        "competence": "competences__slug",
        "province": "sites__municipality__province__nis",
        "kind": "kind",
    }
    for facet, value in selected.items():
        if facet in lookups:
            qs = qs.filter(pk__in=Organisation.objects.filter(**{lookups[facet]: value}).values("pk"))
    return list(qs.order_by("name", "pk").values_list("pk", flat=True)[:limit]), qs.count()


def index_state() -> dict[str, Any]:
    return {"entries": DirectoryEntry.objects.count(), "words": DirectoryWord.objects.count()}
