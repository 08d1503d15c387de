"""The register API (/api/v1/register/): staff-only lookup, every endpoint for every role, ETags, 422s."""

# ruff: noqa: F811 (the role fixtures are imported, then requested by name)

from pathlib import Path

import pytest
from django.core.cache import cache

from grappe.register.importer import import_extract
from tests.api.conftest import bearer, make_token
from tests.watch.test_views import ROLES, clients  # noqa: F401 (fixtures)

BASE = "/api/v1/register"
FULL = Path(__file__).resolve().parent / "fixtures" / "full_0146"
EXPECTED = {"anonymous": 401, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}
READS = ["/enterprises?q=liege", "/enterprises?q=0403.019.261", "/enterprises/403019261"]


@pytest.fixture
def universe(db):
    cache.clear()
    import_extract(FULL)
    yield
    cache.clear()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READS)
def test_reads_are_for_staff_only(universe, clients, role, path):
    response = clients[role].get(BASE + path)
    assert response.status_code == EXPECTED[role], response.content
    if response.status_code >= 400:
        assert response.json()["reason"] in {"not_authenticated", "forbidden"}
        assert "Matériaux" not in response.content.decode()


def test_search_by_name_ignores_accents(universe, staff_client):
    body = staff_client.get(BASE + "/enterprises?q=liege materiaux").json()
    assert body["count"] >= 1
    assert "0403.019.261" in [e["number"] for e in body["results"]]
    assert body["truncated"] is False


def test_search_by_number(universe, staff_client):
    body = staff_client.get(BASE + "/enterprises?q=BE 0403 019 261").json()
    assert [e["number"] for e in body["results"]] == ["0403.019.261"]
    assert body["results"][0]["name"] == "Liège Matériaux Circulaires"


def test_search_by_establishment_number_finds_its_enterprise(universe, staff_client):
    body = staff_client.get(BASE + "/enterprises?q=2.094.609.585").json()
    assert [e["number"] for e in body["results"]] == ["0403.019.261"]


def test_detail_has_denominations_addresses_and_activities(universe, staff_client):
    body = staff_client.get(BASE + "/enterprises/403019261").json()
    assert body["number"] == "0403.019.261"
    assert {"type": "001", "language": "1", "value": "Liège Matériaux Circulaires"}.items() <= body["denominations"][
        0
    ].items()
    assert body["addresses"][0]["zipcode"] == "4000"
    assert body["addresses"][0]["street_fr"] == "Boulevard d'Avroy"
    codes = {(a["code"], a["classification"]) for a in body["activities"]}
    assert ("43110", "MAIN") in codes and ("46730", "SECO") in codes
    assert "2.094.609.585" in [e["number"] for e in body["establishments"]]


def test_unknown_enterprise_is_404(universe, staff_client):
    response = staff_client.get(BASE + "/enterprises/200065766")
    assert response.status_code == 404
    assert response.json()["reason"] == "not_found"


def test_etag_answers_304(universe, staff_client):
    for path in READS:
        first = staff_client.get(BASE + path)
        assert first.status_code == 200
        assert staff_client.get(BASE + path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304, path


def test_page_out_of_range_is_404(universe, staff_client):
    response = staff_client.get(BASE + "/enterprises?q=liege&page=500")
    assert response.status_code == 404
    assert response.json()["reason"] == "page_out_of_range"


@pytest.mark.parametrize(
    "path",
    [
        "/enterprises?page=0",
        "/enterprises?page=100001",
        "/enterprises?page_size=201",
        "/enterprises?page_size=0",
        "/enterprises?q=%00",
        "/enterprises?q=" + "x" * 201,
        "/enterprises?postal_code=50000",
        "/enterprises?nace=43%27;--",
        "/enterprises/0",
        "/enterprises/2000000000",
        "/enterprises/99999999999999999999999",
    ],
)
def test_bad_parameters_are_422(universe, staff_client, path):
    response = staff_client.get(BASE + path)
    assert response.status_code in (404, 422), response.content
    if path.startswith("/enterprises?") or path.endswith(("/0", "/2000000000")):
        assert response.status_code == 422, response.content
        assert response.json()["reason"] == "invalid"


def test_token_needs_the_register_scope(universe, staff_user, member_a):
    url = BASE + "/enterprises/403019261"
    assert bearer(make_token(staff_user, ["register:read"])).get(url).status_code == 200
    missing = bearer(make_token(staff_user, ["ecosystem:read"])).get(url)
    assert missing.status_code == 403
    assert missing.json()["reason"] == "missing_scope"
    refused = bearer(make_token(member_a, ["register:read"])).get(url)
    assert refused.status_code == 403
    assert refused.json()["reason"] == "forbidden"
    assert bearer("grp_forged").get(url).status_code == 401
