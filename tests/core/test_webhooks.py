"""Outgoing webhooks against a loopback HTTP server: signature, retries with backoff, log, pages."""

import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grappe.core import webhooks
from grappe.core.models import AuditEntry, Webhook, WebhookDelivery
from grappe.ecosystem import services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


class Receiver(ThreadingHTTPServer):
    """Answers each POST with the next status of ``statuses`` (the last one repeats) and keeps it."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.statuses = [200]
        self.received: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server: Receiver = self.server  # type: ignore[assignment]
        server.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
        status = server.statuses.pop(0) if len(server.statuses) > 1 else server.statuses[0]
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"thanks" if status < 300 else b"nope")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver(settings):
    settings.GRAPPE_WEBHOOK_ALLOW_PRIVATE = True
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook(receiver, staff_user):
    webhooks.forget_subscriptions()
    return Webhook.objects.create(
        name="CRM", url=receiver.url, events=["ecosystem.member_joined", "events.registration_created"]
    )


def new_member():
    org = services.organisation_create(actor=None, name="Gamma Recyclage", kind="company")
    services.membership_create(actor=None, organisation=org, start_date=dt.date(2026, 1, 1), yearly_fee=Decimal("750"))
    return org


def test_a_new_member_is_delivered_signed_and_logged(hook, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org = new_member()
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "ecosystem.member_joined"
    task = DBTaskResult.objects.get(task_path="grappe.core.webhooks.deliver")
    assert task.args_kwargs["args"] == [delivery.pk]
    assert webhooks.deliver.call(delivery.pk) == "delivered"
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.response_excerpt == "thanks" and delivery.delivered_at
    (request,) = receiver.received
    payload = json.loads(request["body"])
    assert payload["event"] == "ecosystem.member_joined" and payload["id"] == str(delivery.event_id)
    assert payload["data"]["organisation"] == {"id": org.pk, "name": "Gamma Recyclage", "slug": org.slug}
    assert "yearly_fee" not in json.dumps(payload) and "750" not in request["body"].decode()  # no fees out
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-grappe-event"] == "ecosystem.member_joined"
    assert headers["x-grappe-delivery"] == str(delivery.event_id)
    assert webhooks.verify(hook.secret, headers["x-grappe-signature"], request["body"])
    assert not webhooks.verify("whsec_wrong", headers["x-grappe-signature"], request["body"])
    assert not webhooks.verify(hook.secret, headers["x-grappe-signature"], request["body"] + b" ")


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(hook, receiver, settings):
    settings.GRAPPE_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500]
    (delivery,) = webhooks.emit("ecosystem.member_joined", {"organisation": {"id": 1}})
    before = timezone.now()
    assert webhooks.deliver.call(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.RETRYING and delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500" and delivery.response_excerpt == "nope"
    assert before + dt.timedelta(seconds=29) < delivery.next_attempt_at < timezone.now() + dt.timedelta(seconds=31)
    retry = DBTaskResult.objects.get(task_path="grappe.core.webhooks.deliver")
    assert abs((retry.run_after - delivery.next_attempt_at).total_seconds()) < 1
    assert webhooks.deliver.call(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=110)  # 2 minutes
    assert webhooks.deliver.call(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts == 3 and not delivery.next_attempt_at
    assert len(receiver.received) == 3
    assert webhooks.deliver.call(delivery.pk) == "nothing to do"  # a stray duplicate task sends nothing


def test_a_receiver_that_recovers_gets_the_event(hook, receiver):
    receiver.statuses = [503, 200]
    (delivery,) = webhooks.emit("events.registration_created", {"registration": {"id": 9}})
    assert webhooks.deliver.call(delivery.pk) == "retrying"
    assert webhooks.deliver.call(delivery.pk) == "delivered"
    bodies = [json.loads(r["body"]) for r in receiver.received]
    assert bodies[0]["id"] == bodies[1]["id"]  # the same delivery id: receivers de-duplicate on it


def test_backoff_grows_fourfold_from_30_seconds():
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [30, 120, 480, 1920, 7680]


def test_a_refused_connection_and_a_redirect_are_failures_not_crashes(hook, receiver):
    hook.url = "http://127.0.0.1:9/closed"
    hook.save()
    (delivery,) = webhooks.emit("ecosystem.member_joined", {})
    assert webhooks.deliver.call(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and "ConnectError" in delivery.last_error
    receiver.statuses = [302]
    hook.url = receiver.url
    hook.save()
    assert webhooks.deliver.call(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 302"


def test_private_addresses_are_refused_unless_allowed(hook, receiver, settings):
    settings.GRAPPE_WEBHOOK_ALLOW_PRIVATE = False
    (delivery,) = webhooks.emit("ecosystem.member_joined", {})
    webhooks.deliver.call(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("refused:") and not receiver.received


def test_only_active_subscribed_webhooks_receive(hook, receiver):
    other = Webhook.objects.create(name="Projets", url=receiver.url, events=["innovation.project_stage_changed"])
    Webhook.objects.create(name="Off", url=receiver.url, events=["ecosystem.member_joined"], is_active=False)
    deliveries = webhooks.emit("ecosystem.member_joined", {})
    assert [d.webhook for d in deliveries] == [hook]
    assert [d.webhook for d in webhooks.emit("innovation.project_stage_changed", {})] == [other]
    with pytest.raises(ValueError):
        webhooks.emit("unknown.event", {})


def test_a_deactivated_webhook_stops_its_pending_deliveries(hook, receiver):
    (delivery,) = webhooks.emit("ecosystem.member_joined", {})
    Webhook.objects.filter(pk=hook.pk).update(is_active=False)
    assert webhooks.deliver.call(delivery.pk) == "deactivated"
    assert not receiver.received


def test_saving_a_membership_costs_no_query_when_nobody_listens(org_a):
    webhooks.forget_subscriptions()
    webhooks.emit("ecosystem.member_joined", {})  # loads the (empty) subscriptions
    with CaptureQueriesContext(connection) as queries:
        assert webhooks.emit("ecosystem.member_joined", {}) == []
    assert len(queries) == 0


def test_a_rolled_back_change_sends_nothing(hook, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                new_member()
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert callbacks == [] and not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.exists()


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("member_a", 403), ("observer_user", 403), ("staff_user", 200), ("admin_user", 200)],
)
def test_who_sees_the_webhook_pages(persona, expected, request, hook):
    client = client_for(request.getfixturevalue(persona) if persona else None)
    delivery = webhooks.ping(hook)
    before = WebhookDelivery.objects.count()  # the member persona's membership was delivered too
    assert client.get(reverse("core:webhooks")).status_code == expected
    assert client.get(reverse("core:webhook_detail", args=[hook.pk])).status_code == expected
    post_expected = 302 if expected in (200, 302) else 403
    assert client.post(reverse("core:webhook_ping", args=[hook.pk])).status_code == post_expected
    assert client.post(reverse("core:webhook_redeliver", args=[delivery.pk])).status_code == post_expected
    assert WebhookDelivery.objects.count() == before + (2 if expected == 200 else 0)
    create = client.post(reverse("core:webhooks"), {"name": "X", "url": "https://x.example/h", "events": ["ping"]})
    assert create.status_code == (200 if expected == 200 else expected)  # "ping" is not subscribable: form error
    assert client.post(reverse("core:webhook_delete", args=[hook.pk])).status_code == post_expected
    assert Webhook.objects.filter(pk=hook.pk).exists() == (expected != 200)


def test_staff_register_a_webhook_see_its_secret_and_its_log(staff_client, staff_user, receiver):
    response = staff_client.post(
        reverse("core:webhooks"),
        {"name": "Outil d'e-mailing", "url": receiver.url, "events": ["ecosystem.member_joined"], "is_active": "on"},
    )
    hook = Webhook.objects.get()
    assert response["Location"] == reverse("core:webhook_detail", args=[hook.pk])
    assert hook.created_by == staff_user and hook.secret.startswith("whsec_") and len(hook.secret) > 40
    assert AuditEntry.objects.filter(action="core.webhook.created").exists()
    (delivery,) = webhooks.emit("ecosystem.member_joined", {"organisation": {"id": 1}})
    webhooks.deliver.call(delivery.pk)
    html = staff_client.get(reverse("core:webhook_detail", args=[hook.pk])).content.decode()
    assert hook.secret in html and "ecosystem.member_joined" in html and "livrée" in html


def test_the_form_refuses_other_schemes_and_unknown_events(staff_client):
    response = staff_client.post(
        reverse("core:webhooks"), {"name": "X", "url": "ftp://x.example/h", "events": ["nope"], "is_active": "on"}
    )
    assert response.status_code == 200
    assert not Webhook.objects.exists()
    form = response.context["form"]
    assert "url" in form.errors and "events" in form.errors


def test_a_redelivery_sends_the_same_event_id_again(hook, receiver, staff_client):
    (delivery,) = webhooks.emit("ecosystem.member_joined", {})
    webhooks.deliver.call(delivery.pk)
    staff_client.post(reverse("core:webhook_redeliver", args=[delivery.pk]))
    fresh = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    webhooks.deliver.call(fresh.pk)
    first, second = (json.loads(r["body"]) for r in receiver.received)
    assert first["id"] == second["id"]


def test_a_registration_and_a_project_stage_change_make_their_events(
    staff_user, org_a, django_capture_on_commit_callbacks
):
    """The two other sources of the issue, from the apps' own services (not emit() by hand)."""
    from grappe.events import services as events
    from grappe.events.models import Event
    from grappe.innovation import services as innovation

    webhooks.forget_subscriptions()
    Webhook.objects.create(
        name="Tout",
        url="https://hooks.example.test/grappe",
        events=["events.registration_created", "innovation.project_stage_changed"],
    )
    start = timezone.now() + dt.timedelta(days=5)
    event = events.event_create(
        actor=None,
        title="Visite",
        start=start,
        end=start + dt.timedelta(hours=2),
        venue_name="Usine",
        venue_address="Rue 2",
        capacity=5,
        status=Event.Status.PUBLISHED,
    )
    person = services.person_create(actor=None, first_name="Rita", last_name="Inscrite", email="rita@example.test")
    with django_capture_on_commit_callbacks(execute=False):
        registration = events.registration_create(
            actor=None, event=event, person=person, organisation=org_a, consent=True
        )
        project = innovation.project_create(actor=staff_user, title="Liant bas carbone", lead_organisation=org_a)
        innovation.project_move_stage(
            actor=staff_user, project=project, to_stage="abandoned", reason="Partenaire industriel parti"
        )
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    created = [d.payload["data"] for d in deliveries if d.event == "events.registration_created"]
    assert [(c["registration"]["id"], c["event"]["id"], c["organisation"]) for c in created] == [
        (registration.pk, event.pk, {"id": org_a.pk})
    ]
    moves = [d.payload["data"] for d in deliveries if d.event == "innovation.project_stage_changed"]
    # the project's creation is its entry into its first stage, then the move
    assert [(m["project"]["id"], m["from_stage"], m["to_stage"]) for m in moves] == [
        (project.pk, "", "idea"),
        (project.pk, "idea", "abandoned"),
    ]


def test_a_staff_only_project_is_announced_without_its_title(staff_user, org_a, django_capture_on_commit_callbacks):
    from grappe.innovation import services as innovation
    from grappe.innovation.models import InnovationProject

    webhooks.forget_subscriptions()
    Webhook.objects.create(
        name="Projets", url="https://hooks.example.test/p", events=["innovation.project_stage_changed"]
    )
    with django_capture_on_commit_callbacks(execute=False):
        secret = innovation.project_create(
            actor=staff_user,
            title="Procédé secret",
            lead_organisation=org_a,
            confidentiality=InnovationProject.Confidentiality.STAFF,
        )
        shared = innovation.project_create(actor=staff_user, title="Projet partagé", lead_organisation=org_a)
    projects = {d.payload["data"]["project"]["id"]: d.payload["data"]["project"] for d in WebhookDelivery.objects.all()}
    assert projects[secret.pk] == {"id": secret.pk, "title": None, "confidential": True}
    assert projects[shared.pk] == {"id": shared.pk, "title": "Projet partagé", "confidential": False}
    assert "Procédé secret" not in json.dumps([d.payload for d in WebhookDelivery.objects.all()])
