"""Store parsed entries as items: de-duplicate by canonical URL, detect language, sign, group, tag.

One poll is handled as a batch: the plain text of every entry is computed once and shared by language
detection, the near-duplicate signature, the search text and tagging; languages and signatures are
computed for all entries together (numpy); items are inserted with one ``executemany`` that skips
stories another worker stored meanwhile (``ON CONFLICT DO NOTHING`` on the de-duplication key), then
their ids are read back with one query.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

from grappe.core.text import fold
from grappe.watch import dedup
from grappe.watch.canonical import canonical_url, fallback_key, url_key
from grappe.watch.cleaning import LANGUAGES, detect_languages, fast_fold, plain_text
from grappe.watch.models import Item, Source
from grappe.watch.parsing import ParsedEntry
from grappe.watch.tagging import Tagger, tagging_text

_SKIP = {"id"}  # every other column is written (model defaults included)
_AS_IS = {"CharField", "TextField", "URLField", "BooleanField", "PositiveBigIntegerField", "ForeignKey"}


@dataclass
class IngestResult:
    seen: int = 0
    new: int = 0
    tagged: int = 0
    grouped: int = 0


def entry_key(source: Source, entry: ParsedEntry) -> tuple[str, str]:
    """``(canonical URL, dedup key)``; entries without a link are keyed by guid (or title and date) per source."""
    canonical = canonical_url(entry.link)
    if canonical:
        return canonical, url_key(canonical)
    if entry.guid:
        return "", fallback_key(source.pk, "guid", entry.guid)
    stamp = entry.event_start or entry.published
    return "", fallback_key(source.pk, "title", fold(entry.title), stamp.isoformat() if stamp else "")


def build_items(
    source: Source, keyed: list[tuple[str, str, ParsedEntry]], fetched_at: dt.datetime
) -> tuple[list[Item], list[str]]:
    """Unsaved items for ``(canonical, key, entry)`` triples, and the folded text each one is tagged on."""
    plains = [(plain_text(e.summary), plain_text(e.content)) for _c, _k, e in keyed]
    languages = [source.language or (e.language if e.language in LANGUAGES else "") for _c, _k, e in keyed]
    # Detection cost grows with length; a title and the start of the summary are enough.
    undecided = [i for i, language in enumerate(languages) if not language]
    if undecided:
        samples = []
        for i in undecided:
            summary = plains[i][0] or plains[i][1]
            samples.append(f"{keyed[i][2].title}. {summary[:199] + '…' if len(summary) > 200 else summary}")
        for i, language in zip(undecided, detect_languages(samples), strict=True):
            languages[i] = language
    signatures = dedup.signatures(
        [
            dedup.signature_text(e.title, summary or content)
            for (_c, _k, e), (summary, content) in zip(keyed, plains, strict=True)
        ]
    )
    items, texts = [], []
    for (canonical, key, entry), (summary, content), language, signature in zip(
        keyed, plains, languages, signatures, strict=True
    ):
        # One fold per entry: what tagging reads is the whole search text unless the content is long.
        folded = fast_fold(tagging_text(entry.title, summary, content))
        search_text = folded if len(content) <= 5000 else fast_fold(f"{entry.title} {summary} {content}")
        if entry.location:
            search_text = f"{search_text} {fast_fold(entry.location)}"
        items.append(
            Item(
                source=source,
                kind=entry.kind,
                link=entry.link[:2000],
                canonical_url=canonical[:2000],
                dedup_key=key,
                guid=entry.guid[:1000],
                title=entry.title[:1000],
                summary=entry.summary,
                content=entry.content,
                published_at=entry.published or fetched_at,
                date_missing=entry.published is None,
                fetched_at=fetched_at,
                language=language,
                event_start=entry.event_start,
                event_end=entry.event_end,
                event_location=entry.location[:500],
                diff=entry.diff,
                minhash=dedup.to_bytes(signature),
                search_text=search_text[:20000],
            )
        )
        texts.append(folded)
    return items, texts


def insert_items(items: list[Item]) -> list[Item]:
    """Insert ``items`` (one source, one fetch) skipping keys already stored; return those inserted, with ids."""
    if not items:
        return []
    fields = [f for f in Item._meta.concrete_fields if f.name not in _SKIP]
    qn = connection.ops.quote_name
    table = qn(Item._meta.db_table)
    # Text, numbers, booleans and foreign keys go to the driver as they are; the other types through
    # Django's own adaptation (datetimes, dates, bytes).
    plain = [f.get_internal_type() in _AS_IS for f in fields]
    rows = [
        tuple(
            value if as_is else f.get_db_prep_save(value, connection)
            for f, as_is, value in zip(fields, plain, [getattr(item, f.attname) for f in fields], strict=True)
        )
        for item in items
    ]
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT ({qn('dedup_key')}) DO NOTHING", rows
        )
    # Our rows: this source's, with these keys (no other worker polls this source: it is claimed).
    by_key = {item.dedup_key: item for item in items}
    stored = Item.objects.filter(
        source_id=items[0].source_id, dedup_key__in=list(by_key), fetched_at=items[0].fetched_at
    )
    created = []
    for pk, key in stored.values_list("pk", "dedup_key"):
        item = by_key[key]
        item.pk = pk
        item._state.adding = False
        created.append(item)
    created.sort(key=lambda i: i.pk)
    return created


def ingest_entries(
    source: Source, entries: list[ParsedEntry], fetched_at: dt.datetime, *, tagger: Tagger | None = None
) -> IngestResult:
    """Store the entries not seen before (by any source), group near-duplicates and tag them."""
    result = IngestResult(seen=len(entries))
    keyed: dict[str, tuple[str, ParsedEntry]] = {}
    for entry in entries:
        canonical, key = entry_key(source, entry)
        keyed.setdefault(key, (canonical, entry))  # the same story twice in one feed: first one wins
    existing = set(Item.objects.filter(dedup_key__in=list(keyed)).values_list("dedup_key", flat=True))
    fresh = [(canonical, key, entry) for key, (canonical, entry) in keyed.items() if key not in existing]
    if not fresh:
        return result
    items, texts = build_items(source, fresh, fetched_at)
    tagger = tagger or Tagger()
    # Scores need no id: computed before the write transaction, which stays short.
    found_of = {item.dedup_key: found for item, found in zip(items, tagger.scores(items, folded=texts), strict=True)}
    with transaction.atomic():
        created = insert_items(items)
        result.new = len(created)
        result.grouped = dedup.assign_groups(created)
        result.tagged = tagger.tag(created, found=[found_of[item.dedup_key] for item in created])
    return result
