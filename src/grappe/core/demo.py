"""Demo data of the platform: an example webhook (inactive, so nothing leaves the machine) with a
believable delivery log. The worker started by ``make demo`` fills the periodic jobs by itself."""

import datetime as dt
import uuid

from django.utils import timezone


def load(stdout) -> None:
    from grappe.core.models import Webhook, WebhookDelivery

    hook = Webhook.objects.create(
        name="Outil d'e-mailing (exemple)",
        url="https://mailing.example.org/hooks/grappe",
        events=["ecosystem.member_joined", "events.registration_created"],
        is_active=False,
    )
    now = timezone.now()
    rows = [
        ("ecosystem.member_joined", WebhookDelivery.Status.SUCCEEDED, 1, 200, "", 3),
        ("events.registration_created", WebhookDelivery.Status.SUCCEEDED, 1, 204, "", 2),
        ("events.registration_created", WebhookDelivery.Status.SUCCEEDED, 2, 200, "", 1),
        ("ecosystem.member_joined", WebhookDelivery.Status.FAILED, 6, 503, "HTTP 503", 1),
    ]
    for event, status, attempts, code, error, days_ago in rows:
        event_id = uuid.uuid4()
        created = now - dt.timedelta(days=days_ago, hours=2)
        delivery = WebhookDelivery.objects.create(
            webhook=hook,
            event=event,
            event_id=event_id,
            payload={"id": str(event_id), "event": event, "created_at": created.isoformat(), "data": {}},
            status=status,
            attempts=attempts,
            last_status_code=code,
            last_error=error,
            response_excerpt="ok" if not error else "Service Unavailable",
            duration_ms=180,
            delivered_at=created + dt.timedelta(minutes=2) if status == WebhookDelivery.Status.SUCCEEDED else None,
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=created)
    stdout.write(f"  platform: 1 example webhook, {len(rows)} deliveries in its log")
