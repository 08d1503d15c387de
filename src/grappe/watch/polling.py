"""Poll sources: claim, fetch, parse, store, and keep each source's health.

Two workers never poll the same source: a worker claims it with one conditional UPDATE
(``claimed_until`` in the past or empty) and releases it when done; a crashed worker's claim simply
expires. Failures are counted; after ``WATCH_AUTO_PAUSE_AFTER`` in a row the source is paused and
flagged for staff. Nothing here raises: every problem ends on the source and in its fetch log.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grappe.core.audit import audit_log
from grappe.watch import ingest
from grappe.watch.fetching import FetchError, fetch
from grappe.watch.models import FetchLog, Item, Source
from grappe.watch.parsing import ParsedEntry, ParseError, extract_page, page_diff, parse_document, sniff
from grappe.watch.tagging import Tagger

logger = logging.getLogger(__name__)


@dataclass
class PollOutcome:
    source_id: int
    outcome: str  # "ok", "not_modified", "error", "skipped"
    items_seen: int = 0
    items_new: int = 0
    message: str = ""


def _lease() -> dt.timedelta:
    # Long enough for the slowest legitimate fetch (every hop may use the whole timeout) plus storing.
    return dt.timedelta(seconds=settings.WATCH_FETCH_TIMEOUT_SECONDS * (settings.WATCH_MAX_REDIRECTS + 1) + 120)


def due_sources(now: dt.datetime | None = None):
    now = now or timezone.now()
    return (
        Source.objects.filter(status=Source.Status.ACTIVE, polling_enabled=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by(F("next_poll_at").asc(nulls_first=True), "pk")
    )


def claim(source_id: int, *, force: bool = False, now: dt.datetime | None = None) -> bool:
    """Take the source for this worker with one conditional UPDATE; False if someone else holds it (or
    it is not due, paused or disabled, unless ``force``: a staff "poll now")."""
    now = now or timezone.now()
    candidates = Source.objects.filter(pk=source_id).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    if not force:
        candidates = candidates.filter(status=Source.Status.ACTIVE, polling_enabled=True).filter(
            Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
        )
    return candidates.update(claimed_until=now + _lease()) == 1


def poll_source(source_id: int, *, force: bool = False, tagger: Tagger | None = None) -> PollOutcome:
    """Poll one source if this worker can claim it."""
    if not claim(source_id, force=force):
        return PollOutcome(source_id, "skipped")
    source = Source.objects.get(pk=source_id)
    started = timezone.now()
    log = FetchLog(source=source, started_at=started, outcome=FetchLog.Outcome.ERROR)
    try:
        outcome = _poll(source, log, tagger)
    except Exception as exc:  # a bug must not kill the worker nor leave the source claimed
        logger.exception("watch: unexpected error while polling source %s", source_id)
        outcome = _failure(source, log, _("Erreur interne : %(error)s") % {"error": f"{type(exc).__name__}: {exc}"})
    log.duration_ms = int((timezone.now() - started).total_seconds() * 1000)
    log.save()
    return outcome


def _poll(source: Source, log: FetchLog, tagger: Tagger | None) -> PollOutcome:
    try:
        response = fetch(source.url, etag=source.etag, last_modified=source.last_modified)
    except FetchError as exc:
        log.http_status = exc.status
        log.bytes_received = exc.bytes_received
        return _failure(source, log, str(exc))
    log.http_status = response.status
    log.bytes_received = len(response.body)
    now = timezone.now()
    if response.not_modified:
        log.outcome = FetchLog.Outcome.NOT_MODIFIED
        return _success(source, log, now, warning=source.last_warning)
    if source.kind == Source.Kind.WEBPAGE:
        try:
            entries, message = _page_entries(source, response.body, response.content_type, response.url, now)
        except ParseError as exc:
            return _failure(source, log, str(exc))
        warnings: list[str] = []
    else:
        try:
            document = parse_document(response.body, response.content_type, response.url)
        except ParseError as exc:
            return _failure(source, log, str(exc))
        entries, message, warnings = document.entries, "", document.warnings
        source.kind = document.kind
        if document.title and not source.title:
            source.title = document.title[:300]
    result = ingest.ingest_entries(source, entries, now, tagger=tagger)
    flagged = sum(1 for e in entries if e.published is None)
    if flagged:
        warnings.append(
            _("%(n)d élément(s) sans date lisible : date du relevé utilisée.") % {"n": flagged}
            if not any(e.date_broken for e in entries)
            else _("%(n)d élément(s) sans date ou avec une date illisible : date du relevé utilisée.") % {"n": flagged}
        )
    source.etag, source.last_modified = response.etag, response.last_modified
    log.outcome = FetchLog.Outcome.OK
    log.items_seen, log.items_new = result.seen, result.new
    log.message = " ".join([message, *warnings]).strip()[:2000]
    return _success(source, log, now, warning="\n".join(warnings)[:2000])


def _page_entries(
    source: Source, body: bytes, content_type: str, url: str, now: dt.datetime
) -> tuple[list[ParsedEntry], str]:
    if sniff(body, content_type) not in ("html", "xml"):
        raise ParseError(_("Ce document n'est pas une page HTML."))
    title, text = extract_page(body, content_type)
    if not text:
        raise ParseError(_("Aucun texte lisible dans la page."))
    if title and not source.title:
        source.title = title[:300]
    previous = source.page_text
    source.page_text = text
    if not previous:
        return [], _("Texte de référence enregistré.")
    if previous == text:
        return [], _("Page inchangée.")
    diff = page_diff(previous, text)
    entry = ParsedEntry(
        title=_("%(page)s : page modifiée le %(date)s")
        % {"page": source.title or url, "date": timezone.localtime(now).strftime("%d/%m/%Y %H:%M")},
        link="",
        guid=f"change:{now.isoformat()}",
        summary="",
        content="",
        published=now,
        kind=Item.Kind.PAGE_CHANGE,
        diff=diff,
    )
    return [entry], _("Modification détectée.")


def _success(source: Source, log: FetchLog, now: dt.datetime, *, warning: str) -> PollOutcome:
    source.last_polled_at = now
    source.last_success_at = now
    source.consecutive_failures = 0
    source.last_warning = warning
    source.next_poll_at = now + dt.timedelta(minutes=source.poll_interval_minutes)
    source.claimed_until = None
    source.save()
    return PollOutcome(source.pk, log.outcome, log.items_seen, log.items_new, log.message)


def _failure(source: Source, log: FetchLog, message: str) -> PollOutcome:
    now = timezone.now()
    log.outcome = FetchLog.Outcome.ERROR
    log.message = message[:2000]
    source.refresh_from_db(fields=["status", "consecutive_failures"])
    source.last_polled_at = now
    source.last_error_at = now
    source.last_error = message[:2000]
    source.consecutive_failures += 1
    # Back off: the interval doubles with each failure, up to eight times.
    factor = min(2 ** (source.consecutive_failures - 1), 8)
    source.next_poll_at = now + dt.timedelta(minutes=source.poll_interval_minutes * factor)
    source.claimed_until = None
    paused_now = False
    if source.consecutive_failures >= settings.WATCH_AUTO_PAUSE_AFTER and source.status == Source.Status.ACTIVE:
        source.status = Source.Status.PAUSED
        source.auto_paused = True
        paused_now = True
    source.save()
    if paused_now:
        audit_log(
            actor=None,
            action="watch.source.auto_paused",
            obj=source,
            changes={"status": [Source.Status.ACTIVE, Source.Status.PAUSED]},
            message=message,
        )
    return PollOutcome(source.pk, "error", message=message)


def poll_due_sources(*, limit: int = 100, tagger: Tagger | None = None) -> list[PollOutcome]:
    """Poll the sources that are due, oldest first; each is claimed before it is polled."""
    tagger = tagger or Tagger()
    ids = list(due_sources().values_list("pk", flat=True)[:limit])
    return [poll_source(source_id, tagger=tagger) for source_id in ids]
