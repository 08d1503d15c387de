"""ApiAuth, the authentication every router reuses: token scopes, session, CSRF on unsafe methods."""

import pytest
from django.test import RequestFactory

from grappe.core.api_auth import ApiAuth, ApiError
from tests.api.conftest import make_token


def _request(method: str, user=None, token: str | None = None):
    factory = RequestFactory(enforce_csrf_checks=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    request = getattr(factory, method)("/api/v1/x", **headers)
    if user is not None:
        request.user = user
    else:
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
    return request


def test_session_user_is_accepted_on_reads(staff_user):
    assert ApiAuth("ecosystem:read")(_request("get", staff_user)) == staff_user


def test_session_write_without_csrf_token_is_refused(staff_user):
    with pytest.raises(ApiError) as error:
        ApiAuth("ecosystem:write")(_request("post", staff_user))
    assert error.value.status_code == 403 and error.value.reason == "csrf_failed"


def test_token_write_needs_the_write_scope_and_skips_csrf(staff_user):
    reader = make_token(staff_user, ["ecosystem:read"])
    writer = make_token(staff_user, ["ecosystem:write"])
    with pytest.raises(ApiError) as error:
        ApiAuth("ecosystem:write")(_request("post", token=reader))
    assert error.value.reason == "missing_scope"
    request = _request("post", token=writer)
    assert ApiAuth("ecosystem:write")(request) == staff_user
    assert request.api_token.user == staff_user


def test_anonymous_and_inactive_session_users_are_not_authenticated(staff_user):
    assert ApiAuth()(_request("get")) is None
    staff_user.is_active = False
    assert ApiAuth()(_request("get", staff_user)) is None
