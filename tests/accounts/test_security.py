"""Authentication hardening: login throttling and lockout, staff two-factor authentication, headers."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from grappe.accounts import throttle
from grappe.core.models import AuditEntry
from tests.conftest import PASSWORD, client_for


@pytest.fixture
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


pytestmark = pytest.mark.usefixtures("_clear_cache")


def _login(client, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


# --- throttling and lockout --------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, member_a, settings):
    settings.GRAPPE_LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        assert _login(client, "anna@alpha.test", "wrong").status_code == 200
    response = _login(client, "anna@alpha.test", PASSWORD)
    assert response.status_code == 200  # the form again, not a redirect: the right password is refused too
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="accounts.login.locked").exists()


def test_the_lock_is_per_account_other_accounts_still_log_in(client, member_a, member_b, settings):
    settings.GRAPPE_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(client, "anna@alpha.test", "wrong", ip="10.0.0.1")
    response = _login(client, "bruno@beta.test", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302


def test_many_failures_from_one_address_lock_that_address(client, member_a, member_b, settings):
    settings.GRAPPE_LOGIN_MAX_FAILURES = 100
    settings.GRAPPE_LOGIN_MAX_FAILURES_PER_IP = 4
    for n in range(4):
        _login(client, f"nobody{n}@example.test", "wrong", ip="10.9.9.9")
    assert "Trop de tentatives" in _login(client, "bruno@beta.test", PASSWORD, ip="10.9.9.9").content.decode()
    assert _login(client, "bruno@beta.test", PASSWORD, ip="10.9.9.8").status_code == 302


def test_the_lock_ends_after_the_delay(client, member_a, settings, monkeypatch):
    settings.GRAPPE_LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        _login(client, "anna@alpha.test", "wrong")
    assert throttle.is_locked(email="anna@alpha.test")
    import time

    later = time.time() + settings.GRAPPE_LOGIN_LOCKOUT_SECONDS + 1
    from django.utils import timezone

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now().fromtimestamp(later, tz=real_now().tzinfo))
    assert not throttle.is_locked(email="anna@alpha.test")


def test_a_success_resets_the_account_counter(client, member_a, settings):
    settings.GRAPPE_LOGIN_MAX_FAILURES = 3
    _login(client, "anna@alpha.test", "wrong")
    _login(client, "anna@alpha.test", "wrong")
    assert _login(client, "anna@alpha.test", PASSWORD).status_code == 302
    client.logout()
    _login(client, "anna@alpha.test", "wrong")
    _login(client, "anna@alpha.test", "wrong")
    assert _login(client, "anna@alpha.test", PASSWORD).status_code == 302


def test_the_admin_login_is_throttled_too(client, admin_user, settings):
    settings.GRAPPE_LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        client.post(reverse("admin:login"), {"username": "admin@cluster.test", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "admin@cluster.test", "password": PASSWORD})
    assert response.status_code == 200 and "Trop de tentatives" in response.content.decode()


def test_an_admin_unlocks_an_account(client, member_a, admin_user, settings):
    settings.GRAPPE_LOGIN_MAX_FAILURES = 2
    for _ in range(2):
        _login(client, "anna@alpha.test", "wrong")
    assert throttle.is_locked(email="anna@alpha.test")
    response = client_for(admin_user).post(reverse("accounts:lockouts"), {"email": "anna@alpha.test"})
    assert response.status_code == 302
    assert not throttle.is_locked(email="anna@alpha.test")
    assert _login(client, "anna@alpha.test", PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.login.unlocked", actor=admin_user).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff_user", 403), ("member_a", 403), ("observer_user", 403), ("admin_user", 200)],
)
def test_only_admins_open_the_lockouts_page(request, persona, status, db):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("accounts:lockouts")).status_code == status


def test_anonymous_visitors_are_sent_to_login_from_the_lockouts_page(client):
    assert client.get(reverse("accounts:lockouts")).status_code == 302


# --- two-factor authentication --------------------------------------------------------------------


@pytest.fixture
def two_factor_on(settings):
    settings.GRAPPE_REQUIRE_STAFF_2FA = True
    return settings


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_staff_without_a_device_are_sent_to_set_one_up(two_factor_on, staff_user):
    client = client_for(staff_user)
    response = client.get(reverse("core:workspace"))
    assert response.status_code == 302 and reverse("accounts:two_factor") in response["Location"]
    page = client.get(reverse("accounts:two_factor"))
    assert page.status_code == 200 and "otpauth://totp/" in page.content.decode()


def test_staff_confirm_a_device_then_reach_the_workspace(two_factor_on, staff_user):
    client = client_for(staff_user)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    bad = client.post(reverse("accounts:two_factor"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert bad.status_code == 422
    device.refresh_from_db()
    device.throttle_reset()  # django-otp delays the next try after a wrong code
    response = client.post(reverse("accounts:two_factor"), {"token": _code(device), "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get(reverse("core:workspace")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_a_new_session_must_prove_a_code_again(two_factor_on, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="authenticator", confirmed=True)
    client = client_for(staff_user)
    assert client.get(reverse("core:workspace")).status_code == 302
    page = client.get(reverse("accounts:two_factor"))
    assert "otpauth" not in page.content.decode()  # verification, not setup: the secret is never shown again
    assert client.post(reverse("accounts:two_factor"), {"token": _code(device)}).status_code == 302
    assert client.get(reverse("core:workspace")).status_code == 200


def test_the_api_refuses_an_unverified_staff_session(two_factor_on, staff_user):
    response = client_for(staff_user).get("/api/v1/ecosystem/people")
    assert response.status_code == 403 and response.json()["reason"] == "2fa_required"


def test_members_and_observers_need_no_second_factor(two_factor_on, member_a, observer_user):
    assert client_for(member_a).get(reverse("core:portal")).status_code == 200
    assert client_for(observer_user).get(reverse("core:reports")).status_code == 200


def test_the_next_parameter_cannot_send_elsewhere(two_factor_on, staff_user):
    device = TOTPDevice.objects.create(user=staff_user, name="authenticator", confirmed=True)
    client = client_for(staff_user)
    response = client.post(reverse("accounts:two_factor"), {"token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_an_admin_resets_a_lost_device(admin_user, staff_user):
    TOTPDevice.objects.create(user=staff_user, name="authenticator", confirmed=True)
    client_for(admin_user).post(reverse("accounts:lockouts"), {"email": staff_user.email, "reset_2fa": "1"})
    assert not TOTPDevice.objects.filter(user=staff_user).exists()
    assert AuditEntry.objects.filter(action="accounts.2fa.reset").exists()


def test_the_two_factor_page_needs_a_login(client):
    assert client.get(reverse("accounts:two_factor")).status_code == 302


# --- headers ----------------------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_with_a_nonce_and_refuse_framing(staff_client):
    response = staff_client.get(reverse("core:workspace"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_no_template_has_an_inline_event_handler_or_a_script_without_nonce():
    """Inline handlers (onclick=...) never run under the policy; inline scripts need nonce="{{ csp_nonce }}"."""
    import re
    from pathlib import Path

    import grappe

    root = Path(grappe.__file__).parent
    problems = []
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)(?![^>]*nonce=)[^>]*>", re.IGNORECASE)
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if handler.search(text) or script.search(text):
            problems.append(str(path.relative_to(root)))
    assert not problems, f"inline script without nonce or inline event handler in: {problems}"


@pytest.mark.django_db
def test_password_policy_refuses_short_and_common_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short", "password123", "1234567890"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("correct-horse-battery-staple")


# --- sessions and cookies ---------------------------------------------------------------------------


def test_a_login_session_expires_after_the_configured_age(client, member_a, settings):
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    settings.SESSION_COOKIE_AGE = 60 * 60
    assert _login(client, "anna@alpha.test", PASSWORD).status_code == 302
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 60 * 60 and cookie["httponly"]
    assert client.get(reverse("core:portal")).status_code == 200
    session = Session.objects.get(session_key=cookie.value)
    assert session.expire_date <= timezone.now() + dt.timedelta(hours=1, minutes=1)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("core:portal"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_session_and_csrf_cookies_are_secure_when_served_over_https(client, member_a, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client.get(reverse("accounts:login"))  # sets the CSRF cookie
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"]
    _login(client, "anna@alpha.test", PASSWORD)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"].lower() == "lax"


def test_the_default_session_lasts_twelve_hours_at_most():
    from django.conf import settings

    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_admins_need_the_second_factor_too_even_for_the_django_admin(two_factor_on, admin_user):
    client = client_for(admin_user)
    for path in (reverse("core:workspace"), "/admin/", "/admin/ecosystem/organisation/"):
        response = client.get(path)
        assert response.status_code == 302 and reverse("accounts:two_factor") in response["Location"], path
    device = TOTPDevice.objects.create(user=admin_user, name="authenticator", confirmed=True)
    assert client.post(reverse("accounts:two_factor"), {"token": _code(device)}).status_code == 302
    assert client.get("/admin/").status_code == 200
