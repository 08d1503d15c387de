"""Entry pages route each role to its place; health check; language switch; audit helpers."""

import pytest
from django.urls import reverse

from grappe.core.audit import diff
from grappe.core.text import fold

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_lands_on_the_public_site_in_french(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[0] == ("/fr/", 302)
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "target"),
    [("staff_client", "/staff/"), ("member_a_client", "/portal/"), ("observer_client", "/reports/")],
)
def test_home_sends_each_role_to_its_space(request, persona, target):
    response = request.getfixturevalue(persona).get("/")
    assert response.status_code == 302
    assert response["Location"] == target


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/staff/", {"anonymous": 302, "member_a": 403, "observer": 403, "staff": 200, "admin": 200}),
        ("/portal/", {"anonymous": 302, "member_a": 200, "observer": 403, "staff": 403, "admin": 403}),
        ("/reports/", {"anonymous": 302, "member_a": 403, "observer": 200, "staff": 200, "admin": 200}),
    ],
)
def test_entry_pages_permissions_for_every_role(
    client, staff_client, admin_client_, observer_client, member_a_client, url, expected
):
    clients = {
        "anonymous": client,
        "member_a": member_a_client,
        "observer": observer_client,
        "staff": staff_client,
        "admin": admin_client_,
    }
    for role, status in expected.items():
        assert clients[role].get(url).status_code == status, (role, url)


def test_anonymous_is_redirected_to_login_with_next(client):
    response = client.get("/staff/")
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/staff/" in response["Location"]


def test_workspace_shows_member_count(staff_client, org_a, org_b):
    response = staff_client.get("/staff/")
    assert response.context["cards"][1]["value"] == 2


def test_portal_lists_only_the_members_own_organisation(member_a_client, org_a, org_b):
    response = member_a_client.get("/portal/")
    assert list(response.context["organisations"]) == [org_a]


def test_login_with_email_is_case_insensitive(client, staff_user):
    from tests.conftest import PASSWORD

    response = client.post(reverse("accounts:login"), {"username": "STAFF@cluster.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_wrong_password_shows_an_error_and_does_not_log_in(client, staff_user):
    response = client.post(reverse("accounts:login"), {"username": "staff@cluster.test", "password": "nope"})
    assert response.status_code == 200
    assert client.get("/staff/").status_code == 302


def test_language_switch_to_dutch_sets_the_page_language(client):
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert '<html lang="nl">' in client.get("/accounts/login/").content.decode()


def test_health_check_reports_the_database(client):
    response = client.get("/healthz?check=web")  # the worker's part: tests/core/test_healthz.py
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_fold_removes_accents_ligatures_and_case():
    assert fold("  Œuvre   Liège ÉTÉ ") == "oeuvre liege ete"
    assert fold(None) == ""


def test_diff_lists_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}


def test_portal_lists_the_services_apps_register(member_a_client, org_a):
    response = member_a_client.get("/portal/")
    urls = [item["url"] for item in response.context["services"]]
    assert "/portal/innovation/" in urls
