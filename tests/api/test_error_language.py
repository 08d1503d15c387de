"""API error details are French msgids passed through gettext, in the request's language (Accept-Language,
through LocaleMiddleware); the machine-readable ``reason`` never changes.

The catalogues are compiled by the lead at the end of a session, so most tests assert that the detail equals
``gettext(msgid)`` with the request's language active, not a given Dutch sentence; one msgid that is already
translated in the Dutch catalogue shows that the language really follows the request.
"""

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.api.conftest import bearer, make_token
from tests.conftest import client_for

SRC = Path(__file__).resolve().parents[2] / "src" / "grappe"
LANGUAGES = ["fr", "nl", "en", "de"]


def _expected(language: str, msgid: str, **params: object) -> str:
    with translation.override(language):
        text = gettext(msgid)
    return text % params if params else text


def _get(client: Client, path: str, language: str):
    return client.get(path, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_router_not_found_detail_follows_accept_language(staff_user, language):
    response = _get(client_for(staff_user), "/api/v1/ecosystem/organisations/999999", language)
    assert response.status_code == 404
    body = response.json()
    assert body["reason"] == "not_found"
    assert body["detail"] == _expected(language, "Organisation introuvable.")


def test_the_language_really_changes_the_detail(staff_user):
    """« Organisation introuvable. » is already in the Dutch catalogue."""
    french = _get(client_for(staff_user), "/api/v1/ecosystem/organisations/999999", "fr").json()["detail"]
    dutch = _get(client_for(staff_user), "/api/v1/ecosystem/organisations/999999", "nl").json()["detail"]
    assert french == "Organisation introuvable."
    assert dutch == _expected("nl", "Organisation introuvable.") != french


@pytest.mark.parametrize("language", LANGUAGES)
def test_ninjas_own_401_is_a_translated_french_msgid(db, language):
    response = _get(Client(), "/api/v1/ecosystem/organisations", language)
    assert response.status_code == 401
    body = response.json()
    assert body["reason"] == "not_authenticated"
    assert body["detail"] == _expected(language, "Authentification requise.") and body["detail"] != "Unauthorized"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_missing_scope_detail_is_translated_with_its_scope(staff_user, language):
    client = bearer(make_token(staff_user, ["watch:read"]))
    response = _get(client, "/api/v1/ecosystem/organisations", language)
    assert response.status_code == 403
    body = response.json()
    assert body["reason"] == "missing_scope"
    expected = _expected(language, "Ce jeton n'a pas la portée « %(scope)s ».", scope="ecosystem:read")
    assert body["detail"] == expected


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_a_role_refusal_built_at_import_time_is_translated_per_request(observer_user, language):
    """``ApiAuth(denied=...)`` is created when the router is imported: a lazy message, translated per request."""
    response = _get(client_for(observer_user), "/api/v1/register/enterprises?q=bois", language)
    assert response.status_code == 403
    body = response.json()
    assert body["reason"] == "forbidden"
    assert body["detail"] == _expected(language, "Accès réservé à l'équipe du cluster.")


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_a_page_past_the_end_is_translated_with_its_bound(staff_user, language):
    response = _get(client_for(staff_user), "/api/v1/ecosystem/organisations?page=999", language)
    assert response.status_code == 404
    body = response.json()
    assert body["reason"] == "page_out_of_range"
    assert body["detail"] == _expected(language, "page : au plus %(pages)s.", pages=1)


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_staff_second_factor_refusal_is_translated(settings, staff_user, language):
    settings.GRAPPE_REQUIRE_STAFF_2FA = True
    response = _get(client_for(staff_user), "/api/v1/ecosystem/organisations", language)
    assert response.status_code == 403
    body = response.json()
    assert body["reason"] == "2fa_required"
    assert body["detail"] == _expected(language, "Authentification à deux facteurs requise.")


def _api_modules() -> list[Path]:
    return [*sorted(SRC.glob("*/api.py")), SRC / "api.py", SRC / "core" / "api_auth.py", SRC / "core" / "api_pages.py"]


def test_no_api_error_is_raised_with_a_plain_string():
    """Every ApiError/HttpError message goes through gettext: no bare string or f-string left in the API code."""
    plain = []
    for path in _api_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in {"ApiError", "HttpError"} and node.args:
                message = node.args[-1]
                if isinstance(message, ast.JoinedStr) or (
                    isinstance(message, ast.Constant) and isinstance(message.value, str) and len(node.args) > 1
                ):
                    plain.append(f"{path.relative_to(SRC)}:{node.lineno}")
            for keyword in node.keywords:
                if keyword.arg == "denied" and isinstance(keyword.value, ast.Constant | ast.JoinedStr):
                    plain.append(f"{path.relative_to(SRC)}:{node.lineno} (denied=)")
    assert plain == []
