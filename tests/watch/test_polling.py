"""Polling through the real fetch path: conditional GET, redirects, hostile servers, health, claims, commands."""

import datetime as dt
import io
import json
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.watch import fetching
from grappe.watch.fetching import FetchError, HostThrottle, check_url, fetch
from grappe.watch.models import FetchLog, Item, Source
from grappe.watch.polling import claim, due_sources, poll_due_sources, poll_source

pytestmark = pytest.mark.django_db


def make_source(url: str, **fields) -> Source:
    return Source.objects.create(url=url, **fields)


def polled(source: Source, *, force: bool = True) -> Source:
    poll_source(source.pk, force=force)
    source.refresh_from_db()
    return source


def test_second_poll_sends_the_validators_and_a_304_stores_nothing_new(server):
    source = polled(make_source(server.url("/feeds/rss-parser__nhs-feed.rss")))
    assert source.etag and source.last_modified
    polled(source)
    second_request_headers = server.requests[-1][1]
    assert second_request_headers["If-None-Match"] == source.etag
    assert second_request_headers["If-Modified-Since"] == source.last_modified
    logs = list(FetchLog.objects.filter(source=source).order_by("started_at", "pk").values_list("outcome", "items_new"))
    assert logs == [("ok", 2), ("not_modified", 0)]
    assert Item.objects.filter(source=source).count() == 2


def test_redirects_are_followed_within_the_limit(server):
    source = polled(make_source(server.url("/redirect/3?to=/feeds/rss-parser__nhs-feed.rss")))
    assert source.last_error == ""
    assert Item.objects.filter(source=source).count() == 2


def test_too_many_redirects_are_an_error(server):
    source = polled(make_source(server.url("/redirect/4?to=/feeds/rss-parser__nhs-feed.rss")))
    assert "Trop de redirections" in source.last_error
    assert not Item.objects.filter(source=source).exists()


def test_every_redirect_hop_is_checked_against_the_ssrf_guard(server, monkeypatch):
    checked = []

    def guard(url: str) -> None:
        checked.append(url)
        if urlsplit(url).path.startswith("/feeds/"):
            raise FetchError("refused: " + url)

    monkeypatch.setattr(fetching, "check_url", guard)
    with pytest.raises(FetchError, match="refused"):
        fetch(server.url("/redirect/2?to=/feeds/rss-parser__nhs-feed.rss"))
    assert len(checked) == 3
    assert checked[-1].endswith("/feeds/rss-parser__nhs-feed.rss")


def test_a_slow_server_times_out(server):
    server.slow_seconds = 4
    source = polled(make_source(server.url("/slow")))
    assert "Délai dépassé" in source.last_error


def test_a_server_trickling_bytes_is_cut_at_the_deadline(server):
    source = polled(make_source(server.url("/trickle")))
    assert "Délai dépassé" in source.last_error


def test_a_50_mb_response_is_abandoned_at_the_size_limit(server, settings):
    source = polled(make_source(server.url("/huge")))
    assert "trop volumineuse" in source.last_error
    log = FetchLog.objects.get(source=source)
    assert settings.WATCH_MAX_BODY_BYTES < log.bytes_received < settings.WATCH_MAX_BODY_BYTES + 1024 * 1024


def test_a_declared_50_mb_body_is_refused_before_reading(server):
    source = polled(make_source(server.url("/huge-declared")))
    assert "annoncés" in source.last_error


def test_a_500_is_recorded_with_its_status(server):
    source = polled(make_source(server.url("/error500")))
    assert "500" in source.last_error
    assert FetchLog.objects.get(source=source).http_status == 500


def test_a_dead_host_is_recorded(dead_url):
    source = polled(make_source(dead_url))
    assert "Connexion impossible" in source.last_error
    assert source.consecutive_failures == 1


def test_a_billion_laughs_document_is_refused_before_parsing(server):
    source = polled(make_source(server.url("/billion-laughs")))
    assert "billion laughs" in source.last_error
    assert not Item.objects.filter(source=source).exists()


