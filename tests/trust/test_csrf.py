"""CSRF everywhere: a POST without a CSRF token is refused by every URL pattern of Grappe, whatever the view.

The walk is the permission matrix's list of URL patterns, so a new view is covered without being added here.
Django views are refused by ``CsrfViewMiddleware`` before they run (the failure view is swapped for a marker
so the refusal is recognised); the API (django-ninja views are CSRF-exempt) checks the token itself for
session-authenticated writes (``core.api_auth``) and answers ``csrf_failed``, or 405 for read-only paths.
"""

import pytest
from django.db import transaction
from django.http import HttpResponseForbidden
from django.test import Client

from tests.trust.test_permission_matrix import ROUTES
from tests.trust.urlwalk import path_for

MARKER = "x-grappe-test-csrf-refused"
# Views that deliberately take a POST without a CSRF token, and why.
EXEMPT = {
    "watch:unsubscribe": "RFC 8058 one-click unsubscribe from mail clients; the signed link is the credential",
    "api:_no_such_endpoint": "the API's catch-all: a 404 to every method, it acts on nothing",
}


def csrf_refused(request, reason: str = ""):
    response = HttpResponseForbidden("CSRF")
    response[MARKER] = reason or "1"
    return response


def _refused(route, response) -> bool:
    if response.has_header(MARKER):
        return True
    if route.key.startswith("api:"):
        if response.status_code == 405:
            return True  # a read-only path: no write to protect
        if response.status_code == 403 and response.get("Content-Type", "").startswith("application/json"):
            return response.json().get("reason") == "csrf_failed"
    return False


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_every_url_refuses_a_post_without_a_csrf_token(role, world, db, settings):
    settings.CSRF_FAILURE_VIEW = "tests.trust.test_csrf.csrf_refused"
    settings.MEDIA_ROOT = world.media_root
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    accepted, checked = [], 0
    for route in ROUTES:
        if route.key in EXEMPT:
            continue
        path = path_for(route, world)
        with transaction.atomic():  # a view that wrongly accepted the POST changes nothing for the next one
            if route.key.startswith("api:"):
                response = client.post(path, "{}", content_type="application/json")
            else:
                response = client.post(path, {"confirm": "1"})
            transaction.set_rollback(True)
        if route.key.startswith("api:") and role == "anonymous":
            continue  # no session: the API wants a token, there is no cookie a forged request could ride on
        checked += 1
        if not _refused(route, response):
            accepted.append(f"POST {path} ({route.key}): {response.status_code}")
    assert checked > 200, f"only {checked} URL patterns checked: is the walk blind?"
    assert not accepted, "these URLs accept a POST without a CSRF token:\n" + "\n".join(accepted)


def test_the_exempt_unsubscribe_link_still_needs_its_signed_token(world, db):
    """The one CSRF-exempt view acts only with a valid signed token: a forged POST changes nothing."""
    from django.urls import reverse

    from grappe.watch.digests import unsubscribe_token
    from grappe.watch.models import Subscription

    subscription = world.subscription
    real = unsubscribe_token(subscription.person_id, subscription.topic_id)
    forged = real[:-1] + ("A" if real[-1] != "A" else "B")  # the same payload, a tampered signature
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("watch:unsubscribe", kwargs={"token": forged}))
    assert response.status_code == 400
    assert Subscription.objects.filter(pk=subscription.pk).exists()
