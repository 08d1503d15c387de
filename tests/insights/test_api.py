"""/api/v1/insights/: every endpoint × role, tokens and scopes, ETags, bad input, the numbers."""

import pytest
from django.test import Client

from tests.api.conftest import bearer, make_token
from tests.conftest import client_for

from .factories import small_universe

API = "/api/v1/insights"
ENDPOINTS = ["/representativeness", "/prospects", "/map", "/network", "/dashboard", "/perimeter"]
EXPECTED = dict(anonymous=401, member_a=403, member_b=403, observer=200, staff=200, admin=200)


@pytest.fixture
def clients(db, member_a, member_b, staff_user, admin_user, observer_user):
    return {
        "anonymous": Client(),
        "member_a": client_for(member_a),
        "member_b": client_for(member_b),
        "observer": client_for(observer_user),
        "staff": client_for(staff_user),
        "admin": client_for(admin_user),
    }


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_endpoint_answers_each_role_as_the_pages_do(clients, path):
    for role, client in clients.items():
        response = client.get(f"{API}{path}")
        assert response.status_code == EXPECTED[role], (role, path)
        if response.status_code != 200:
            assert response.json()["reason"] in ("not_authenticated", "forbidden")


@pytest.mark.parametrize("path", ["/representativeness", "/perimeter"])
def test_tokens_need_the_insights_read_scope_and_follow_their_user(db, staff_user, member_a, path):
    assert bearer(make_token(staff_user, ["insights:read"])).get(f"{API}{path}").status_code == 200
    wrong = bearer(make_token(staff_user, ["ecosystem:read"])).get(f"{API}{path}")
    assert wrong.status_code == 403 and wrong.json()["reason"] == "missing_scope"
    member = bearer(make_token(member_a, ["insights:read"])).get(f"{API}{path}")
    assert member.status_code == 403 and member.json()["reason"] == "forbidden"
    assert bearer("grp_forged_token").get(f"{API}{path}").status_code == 401


def test_representativeness_json_carries_the_hand_computed_cells(clients):
    data = small_universe()
    body = clients["observer"].get(f"{API}/representativeness", {"date": "2025-06-30"}).json()
    assert body["date"] == "2025-06-30"
    assert body["universe"] == 10 and body["members_in_perimeter"] == 3
    demolition = next(
        c for c in body["breakdowns"]["segment"]["cells"] if c["key"] == str(data["segments"]["demolition"].pk)
    )
    assert (demolition["members"], demolition["universe"]) == (2, 6)
    assert demolition["coverage"] == pytest.approx(1 / 3)
    assert demolition["member_share"] == pytest.approx(2 / 3)
    assert demolition["universe_share"] == pytest.approx(0.6)
    assert {"key", "label", "residual"} <= demolition.keys()
    assert 0 <= body["index"] <= 1


def test_empty_perimeter_and_early_date_are_explained_not_errors(clients):
    body = clients["staff"].get(f"{API}/representativeness", {"date": "1990-01-01"}).json()
    assert body["index"] is None and body["coverage"] is None
    assert any("périmètre est vide" in n for n in body["notes"])
    prospects = clients["staff"].get(f"{API}/prospects", {"date": "1990-01-01"}).json()
    assert prospects["results"] == [] and prospects["notes"]


def test_prospects_are_ranked_with_reasons(clients):
    small_universe()
    body = clients["staff"].get(f"{API}/prospects", {"date": "2025-06-30", "limit": 3}).json()
    assert len(body["results"]) <= 3
    for earlier, later in zip(body["results"], body["results"][1:], strict=False):
        assert earlier["score"] >= later["score"]
    assert all(p["reasons"] for p in body["results"])


def test_perimeter_lists_codes_with_labels_and_counts(clients):
    small_universe()
    body = clients["staff"].get(f"{API}/perimeter").json()
    demolition = next(s for s in body["segments"] if s["name"] == "Demolition")
    code = demolition["codes"][0]
    assert code["dotted"] == "43.1" and code["label"] and code["enterprises"] == 6


def test_map_and_network_and_dashboard_shapes(clients, org_a):
    map_body = clients["staff"].get(f"{API}/map").json()
    assert any(m["members"] == 1 for m in map_body["municipalities"])
    network = clients["staff"].get(f"{API}/network").json()
    assert network["nodes"] >= 1 and isinstance(network["sources"], dict)
    dashboard = clients["observer"].get(f"{API}/dashboard").json()
    assert dashboard["quarters"] and "members_at_risk" in dashboard


def test_etag_gives_304(clients):
    first = clients["staff"].get(f"{API}/perimeter")
    again = clients["staff"].get(f"{API}/perimeter", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path, status",
    [
        ("/representativeness?date=31-12-2024", 422),
        ("/representativeness?date=0001-01-01", 422),
        ("/representativeness?segment=0", 422),
        ("/representativeness?segment=99999999999999999999", 422),
        ("/representativeness?segment=424242", 404),
        ("/prospects?limit=0", 422),
        ("/prospects?limit=100000", 422),
        ("/prospects?province=abc", 422),
        ("/map?segment=abc", 422),
        ("/network?date=2024-02-30", 422),
    ],
)
def test_bad_parameters_answer_4xx_with_a_reason(clients, path, status):
    response = clients["staff"].get(f"{API}{path}")
    assert response.status_code == status
    assert response.json()["reason"] in ("invalid", "not_found")
