"""Outgoing webhooks: events, signed deliveries sent by a task with retries and backoff, delivery log.

- ``EVENTS``: the event types staff can subscribe a webhook to. ``emit(event, data)`` records one
  ``WebhookDelivery`` per active subscribed webhook and enqueues ``deliver`` after the transaction
  commits (a rolled-back change sends nothing).
- Each POST carries the JSON ``{"id", "event", "created_at", "data"}`` and the headers
  ``X-Grappe-Event``, ``X-Grappe-Delivery`` (the ``id``: receivers de-duplicate on it, since a
  delivery interrupted by a lost worker may arrive twice) and
  ``X-Grappe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
- A 2xx answer is a success. Anything else (other status, timeout, refused connection) schedules a
  new attempt after ``30 s x 4^(n-1)`` (30 s, 2 min, 8 min, 32 min, ~2 h) up to
  ``GRAPPE_WEBHOOK_MAX_ATTEMPTS`` (6), then the delivery is ``failed``. Redirects are not followed.
- Addresses that resolve to private, loopback or link-local networks are refused unless
  ``GRAPPE_WEBHOOK_ALLOW_PRIVATE`` (tests, or an intranet receiver on purpose).
- Sources: the apps' models are watched with ``post_save`` (member joined = a membership created
  with the member status; registration created; project stage changed = a stage change recorded;
  a staff-only project's title is left out, ``"confidential": true``).
"""

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_save
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grappe.core.models import Webhook, WebhookDelivery

logger = logging.getLogger("grappe.webhooks")

EVENTS: dict[str, Any] = {
    "ping": _("Test (envoyé à la demande)"),
    "ecosystem.member_joined": _("Une organisation devient membre"),
    "events.registration_created": _("Nouvelle inscription à un événement"),
    "innovation.project_stage_changed": _("Un projet d'innovation change d'étape"),
}
SUBSCRIBABLE = [key for key in EVENTS if key != "ping"]
BACKOFF_BASE_SECONDS = 30
BACKOFF_FACTOR = 4


def max_attempts() -> int:
    return int(getattr(settings, "GRAPPE_WEBHOOK_MAX_ATTEMPTS", 6))


def backoff(attempt: int) -> dt.timedelta:
    """Delay before attempt ``attempt + 1`` after ``attempt`` failed ones."""
    return dt.timedelta(seconds=BACKOFF_BASE_SECONDS * BACKOFF_FACTOR ** max(attempt - 1, 0))


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (documented in docs/operations.md): check the HMAC and the timestamp."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


_subscriptions: dict[str, Any] = {"at": 0.0, "hooks": {}}
SUBSCRIPTIONS_TTL_SECONDS = 30


def _active_subscriptions() -> dict[int, list[str]]:
    """Active webhooks' events, kept per process for 30 s so that saving a membership or a
    registration costs no query when nobody listens (a webhook saved here clears it at once)."""
    if time.monotonic() - _subscriptions["at"] > SUBSCRIPTIONS_TTL_SECONDS:
        _subscriptions["hooks"] = dict(Webhook.objects.filter(is_active=True).values_list("pk", "events"))
        _subscriptions["at"] = time.monotonic()
    return _subscriptions["hooks"]


def forget_subscriptions(*args: Any, **kwargs: Any) -> None:
    _subscriptions["at"] = 0.0


def emit(event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Record and (after commit) send ``event`` to each active webhook subscribed to it."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}")
    if not any(event in events for events in _active_subscriptions().values()):
        return []  # the usual case: no query at all
    hooks = [h for h in Webhook.objects.filter(is_active=True) if event in (h.events or [])]
    deliveries = []
    for hook in hooks:
        deliveries.append(_record(hook, event, data))
    return deliveries


def _record(hook: Webhook, event: str, data: dict[str, Any]) -> WebhookDelivery:
    event_id = uuid.uuid4()
    payload = json.loads(
        json.dumps(
            {"id": str(event_id), "event": event, "created_at": timezone.now().isoformat(), "data": data},
            cls=DjangoJSONEncoder,
        )
    )
    delivery = WebhookDelivery.objects.create(webhook=hook, event=event, event_id=event_id, payload=payload)
    transaction.on_commit(lambda: deliver.enqueue(delivery.pk))
    return delivery


