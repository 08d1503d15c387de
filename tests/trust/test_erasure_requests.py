"""A person asks for erasure from the portal; staff erase (request done) or refuse with a reason."""

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from grappe.core.models import AuditEntry
from grappe.ecosystem.models import Person
from grappe.privacy import tasks
from grappe.privacy.models import ErasureRequest
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_member_asks_for_erasure_once_and_the_team_is_told_by_the_worker(
    member_a, member_a_client, staff_user, django_capture_on_commit_callbacks
):
    url = reverse("privacy:portal")
    with django_capture_on_commit_callbacks(execute=True):
        response = member_a_client.post(url, {"confirm": "1", "reason": "Je quitte le secteur."}, follow=True)
    assert "est enregistrée" in response.content.decode()
    erasure_request = ErasureRequest.objects.get()
    assert erasure_request.person_id == member_a.person_id and erasure_request.reason == "Je quitte le secteur."
    queued = DBTaskResult.objects.get(task_path="grappe.privacy.tasks.notify_erasure_request")
    assert queued.args_kwargs["args"] == [erasure_request.pk]
    assert AuditEntry.objects.filter(action="privacy.erasure.requested").count() == 1
    # A second request while the first is pending is not duplicated.
    response = member_a_client.post(url, {"confirm": "1"}, follow=True)
    assert "déjà en cours" in response.content.decode()
    assert ErasureRequest.objects.count() == 1
    # The worker's task mails the team a link, without the person's data.
    assert tasks.notify_erasure_request.call(erasure_request.pk) == 1
    assert mail.outbox[0].to == [staff_user.email]
    assert reverse("privacy:person_erase", args=[member_a.person_id]) in mail.outbox[0].body
    assert member_a.email not in mail.outbox[0].body and "secteur" not in mail.outbox[0].body


def test_without_confirmation_nothing_is_recorded(member_a_client):
    response = member_a_client.post(reverse("privacy:portal"), {"reason": "x"})
    assert response.status_code == 400
    assert "Cochez la case" in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_staff_see_pending_requests_and_erasing_marks_them_done(member_a, staff_client, staff_user):
    ErasureRequest.objects.create(person_id=member_a.person_id, reason="Plus de contact, merci.")
    register = staff_client.get(reverse("privacy:register")).content.decode()
    assert "Plus de contact, merci." in register
    assert reverse("privacy:person_erase", args=[member_a.person_id]) in register
    response = staff_client.post(reverse("privacy:person_erase", args=[member_a.person_id]), {"confirm": "1"})
    assert response.status_code == 302
    erasure_request = ErasureRequest.objects.get()
    assert erasure_request.status == ErasureRequest.Status.DONE
    assert erasure_request.handled_by == staff_user and erasure_request.reason == ""
    assert Person.objects.get(pk=member_a.person_id).erased_at is not None


def test_a_refusal_needs_a_reason_that_the_person_then_reads(member_a, member_a_client, staff_client):
    erasure_request = ErasureRequest.objects.create(person_id=member_a.person_id)
    url = reverse("privacy:request_refuse", args=[erasure_request.pk])
    staff_client.post(url, {"comment": "  "})
    erasure_request.refresh_from_db()
    assert erasure_request.status == ErasureRequest.Status.PENDING
    staff_client.post(url, {"comment": "Facture en cours : conservation légale de 7 ans."})
    erasure_request.refresh_from_db()
    assert erasure_request.status == ErasureRequest.Status.REFUSED
    portal = member_a_client.get(reverse("privacy:portal")).content.decode()
    assert "Facture en cours : conservation légale de 7 ans." in portal


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("member_a", 403), ("member_b", 403), ("observer", 403), ("staff", 302), ("admin", 302)],
)
def test_only_staff_refuse_a_request(role, status, request, member_a):
    erasure_request = ErasureRequest.objects.create(person_id=member_a.person_id)
    user = (
        None
        if role == "anonymous"
        else request.getfixturevalue(
            {"observer": "observer_user", "staff": "staff_user", "admin": "admin_user"}.get(role, role)
        )
    )
    response = client_for(user).post(reverse("privacy:request_refuse", args=[erasure_request.pk]), {"comment": "Non"})
    assert response.status_code == status
    erasure_request.refresh_from_db()
    assert (erasure_request.status == ErasureRequest.Status.REFUSED) is (role in ("staff", "admin"))


def test_staff_person_page_links_to_export_and_erasure(staff_client, member_a):
    html = staff_client.get(reverse("ecosystem:person_detail", args=[member_a.person_id])).content.decode()
    assert reverse("privacy:person_export", args=[member_a.person_id]) in html
    assert reverse("privacy:person_erase", args=[member_a.person_id]) in html


def test_demo_loader_leaves_one_pending_and_one_refused_request(staff_user):
    import io

    from grappe.ecosystem import services as eco
    from grappe.privacy.demo import load_demo

    for first in ("Claire", "Marc"):
        eco.person_create(actor=None, first_name=first, last_name="Contact", email=f"{first.lower()}@example.be")
    out = io.StringIO()
    load_demo(out)
    statuses = sorted(ErasureRequest.objects.values_list("status", flat=True))
    assert statuses == [ErasureRequest.Status.PENDING, ErasureRequest.Status.REFUSED]
    assert ErasureRequest.objects.get(status=ErasureRequest.Status.REFUSED).staff_comment
    assert "retention dry run" in out.getvalue()
