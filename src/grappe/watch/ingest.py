"""Store parsed entries as items: de-duplicate by canonical URL, detect language, sign, group, tag."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from grappe.core.text import fold
from grappe.watch import dedup
from grappe.watch.canonical import canonical_url, fallback_key, url_key
from grappe.watch.cleaning import LANGUAGES, detect_language, fast_fold, plain_text
from grappe.watch.models import Item, Source
from grappe.watch.parsing import ParsedEntry
from grappe.watch.tagging import Tagger


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


def build_item(source: Source, entry: ParsedEntry, fetched_at: dt.datetime, canonical: str, key: str) -> Item:
    # Detection cost grows with length; a title and the start of the summary are enough.
    text_for_language = f"{entry.title}. {plain_text(entry.summary or entry.content, limit=200)}"
    language = source.language or (entry.language if entry.language in LANGUAGES else "")
    if not language:
        language = detect_language(text_for_language)
    signature = dedup.signature(dedup.signature_text(entry.title, entry.summary or entry.content))
    search_source = f"{entry.title} {plain_text(entry.summary)} {plain_text(entry.content)} {entry.location}"
    return Item(
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
        search_text=fast_fold(search_source)[:20000],
    )


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
    fresh = [build_item(source, entry, fetched_at, canonical, key) for key, (canonical, entry) in keyed.items()]
    fresh = [item for item in fresh if item.dedup_key not in existing]
    if not fresh:
        return result
    try:
        with transaction.atomic():
            created = Item.objects.bulk_create(fresh)
    except IntegrityError:
        # Another worker stored some of these stories meanwhile: fall back to one by one.
        created = []
        for item in fresh:
            try:
                with transaction.atomic():
                    item.save()
                created.append(item)
            except IntegrityError:
                continue
    result.new = len(created)
    with transaction.atomic():
        result.grouped = dedup.assign_groups(created)
        result.tagged = (tagger or Tagger()).tag(created)
    return result