def test_an_html_page_instead_of_a_feed_is_an_error_naming_the_announced_feed(server):
    source = polled(make_source(server.url("/html-page")))
    assert "Page HTML" in source.last_error
    assert server.url("/feeds/rss-parser__nhs-feed.rss") in source.last_error


def test_items_without_or_with_broken_dates_are_kept_dated_by_the_fetch_and_flagged(server):
    source = polled(make_source(server.url("/no-dates")))
    items = {i.title: i for i in Item.objects.filter(source=source)}
    assert len(items) == 3
    undated = items["Permis d'environnement : nouvelles conditions sectorielles"]
    broken = items["Déchets de construction : tri à la source"]
    dated = items["Un élément daté"]
    assert undated.date_missing and broken.date_missing and not dated.date_missing
    assert undated.published_at == undated.fetched_at
    assert dated.published_at == dt.datetime(2025, 1, 7, 9, 0, tzinfo=dt.UTC)
    assert "date illisible" in source.last_warning


def test_script_in_an_item_never_reaches_storage(server):
    source = polled(make_source(server.url("/script-item")))
    item = Item.objects.get(source=source)
    for dangerous in ("<script", "onclick", "onerror", "javascript:", "document.cookie"):
        assert dangerous not in item.summary
        assert dangerous not in item.content
        assert dangerous not in item.title
    assert "<b>amiante</b>" in item.summary
    assert item.canonical_url == "https://www.hostile.example/a?id=3"


def test_private_addresses_are_refused_unless_allowed(server, settings):
    settings.WATCH_ALLOW_PRIVATE_ADDRESSES = False
    source = polled(make_source(server.url("/feeds/rss-parser__nhs-feed.rss")))
    assert "Adresse refusée" in source.last_error
    assert not server.requests  # refused before any connection


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost/feed",
        "http://10.1.2.3/feed",
        "http://192.168.1.1/feed",
        "http://172.16.0.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed",
        "http://[fe80::1]/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://224.0.0.1/feed",
        "http://0.0.0.0/feed",
        "http://100.64.0.1/feed",
        "http://240.0.0.1/feed",
        "ftp://ftp.example.org/feed",
        "file:///etc/passwd",
    ],
)
def test_ssrf_guard_refuses_non_public_targets(settings, url):
    settings.WATCH_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(FetchError):
        check_url(url)


def test_ssrf_guard_accepts_a_public_address(settings):
    settings.WATCH_ALLOW_PRIVATE_ADDRESSES = False
    check_url("http://193.191.208.10/feed")  # an IP literal: no DNS needed


def test_requests_to_one_host_are_spaced_by_the_politeness_delay():
    now = [100.0]
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = HostThrottle(clock=lambda: now[0], sleep=sleep)
    assert throttle.wait("a.example", 2.0) == 0
    assert throttle.wait("a.example", 2.0) == pytest.approx(2.0)
    assert throttle.wait("b.example", 2.0) == 0  # another host does not wait
    now[0] += 5
    assert throttle.wait("a.example", 2.0) == 0
    assert slept == [pytest.approx(2.0)]


def test_source_is_auto_paused_after_repeated_failures_and_staff_can_see_why(server, settings):
    settings.WATCH_AUTO_PAUSE_AFTER = 3
    source = make_source(server.url("/error500"))
    for expected_failures in (1, 2):
        source = polled(source)
        assert source.consecutive_failures == expected_failures
        assert source.status == Source.Status.ACTIVE
    source = polled(source)
    assert source.status == Source.Status.PAUSED and source.auto_paused
    assert AuditEntry.objects.filter(action="watch.source.auto_paused", object_id=str(source.pk)).exists()
    assert source.next_poll_at > timezone.now() + dt.timedelta(minutes=source.poll_interval_minutes * 3)


def test_a_success_resets_the_failure_count(server):
    source = polled(make_source(server.url("/error500")))
    source.url = server.url("/feeds/rss-parser__nhs-feed.rss")
    source.save()
    source = polled(source)
    assert source.consecutive_failures == 0 and source.last_success_at


