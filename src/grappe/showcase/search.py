"""Full-text search of the public directory, on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm).

One entry point, :func:`search`, whatever the database:

- **index** (:func:`index_organisations`): one ``DirectoryEntry`` per organisation public *today*,
  with a folded document (name, acronym, descriptions and competence names in the four languages,
  NACE labels, municipalities) and its facet values (``facets``: "facet:value" words);
- **text**: every folded term must occur in the document (substring: "beton" finds "écobéton").
  A term made of letters and digits only can only occur inside one word of the document, so each
  worker answers it from its snapshot: the words of the index (its vocabulary) with, for each, the
  organisations whose document holds it (postings, numpy arrays built when the snapshot is loaded);
  the term's matches are the union of the postings of the vocabulary words that contain it. This
  answers a common word in a few milliseconds where the database rechecks half the directory
  (``LIKE '%beton%'`` on PostgreSQL: 200 ms at 100,000 organisations, see docs/showcase.md). Any
  other term (with an apostrophe, a hyphen...) goes to the database: SQLite from an FTS5 table with
  the ``trigram`` tokenizer, PostgreSQL from a GIN ``gin_trgm_ops`` index on the document
  (``LIKE '%term%'`` uses it); terms of one or two letters are checked by ``LIKE`` on the candidates;
- **typos**: when the exact terms find nothing, each term that occurs nowhere is replaced by the
  vocabulary words within one edit (substitution, insertion, deletion, transposition) found with
  symmetric deletes in ``DirectoryWord`` — "Solvey" finds "Solvay". The caller is told which words
  were used;
- **facets**: each worker keeps the index's facets in memory as bitmaps (Python ints, one bit per
  public organisation, bit order = name order), reloaded when the index generation changes
  (``DirectoryState``, one row read per search). Filters are ANDs, *disjunctive* counts (each facet
  counted with the text and every other facet) are ``bit_count()`` of ANDs, and the page is read
  from the set bits in name order.
"""

import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from grappe.core.text import fold
from grappe.ecosystem import selectors as ecosystem_selectors
from grappe.ecosystem.models import Activity, Organisation, Site
from grappe.showcase.models import DirectoryEntry, DirectoryState, DirectoryWord

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
            DirectoryEntry.objects.filter(pk__in=batch).delete()
            _fts_delete(batch)
            documents = _documents(public)
            DirectoryEntry.objects.bulk_create(
                [
                    DirectoryEntry(
                        organisation_id=pk,
                        name_key=key,
                        document=doc,
                        facets=" ".join(f"{facet}:{value}" for facet, value in pairs),
                    )
                    for pk, (key, doc, pairs) in documents.items()
                ],
                batch_size=2000,
            )
            _fts_insert([(pk, doc) for pk, (_k, doc, _f) in documents.items()])
            _add_words(doc for _k, doc, _f in documents.values())
            indexed += len(documents)
            _bump_generation()
    return indexed


def _bump_generation() -> None:
    token = uuid.uuid4().hex
    if not DirectoryState.objects.filter(pk=1).update(token=token):
        DirectoryState.objects.update_or_create(pk=1, defaults={"token": token})


def rebuild_index() -> int:
    """Re-index every organisation: adds the newly public, drops those no longer public."""
    ids = set(Organisation.objects.values_list("pk", flat=True)) | set(
        DirectoryEntry.objects.values_list("pk", flat=True)
    )
    indexed = index_organisations(ids)
    _bump_generation()  # even when nothing is public: the index now exists
    return indexed


# --- Query ---------------------------------------------------------------------------------------


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _text_sql(term_groups: list[list[str]]) -> tuple[str, list[str]]:
    """SQL giving the ids of entries whose document contains, for every group, one of its spellings."""
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
        return f"SELECT rowid FROM {FTS_TABLE} WHERE " + " AND ".join(where), params
    clauses, params = [], []
    for group in term_groups:
        clauses.append("(" + " OR ".join(["document LIKE %s"] * len(group)) + ")")
        params.extend(_like(t) for t in group)
    return f"SELECT organisation_id FROM {DirectoryEntry._meta.db_table} WHERE " + " AND ".join(clauses), params


def _text_ids(term_groups: list[list[str]], limit: int | None = None) -> list[int]:
    sql, params = _text_sql(term_groups)
    if limit:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


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


@dataclass
class _Snapshot:
    """The index's facets as bitmaps; bit ``i`` is the ``i``-th public organisation in name order."""

    generation: str
    order: list[int]  # organisation ids in name order
    rank: np.ndarray  # rank[pk] = position in name order, -1 if not indexed
    postings: dict[str, dict[str, int]]
    everything: int
    # Vocabulary: the distinct space-separated words of the documents, with their postings (see _postings).
    words: list[str] = field(default_factory=list)
    word_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    word_ranks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    vocabulary: str = ""  # the words joined by newlines (a term is looked for in all of them at once)
    word_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Text bitmaps already computed on this snapshot (LRU): a common word costs its SQL once per worker.
    text_cache: OrderedDict = field(default_factory=OrderedDict)


