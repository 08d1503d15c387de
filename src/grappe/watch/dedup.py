"""Near-duplicate grouping across sources: MinHash signatures with LSH bands kept in the database.

Each item gets a 64-value MinHash signature of the character 5-grams of its folded title and summary.
The signature is cut into 16 bands of 4 values; every band is stored (``ItemBand``) so the candidates
for a new item are found with one indexed query, whatever the size of the archive. A candidate whose
estimated Jaccard similarity reaches ``THRESHOLD`` joins (or starts) a duplicate group, identified by
the id of the group's first item.
"""

from collections.abc import Iterable

import numpy as np
from django.db import connection

from grappe.watch.cleaning import fast_fold

PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
SHINGLE = 5
THRESHOLD = 0.6
_rng = np.random.default_rng(20240601)  # fixed seed: signatures must be stable across processes and releases
_A = _rng.integers(1, 2**63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)


def signature_text(title: str, plain_summary: str) -> str:
    """The text a signature is computed on: folded title and start of the (plain) summary."""
    return fast_fold(f"{title} {plain_summary[:300]}")


_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_SHINGLE_BASE = np.uint64(1_000_003)
_CHUNK_SHINGLES = 60_000  # shingles hashed together: (64 x chunk) uint64 values, about 30 MB at most


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit (uint64 arithmetic wraps)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of every character 5-gram of ``text`` (repeats kept: they do not change a minimum)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - SHINGLE + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(SHINGLE):
            combined = combined * _SHINGLE_BASE + codes[offset : offset + count]
        return _mix64(combined) >> np.uint64(32)


def signatures(texts: list[str]) -> list[np.ndarray | None]:
    """MinHash of the character shingles of each text (uint32 values), None for a text too short to compare.

    All texts of a poll are hashed together: the shingle hashes are concatenated and each permutation's
    minimum per text is one ``np.minimum.reduceat``.
    """
    results: list[np.ndarray | None] = [None] * len(texts)
    pending: list[tuple[int, np.ndarray]] = []
    size = 0

    def flush() -> None:
        nonlocal size
        if not pending:
            return
        hashes = np.concatenate([h for _i, h in pending])
        offsets = np.cumsum([0] + [len(h) for _i, h in pending[:-1]])
        # Multiply-shift hashing, one (a, b) pair per permutation: the high 32 bits of a*x + b (mod 2**64).
        with np.errstate(over="ignore"):
            permuted = (np.outer(_A, hashes) + _B[:, None]) >> np.uint64(32)
        minima = np.minimum.reduceat(permuted, offsets, axis=1).astype(np.uint32)
        for column, (index, _h) in enumerate(pending):
            results[index] = np.ascontiguousarray(minima[:, column])
        pending.clear()
        size = 0

    for index, text in enumerate(texts):
        if len(text) < SHINGLE * 2:
            continue
        hashes = _shingle_hashes(text)
        pending.append((index, hashes))
        size += len(hashes)
        if size >= _CHUNK_SHINGLES:
            flush()
    flush()
    return results


def signature(text: str) -> np.ndarray | None:
    return signatures([text])[0]


_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_key_matrix(sigs: np.ndarray) -> np.ndarray:
    """Band keys of many signatures (rows): one non-negative 63-bit integer per band, band index mixed in
    (so equal rows of different bands differ)."""
    bands = sigs.reshape(len(sigs), BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        key = np.broadcast_to(np.arange(1, BANDS + 1, dtype=np.uint64) * _BAND_MIX, (len(sigs), BANDS)).copy()
        for row in range(ROWS):
            key = _mix64(key ^ bands[:, :, row])
    return (key >> np.uint64(1)).astype(np.int64)


def band_keys(sig: np.ndarray) -> list[int]:
    return band_key_matrix(sig[None, :])[0].tolist()


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def to_bytes(sig: np.ndarray | None) -> bytes | None:
    return None if sig is None else sig.tobytes()


def from_bytes(raw: bytes | memoryview | None) -> np.ndarray | None:
    return None if not raw else np.frombuffer(bytes(raw), dtype=np.uint32)


def assign_groups(new_items: Iterable) -> int:
    """Store the bands of ``new_items`` (already saved, with ``minhash`` set) and group near-duplicates.

    Returns how many new items joined a group.
    """
    from grappe.watch.models import Item, ItemBand

    items = [item for item in new_items if item.minhash]
    if not items:
        return 0
    sigs = {item.pk: from_bytes(item.minhash) for item in items}
    key_matrix = band_key_matrix(np.stack([sigs[item.pk] for item in items])).tolist()
    keys_of = {item.pk: keys for item, keys in zip(items, key_matrix, strict=True)}
    # Sixteen rows per item: plain executemany, the ORM's bulk_create costs more than the insert itself.
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(ItemBand._meta.db_table)} ({qn('item_id')}, {qn('key')}) VALUES (%s, %s)",
            [(pk, key) for pk, keys in keys_of.items() for key in keys],
        )
    all_keys = list({key for keys in keys_of.values() for key in keys})
    candidates: dict[int, set[int]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(all_keys), 900):  # below SQLite's oldest limit of 999 parameters
            chunk = all_keys[start : start + 900]
            cursor.execute(
                f"SELECT {qn('item_id')}, {qn('key')} FROM {qn(ItemBand._meta.db_table)} "
                f"WHERE {qn('key')} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for item_id, key in cursor.fetchall():
                candidates.setdefault(key, set()).add(item_id)
    other_ids = {i for ids in candidates.values() for i in ids} - set(sigs)
    others = {
        row["pk"]: row
        for row in Item.objects.filter(pk__in=other_ids).values("pk", "minhash", "duplicate_group", "source_id")
    }
    known = {pk: from_bytes(row["minhash"]) for pk, row in others.items()}
    known.update(sigs)
    group_of = {pk: row["duplicate_group"] for pk, row in others.items()}
    item_by_pk = {item.pk: item for item in items}
    changed: dict[int, object] = {}
    joined = 0
    for item in sorted(items, key=lambda i: i.pk):
        best, best_score = None, THRESHOLD
        for key in keys_of[item.pk]:
            for other in candidates.get(key, ()):
                if other == item.pk or (other in sigs and other > item.pk):
                    continue  # new items are matched against older ones only
                score = similarity(sigs[item.pk], known[other])
                if score >= best_score:
                    best, best_score = other, score
        if best is None:
            continue
        group = group_of.get(best) or best
        if group_of.get(best) is None:
            group_of[best] = group
            if best in item_by_pk:
                item_by_pk[best].duplicate_group = group
                changed[best] = item_by_pk[best]
            else:
                Item.objects.filter(pk=best).update(duplicate_group=group)
        group_of[item.pk] = group
        item.duplicate_group = group
        changed[item.pk] = item
        joined += 1
    # One UPDATE per group (bulk_update's CASE expressions cost far more for a few hundred rows).
    by_group: dict[int, list[int]] = {}
    for pk, item in changed.items():
        by_group.setdefault(item.duplicate_group, []).append(pk)
    for group, ids in by_group.items():
        Item.objects.filter(pk__in=ids).update(duplicate_group=group)
    return joined
