"""Digests: delivered over SMTP to a local server, in the subscriber's language, only their topics, with consent."""

import datetime as dt
import email
import email.policy
import re

import pytest
from django.utils import timezone

from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Consent, Topic
from grappe.watch import digests
from grappe.watch.models import Digest, Item, ItemTopic, Source, Subscription
from grappe.watch.selectors import bulletins_sent, digest_recipients, items_curated
from tests.watch.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db


def smtp_mailers(port: int) -> dict:
    """Django 6.1 MAILERS: the real SMTP backend, pointed at the local sink."""
    options = {"host": "127.0.0.1", "port": port, "use_tls": False, "use_ssl": False, "timeout": 5}
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}


@pytest.fixture
def smtp(settings):
    sink = SmtpSink().start()
    settings.MAILERS = smtp_mailers(sink.port)
    settings.SITE_URL = "https://grappe.example"
    yield sink
    sink.stop()


def kept(source, title: str, topic: Topic, when: dt.datetime, **extra) -> Item:
    item = Item.objects.create(
        source=source,
        title=title,
        link=f"https://www.wallonie.example/{abs(hash(title))}",
        dedup_key=title,
        published_at=when,
        fetched_at=when,
        status=Item.Status.KEPT,
        triaged_at=when,
        **extra,
    )
    ItemTopic.objects.create(item=item, topic=topic, score=1.0, origin="rule")
    return item


@pytest.fixture
def world(member_a, member_b):
    now = timezone.now()
    source = Source.objects.create(url="https://www.wallonie.example/rss", title="SPW")
    amiante = Topic.objects.create(name="Amiante", slug="amiante")
    energie = Topic.objects.create(name="Énergie", slug="energie")
    anna = member_a.person
    anna.languages = ["nl", "fr"]
    anna.save()
    eco.consent_record(actor=None, person=anna, purpose=Consent.Purpose.WATCH_DIGEST)
    Subscription.objects.create(person=anna, topic=amiante)
    Subscription.objects.create(person=member_b.person, topic=energie)  # no consent: never mailed
    old = kept(source, "Ancienne information amiante", amiante, now - dt.timedelta(days=20))
    fresh = kept(
        source,
        "Arrêté amiante : inventaire obligatoire",
        amiante,
        now - dt.timedelta(days=2),
        annotation="S'applique à tous les membres qui démolissent dès le 1er juillet.",
        effective_date=dt.date(2026, 7, 1),
        obligations="Inventaire amiante avant démolition.",
    )
    other_topic = kept(source, "Prime énergie", energie, now - dt.timedelta(days=1))
    not_kept = kept(source, "Élément écarté amiante", amiante, now - dt.timedelta(days=1))
    not_kept.status = Item.Status.DISCARDED
    not_kept.save()
    marked_irrelevant = kept(source, "Faux positif amiante", amiante, now - dt.timedelta(days=1))
    ItemTopic.objects.filter(item=marked_irrelevant).update(relevant=False)
    return {"anna": anna, "fresh": fresh, "old": old, "other": other_topic, "amiante": amiante, "now": now}


def _body(message, subtype: str) -> str:
    parsed = email.message_from_bytes(message.data, policy=email.policy.default)
    return parsed.get_body(preferencelist=(subtype,)).get_content()


def test_digest_is_delivered_to_the_smtp_server_with_only_the_subscribers_topics(smtp, world, member_a):
    assert digests.send_due_digests(now=world["now"]) == {"sent": 1, "failed": 0}
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message.recipients == ["anna@alpha.test"]
    parsed = email.message_from_bytes(message.data, policy=email.policy.default)
    assert "1" in parsed["Subject"]
    assert parsed["List-Unsubscribe"].startswith("<https://grappe.example/watch/unsubscribe/")
    text, html = _body(message, "plain"), _body(message, "html")
    for body in (text, html):
        assert "Arrêté amiante : inventaire obligatoire" in body
        assert "S'applique à tous les membres qui démolissent dès le 1er juillet." in body or (
            "S&#x27;applique à tous les membres qui démolissent dès le 1er juillet." in body
        )
        assert "01/07/2026" in body
        for absent in ("Ancienne information", "Prime énergie", "Élément écarté", "Faux positif"):
            assert absent not in body
    # The unsubscribe link in the mail works.
    tokens = re.findall(r"/watch/unsubscribe/([^/\s]+)/", text)
    decoded = {digests.read_unsubscribe_token(token) for token in tokens}
    assert decoded == {(world["anna"].pk, world["amiante"].pk), (world["anna"].pk, None)}
    digest = Digest.objects.get()
    assert digest.status == Digest.Status.SENT and digest.email == "anna@alpha.test"
    assert list(digest.items.all()) == [world["fresh"]]


def test_digest_is_written_in_the_subscribers_first_language(smtp, world, settings):
    # Person.languages[0] is "nl": the Dutch catalogue (when compiled) is used; the digest records the language.
    digests.send_due_digests(now=world["now"])
    assert Digest.objects.get().language == "nl"
    parsed = email.message_from_bytes(smtp.messages[0].data, policy=email.policy.default)
    assert 'lang="nl"' in parsed.get_body(preferencelist=("html",)).get_content()


def test_a_second_run_sends_nothing_until_the_period_has_passed_then_only_new_items(smtp, world):
    digests.send_due_digests(now=world["now"])
    assert digests.send_due_digests(now=world["now"] + dt.timedelta(days=1)) == {"sent": 0, "failed": 0}
    source = world["fresh"].source
    newer = kept(source, "Nouvelle circulaire amiante", world["amiante"], world["now"] + dt.timedelta(days=3))
    assert digests.send_due_digests(now=world["now"] + dt.timedelta(days=7)) == {"sent": 1, "failed": 0}
    latest = Digest.objects.order_by("-period_end").first()
    assert list(latest.items.all()) == [newer]


def test_no_consent_or_withdrawn_consent_means_no_digest(smtp, world):
    consent = Consent.objects.get(person=world["anna"], purpose=Consent.Purpose.WATCH_DIGEST)
    eco.consent_withdraw(actor=None, consent=consent)
    assert digests.send_due_digests(now=world["now"]) == {"sent": 0, "failed": 0}
    assert smtp.messages == []


def test_an_unreachable_smtp_server_is_recorded_and_retried(world, settings, dead_url):
    settings.MAILERS = smtp_mailers(int(dead_url.split(":")[2].split("/")[0]))
    assert digests.send_due_digests(now=world["now"]) == {"sent": 0, "failed": 1}
    failed = Digest.objects.get()
    assert failed.status == Digest.Status.FAILED and failed.error
    assert digests.last_sent(world["anna"]) is None  # the next run tries the same period again


def test_objectives_selectors_count_bulletins_recipients_and_curated_items(smtp, world):
    digests.send_due_digests(now=world["now"])
    today = timezone.localdate(world["now"])
    start, end = today - dt.timedelta(days=30), today
    assert bulletins_sent(start, end).value == 1
    assert list(digest_recipients(start, end).queryset) == [world["anna"]]
    curated = items_curated(start, end)
    assert curated.value == 4  # discarded items do not count
    assert set(curated.queryset) == {world["old"], world["fresh"], world["other"]} | set(
        Item.objects.filter(title="Faux positif amiante")
    )
    assert bulletins_sent(today - dt.timedelta(days=400), today - dt.timedelta(days=31)).value == 0