_snapshots: dict[str, _Snapshot] = {}


def _pool() -> Any:
    """Arrow's system allocator: buffers go back to the system once the snapshot is built (arrow's
    default pool keeps them: a few hundred megabytes more per worker at 100,000 organisations)."""
    import pyarrow as pa

    return pa.system_memory_pool()


_lock = threading.Lock()


def _bitmap(positions: Iterable[int] | np.ndarray, size: int) -> int:
    """A Python int with bit ``p`` set for each position ``p`` (< ``size``)."""
    array = positions if isinstance(positions, np.ndarray) else np.fromiter(positions, dtype=np.int64)
    bits = np.zeros(max(size, 1), dtype=bool)
    bits[array] = True
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


def _generation() -> str:
    return DirectoryState.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def index_token() -> str:
    """Changes with every index change (facet labels and counts may be cached under it)."""
    return _generation()


def snapshot() -> "_Snapshot":
    """This worker's snapshot of the index, reloaded if the index changed (one indexed row read)."""
    return _snapshot()


def _snapshot() -> _Snapshot:
    generation = _generation()
    if not generation:  # never indexed (a database that existed before the index): build it once
        rebuild_index()
        generation = _generation()
    current = _snapshots.get(connection.alias)
    if current is not None and current.generation == generation:
        return current
    with _lock:
        current = _snapshots.get(connection.alias)
        if current is not None and current.generation == generation:  # loaded by another thread meanwhile
            return current
        import pyarrow as pa

        rows = DirectoryEntry.objects.order_by("name_key", "pk").values_list("pk", "facets", "document")
        order, facets, chunks, batch = [], [], [], []
        for pk, facet_words, document in rows.iterator(chunk_size=5000):
            order.append(pk)
            facets.append(facet_words)
            batch.append(document)
            if len(batch) == 5000:  # the documents go to arrow as they come (no list of 100,000 strings)
                chunks.append(pa.array(batch, type=pa.string(), memory_pool=_pool()))
                batch = []
        chunks.append(pa.array(batch, type=pa.string(), memory_pool=_pool()))
        documents = pa.concat_arrays(chunks, memory_pool=_pool())
        del chunks, batch
        size = len(order)
        postings: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        pairs, pair_offsets, pair_ranks = _postings(facets)
        for index, pair in enumerate(pairs):
            facet, _sep, value = pair.partition(":")
            if facet in postings:
                postings[facet][value] = _bitmap(pair_ranks[pair_offsets[index] : pair_offsets[index + 1]], size)
        words, word_offsets, word_ranks = _postings(documents)
        rank = np.full(max(order, default=0) + 1, -1, dtype=np.int64)
        rank[np.array(order, dtype=np.int64)] = np.arange(size, dtype=np.int64)
        snapshot = _Snapshot(
            generation,
            order,
            rank,
            postings,
            (1 << size) - 1,
            words=words,
            word_offsets=word_offsets,
            word_ranks=word_ranks,
            vocabulary="\n".join(words),
            word_starts=np.cumsum([0] + [len(word) + 1 for word in words[:-1]], dtype=np.int64),
        )
        _snapshots[connection.alias] = snapshot
        return snapshot