def test_a_claimed_source_cannot_be_claimed_again_until_released(server):
    source = make_source(server.url("/feeds/rss-parser__nhs-feed.rss"))
    assert claim(source.pk)
    assert not claim(source.pk)
    assert not claim(source.pk, force=True)
    assert source.pk not in due_sources().values_list("pk", flat=True)
    assert poll_source(source.pk).outcome == "skipped"
    Source.objects.filter(pk=source.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert poll_source(source.pk).outcome == "ok"


def test_poll_due_sources_polls_only_due_active_enabled_sources(server):
    due = make_source(server.url("/feeds/rss-parser__nhs-feed.rss"))
    later = make_source(server.url("/feeds/rss-parser__narro.rss"), next_poll_at=timezone.now() + dt.timedelta(hours=1))
    paused = make_source(server.url("/feeds/json__example.json"), status=Source.Status.PAUSED)
    disabled = make_source(server.url("/feeds/rss-parser__rss091.rss"), polling_enabled=False)
    outcomes = poll_due_sources()
    assert [o.source_id for o in outcomes] == [due.pk]
    assert Item.objects.filter(source__in=[later, paused, disabled]).count() == 0
    due.refresh_from_db()
    assert due.next_poll_at > timezone.now() + dt.timedelta(minutes=due.poll_interval_minutes - 1)


def test_a_watched_page_yields_a_readable_diff_when_its_main_text_changes(server):
    server.page_html = (
        "<html><head><title>Conditions sectorielles</title><script>var x=1;</script></head><body>"
        "<nav>Accueil | Contact</nav><main><h1>Conditions</h1><p>Seuil : 50 tonnes.</p></main>"
        "<footer>© SPW</footer></body></html>"
    )
    source = polled(make_source(server.url("/page"), kind=Source.Kind.WEBPAGE))
    assert "Seuil : 50 tonnes." in source.page_text
    assert "Accueil" not in source.page_text and "var x" not in source.page_text
    assert not Item.objects.filter(source=source).exists()
    polled(source)
    assert not Item.objects.filter(source=source).exists()  # unchanged page: nothing
    server.page_html = server.page_html.replace("50 tonnes", "30 tonnes").replace("Accueil", "Home")
    source = polled(source)
    change = Item.objects.get(source=source)
    assert change.kind == Item.Kind.PAGE_CHANGE
    assert "-Seuil : 50 tonnes." in change.diff and "+Seuil : 30 tonnes." in change.diff
    assert "Conditions sectorielles" in change.title


def test_command_adds_a_source_polls_it_now_and_lists_items_as_json(server):
    out = io.StringIO()
    call_command("watch", "add-source", server.url("/feeds/rss-parser__nhs-feed.rss"), "--category", "regulation",
                 "--language", "en", "--interval", "60", stdout=out)  # fmt: skip
    source = Source.objects.get()
    assert (source.category, source.language, source.poll_interval_minutes) == ("regulation", "en", 60)
    out = io.StringIO()
    call_command("watch", "poll", "--now", stdout=out)
    assert f"{source.pk}\tok\tseen=2\tnew=2" in out.getvalue()
    out = io.StringIO()
    call_command("watch", "items", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert len(rows) == 2
    assert set(rows[0]) >= {"id", "source", "url", "title", "published", "language", "topics"}
    assert rows[0]["language"] == "en"


def test_command_refuses_a_bad_url_with_a_clear_message():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="url"):
        call_command("watch", "add-source", "not a url", stdout=io.StringIO())
    assert not Source.objects.exists()


def test_command_poll_without_now_enqueues_one_task_per_due_source(server, django_capture_on_commit_callbacks):
    make_source(server.url("/feeds/rss-parser__nhs-feed.rss"))
    make_source(server.url("/feeds/rss-parser__narro.rss"))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("watch", "poll", stdout=out)
    assert "2 task(s) enqueued" in out.getvalue()
    assert len(callbacks) == 2
    assert not Item.objects.exists()  # nothing fetched inline