def ping(hook: Webhook) -> WebhookDelivery:
    return _record(hook, "ping", {"webhook": hook.pk, "name": hook.name})


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again (same ``id``) as a new delivery with fresh attempts."""
    fresh = WebhookDelivery.objects.create(
        webhook=delivery.webhook, event=delivery.event, event_id=uuid.uuid4(), payload=delivery.payload
    )
    transaction.on_commit(lambda: deliver.enqueue(fresh.pk))
    return fresh


class Refused(Exception):
    pass


def _check_address(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("only http and https addresses")
    if getattr(settings, "GRAPPE_WEBHOOK_ALLOW_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as exc:
        raise Refused(f"cannot resolve {parts.hostname}") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise Refused(f"{parts.hostname} resolves to a non-public address ({ip})")


def _post(hook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status code or None, error, response excerpt)."""
    import httpx

    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Grappe-webhooks/1",
        "X-Grappe-Event": delivery.event,
        "X-Grappe-Delivery": str(delivery.payload.get("id", delivery.event_id)),
        "X-Grappe-Signature": sign(hook.secret, int(time.time()), body),
    }
    timeout = float(getattr(settings, "GRAPPE_WEBHOOK_TIMEOUT_SECONDS", 10))
    try:
        _check_address(hook.url)
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            response = client.post(hook.url, content=body, headers=headers)
            excerpt = response.text[:500]
    except Refused as exc:
        return None, f"refused: {exc}"[:500], ""
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500], ""
    return response.status_code, "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}", excerpt


@task()
def deliver(delivery_id: int) -> str:
    """One attempt; on failure, schedules the next one (backoff) or gives up after the last."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("webhook")
            .filter(pk=delivery_id, status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING])
            .first()
        )
        if delivery is None:
            return "nothing to do"
        attempt = delivery.attempts + 1
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=attempt)
    hook = delivery.webhook
    if not hook.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, last_error="webhook deactivated", next_attempt_at=None
        )
        return "deactivated"
    started = time.monotonic()
    code, error, excerpt = _post(hook, delivery)
    duration = int((time.monotonic() - started) * 1000)
    common = {"last_status_code": code, "last_error": error, "response_excerpt": excerpt, "duration_ms": duration}
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.SUCCEEDED, delivered_at=timezone.now(), next_attempt_at=None, **common
        )
        return "delivered"
    if attempt >= max_attempts():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED, next_attempt_at=None, **common
        )
        logger.warning("Webhook delivery %s failed for good after %d attempts: %s", delivery.pk, attempt, error)
        return "failed"
    run_after = timezone.now() + backoff(attempt)
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.RETRYING, next_attempt_at=run_after, **common
        )
        deliver.using(run_after=run_after).enqueue(delivery.pk)
    return "retrying"


# --- Sources: the apps' changes that make events -----------------------------------------------


def _membership_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not created or instance.status != "member":
        return
    organisation = instance.organisation
    emit(
        "ecosystem.member_joined",
        {
            "organisation": {
                "id": organisation.pk,
                "name": organisation.name,
                "slug": getattr(organisation, "slug", ""),
            },
            "membership": {"id": instance.pk, "start_date": instance.start_date, "tier": instance.tier},
        },
    )


def _registration_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not created:
        return
    event = instance.event
    emit(
        "events.registration_created",
        {
            "registration": {"id": instance.pk, "status": instance.status, "is_member": instance.is_member},
            "event": {"id": event.pk, "title": str(getattr(event, "title", event))},
            "organisation": {"id": instance.organisation_id} if instance.organisation_id else None,
        },
    )


def _stage_changed(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not created:
        return
    project = instance.project
    # Receivers sit outside the cluster: a staff-only project is announced by id, never by title.
    confidential = project.is_confidential_to_staff  # no default: a renamed property must fail, not leak
    emit(
        "innovation.project_stage_changed",
        {
            "project": {
                "id": project.pk,
                "title": None if confidential else str(getattr(project, "title", project)),
                "confidential": confidential,
            },
            "from_stage": instance.from_stage,
            "to_stage": instance.to_stage,
            "at": instance.at,
        },
    )


SOURCES = [
    ("ecosystem.Membership", _membership_saved),
    ("events.Registration", _registration_saved),
    ("innovation.StageChange", _stage_changed),
]


def connect_sources() -> None:
    from django.db.models.signals import post_delete

    post_save.connect(forget_subscriptions, sender=Webhook, dispatch_uid="grappe.webhooks.forget")
    post_delete.connect(forget_subscriptions, sender=Webhook, dispatch_uid="grappe.webhooks.forget_deleted")
    for label, receiver in SOURCES:
        try:
            model = apps.get_model(label)
        except LookupError:  # the app is not installed in this deployment
            continue
        post_save.connect(receiver, sender=model, dispatch_uid=f"grappe.webhooks.{label}")