def _postings(texts: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The distinct space-separated words of ``texts`` and, for each, the (ascending) positions of the
    texts holding it: ``ranks[offsets[i]:offsets[i + 1]]`` for ``words[i]``.

    Split and dictionary-encoded by pyarrow, grouped with one numpy sort: about a second for 100,000
    documents, where a Python loop over their 3.5 million words takes ten.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(texts):
        return [], np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32)
    array = texts if isinstance(texts, pa.Array) else pa.array(texts, type=pa.string(), memory_pool=_pool())
    split = pc.split_pattern(array, " ", memory_pool=_pool())
    encoded = pc.dictionary_encode(pc.list_flatten(split, memory_pool=_pool()), memory_pool=_pool())
    words = encoded.dictionary.to_pylist()
    keys = encoded.indices.to_numpy().astype(np.int64) * len(texts)
    keys += pc.list_parent_indices(split, memory_pool=_pool()).to_numpy()
    del split, encoded
    keys.sort()
    if len(keys):
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]  # a word once per text
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(keys // len(texts), minlength=len(words)))
    return words, offsets, (keys % len(texts)).astype(np.int32)


TEXT_CACHE_SIZE = 256


def _word_bitmap(snapshot: _Snapshot, term: str) -> int:
    """Organisations whose document holds ``term`` (no space in it): it then lies inside one of its words."""
    found = [match.start() for match in re.finditer(re.escape(term), snapshot.vocabulary)]
    if not found:
        return 0
    matched = np.unique(np.searchsorted(snapshot.word_starts, np.array(found, dtype=np.int64), side="right") - 1)
    offsets, ranks = snapshot.word_offsets, snapshot.word_ranks
    if len(matched) > 64:  # many words (a short term): select the postings of all of them at once
        chosen = np.zeros(len(snapshot.words), dtype=bool)
        chosen[matched] = True
        selected = ranks[np.repeat(chosen, np.diff(offsets))]
    else:
        selected = np.concatenate([ranks[offsets[i] : offsets[i + 1]] for i in matched.tolist()])
    return _bitmap(selected, len(snapshot.order))


def _group_bitmap(snapshot: _Snapshot, group: list[str]) -> int:
    """Organisations whose document holds one of the spellings in ``group`` (cached per snapshot)."""
    key = ("group", tuple(group))
    cached = snapshot.text_cache.get(key)
    if cached is not None:
        snapshot.text_cache.move_to_end(key)
        return cached
    if all(term and " " not in term for term in group):  # always, for the terms of a query
        bitmap = 0
        for term in group:
            bitmap |= _cached(snapshot, ("word", term), lambda t=term: _word_bitmap(snapshot, t))
    else:  # a term with a space can span words: the database's full-text index
        ids = np.array(_text_ids([group]), dtype=np.int64)
        ids = ids[ids < len(snapshot.rank)]
        ranks = snapshot.rank[ids]
        bitmap = _bitmap(ranks[ranks >= 0], len(snapshot.order))
    snapshot.text_cache[key] = bitmap
    if len(snapshot.text_cache) > TEXT_CACHE_SIZE:
        snapshot.text_cache.popitem(last=False)
    return bitmap


def _text_bitmap(snapshot: _Snapshot, groups: list[list[str]]) -> int:
    bitmap = snapshot.everything
    for group in groups:
        bitmap &= _group_bitmap(snapshot, group)
        if not bitmap:
            break
    return bitmap


def _cached(snapshot: _Snapshot, key: Any, compute: Any) -> Any:
    """``compute()`` once per snapshot (LRU shared with the text bitmaps)."""
    if key in snapshot.text_cache:
        snapshot.text_cache.move_to_end(key)
        return snapshot.text_cache[key]
    value = snapshot.text_cache[key] = compute()
    if len(snapshot.text_cache) > TEXT_CACHE_SIZE:
        snapshot.text_cache.popitem(last=False)
    return value


def _set_bits(bitmap: int, size: int) -> np.ndarray:
    """Positions of the set bits, ascending."""
    data = np.frombuffer(bitmap.to_bytes((size + 7) // 8 or 1, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(data, bitorder="little")[:size])


SORTS = ("name", "-name")


def search(
    terms: list[str],
    selected: dict[str, str],
    *,
    offset: int = 0,
    limit: int = 20,
    sort: str = "name",
    snapshot: _Snapshot | None = None,
) -> SearchResult:
    """Page of public organisation ids matching every folded term and every selected facet value.

    ``snapshot``: the one :func:`snapshot` returned earlier in the same request (saves its read).
    """
    snapshot = snapshot or _snapshot()
    size = len(snapshot.order)
    corrections: dict[str, list[str]] = {}
    text = snapshot.everything
    if terms:
        groups = [[t] for t in terms]
        text = _text_bitmap(snapshot, groups)
        if not text:
            for index, term in enumerate(terms):
                spelled = _cached(
                    snapshot, ("spelled", term), lambda t=term: [] if _group_bitmap(snapshot, [t]) else alternatives(t)
                )
                if spelled:
                    corrections[term] = spelled
                    groups[index] = spelled
            if corrections:
                text = _text_bitmap(snapshot, groups)
    chosen = {facet: snapshot.postings.get(facet, {}).get(value, 0) for facet, value in selected.items()}
    result = text
    for bitmap in chosen.values():
        result &= bitmap
    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        base = text
        for other, bitmap in chosen.items():
            if other != facet:
                base &= bitmap
        counts[facet] = {
            value: n for value, bitmap in snapshot.postings.get(facet, {}).items() if (n := (base & bitmap).bit_count())
        }
    total = result.bit_count()
    page: list[int] = []
    if limit > 0 and offset < total:
        positions = _set_bits(result, size)
        if sort == "-name":
            positions = positions[::-1]
        page = [snapshot.order[bit] for bit in positions[offset : offset + limit].tolist()]
    return SearchResult(page, total, counts, corrections if total else {})


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
    return {
        "entries": DirectoryEntry.objects.count(),
        "words": DirectoryWord.objects.count(),
        "generation": _generation(),
    }
