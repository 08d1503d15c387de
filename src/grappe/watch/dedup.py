"""Near-duplicate grouping across sources: MinHash signatures with LSH bands kept in the database.

Each item gets a 64-value MinHash signature of the character 5-grams of its folded title and summary.
The signature is cut into 16 bands of 4 values; every band is stored (``ItemBand``) so the candidates
for a new item are found with one indexed query, whatever the size of the archive. A candidate whose
estimated Jaccard similarity reaches ``THRESHOLD`` joins (or starts) a duplicate group, identified by
the id of the group's first item.
"""

import hashlib
import zlib
from collections.abc import Iterable

import numpy as np
from django.db import connection

from grappe.watch.cleaning import fast_fold, plain_text

PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
SHINGLE = 5
THRESHOLD = 0.6
_PRIME = np.uint64(4294967311)  # smallest prime above 2**32
_rng = np.random.default_rng(20240601)  # fixed seed: signatures must be stable across processes and releases
_A = _rng.integers(1, 2**32 - 1, size=PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, size=PERMUTATIONS, dtype=np.uint64)


def signature_text(title: str, summary: str) -> str:
    return fast_fold(f"{title} {plain_text(summary, limit=300)}")


def signature(text: str) -> np.ndarray | None:
    """MinHash of the character shingles of ``text`` (uint32 values), or None for a text too short to compare."""
    if len(text) < SHINGLE * 2:
        return None
    shingles = {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}
    hashes = np.fromiter((zlib.crc32(s.encode()) for s in shingles), dtype=np.uint64, count=len(shingles))
    # (a*x + b) mod p for every permutation and shingle; a*x < 2**64 since both are below 2**32.
    permuted = (np.outer(_A, hashes) + _B[:, None]) % _PRIME
    return permuted.min(axis=1).astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 63-bit key per band (band index mixed in, so equal rows of different bands differ)."""
    return [
        int.from_bytes(
            hashlib.blake2b(bytes([band]) + sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=7).digest()
        )
        for band in range(BANDS)
    ]


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
    keys_of = {item.pk: band_keys(sigs[item.pk]) for item in items}
    # Sixteen rows per item: plain executemany, the ORM's bulk_create costs more than the insert itself.
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(ItemBand._meta.db_table)} ({qn('item_id')}, {qn('key')}) VALUES (%s, %s)",
            [(pk, key) for pk, keys in keys_of.items() for key in keys],
        )
    all_keys = {key for keys in keys_of.values() for key in keys}
    candidates: dict[int, set[int]] = {}
    for item_id, key in ItemBand.objects.filter(key__in=all_keys).values_list("item_id", "key"):
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
