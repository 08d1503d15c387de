"""Personal API tokens: hashed at rest, shown once, scoped, expiring, revocable; the page and the command."""

import datetime as dt
import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from grappe.accounts import tokens
from grappe.accounts.models import ApiToken
from tests.api.conftest import bearer, make_token
from tests.conftest import client_for

URL = "/accounts/tokens/"
API = "/api/v1/ecosystem/organisations"

pytestmark = pytest.mark.django_db


def test_token_secret_is_stored_only_as_its_sha256(staff_user):
    plaintext = make_token(staff_user, ["ecosystem:read"])
    mark, prefix, secret = plaintext.split("_", 2)
    token = ApiToken.objects.get(prefix=prefix)
    assert mark == "grp"
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().first())


def test_write_scope_implies_read_and_unknown_scope_is_refused(staff_user):
    _t, _p = tokens.token_create(actor=None, user=staff_user, name="x", scopes=["ecosystem:write"])
    assert _t.scopes == ["ecosystem:read", "ecosystem:write"]
    with pytest.raises(tokens.TokenError, match="everything:read"):
        tokens.token_create(actor=None, user=staff_user, name="x", scopes=["everything:read"])


def test_observer_cannot_hold_a_token(observer_user):
    with pytest.raises(tokens.TokenError):
        tokens.token_create(actor=None, user=observer_user, name="x", scopes=["ecosystem:read"])


def test_wrong_secret_expired_and_revoked_tokens_do_not_authenticate(staff_user):
    plaintext = make_token(staff_user, ["ecosystem:read"])
    assert tokens.token_authenticate(plaintext).user == staff_user
    assert tokens.token_authenticate(plaintext[:-2] + "zz") is None
    assert tokens.token_authenticate("garbage") is None
    token = ApiToken.objects.get(prefix=plaintext.split("_")[1])
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert tokens.token_authenticate(plaintext) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    tokens.token_revoke(actor=staff_user, token=token)
    assert tokens.token_authenticate(plaintext) is None


def test_inactive_user_token_does_not_authenticate(staff_user):
    plaintext = make_token(staff_user, ["ecosystem:read"])
    staff_user.is_active = False
    staff_user.save()
    assert tokens.token_authenticate(plaintext) is None


def test_last_used_is_recorded_but_not_rewritten_on_every_call(staff_user):
    plaintext = make_token(staff_user, ["ecosystem:read"])
    first = tokens.token_authenticate(plaintext).last_used_at
    assert first is not None
    assert tokens.token_authenticate(plaintext).last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - dt.timedelta(hours=1))
    assert tokens.token_authenticate(plaintext).last_used_at > first


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 302),
        ("observer_user", 403),
        ("member_a", 200),
        ("member_b", 200),
        ("staff_user", 200),
        ("admin_user", 200),
    ],
)
def test_token_page_per_role(request, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    assert client_for(user).get(URL).status_code == status


def test_staff_creates_a_token_sees_it_once_and_it_works(staff_client, staff_user):
    response = staff_client.post(URL, {"name": "site web", "scopes": ["ecosystem:read"], "expires_in": "30"})
    assert response.status_code == 200
    plaintext = response.context["plaintext"]
    assert plaintext.startswith("grp_") and plaintext in response.content.decode()
    assert plaintext not in staff_client.get(URL).content.decode()
    assert bearer(plaintext).get(API).status_code == 200
    token = ApiToken.objects.get(user=staff_user)
    assert token.expires_at > timezone.now() + dt.timedelta(days=29)


def test_token_form_without_scope_is_refused_and_creates_nothing(staff_client):
    response = staff_client.post(URL, {"name": "x", "scopes": []})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_user_revokes_own_token_but_not_someone_elses(member_a_client, member_a, member_b):
    own = make_token(member_a, ["ecosystem:read"])
    other = make_token(member_b, ["ecosystem:read"])
    own_row = ApiToken.objects.get(prefix=own.split("_")[1])
    other_row = ApiToken.objects.get(prefix=other.split("_")[1])
    assert member_a_client.post(f"/accounts/tokens/{other_row.pk}/revoke/").status_code == 404
    assert member_a_client.post(f"/accounts/tokens/{own_row.pk}/revoke/").status_code == 302
    own_row.refresh_from_db()
    other_row.refresh_from_db()
    assert own_row.revoked_at is not None and other_row.revoked_at is None
    assert bearer(own).get(API).status_code == 401


def test_command_creates_lists_and_revokes(staff_user, capsys):
    call_command("api_token", "create", staff_user.email, "--scopes", "ecosystem:read", "--days", "7")
    plaintext = capsys.readouterr().out.strip()
    assert tokens.token_authenticate(plaintext).user == staff_user
    call_command("api_token", "list", staff_user.email)
    assert "active" in capsys.readouterr().out
    call_command("api_token", "revoke", plaintext.split("_")[1])
    assert tokens.token_authenticate(plaintext) is None


def test_command_names_the_bad_field(staff_user, observer_user):
    with pytest.raises(CommandError, match="e-mail"):
        call_command("api_token", "create", "nobody@x.test", "--scopes", "ecosystem:read")
    with pytest.raises(CommandError, match="portées"):
        call_command("api_token", "create", staff_user.email, "--scopes", "bogus")
    with pytest.raises(CommandError, match="--days"):
        call_command("api_token", "create", staff_user.email, "--scopes", "ecosystem:read", "--days", "0")


def test_member_portal_and_staff_menu_link_to_the_token_page(member_a_client, staff_client):
    assert URL in member_a_client.get("/portal/").content.decode()
    assert URL in staff_client.get("/staff/").content.decode()
