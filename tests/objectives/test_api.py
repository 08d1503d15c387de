"""The objectives API (/api/v1/objectives/): every endpoint for every role; observers never see personal data."""

# ruff: noqa: F811 (the role fixtures of test_views are imported, then requested by name)

import json

import pytest

from grappe.objectives import services
from tests.api.conftest import bearer, make_token
from tests.objectives.test_views import ROLES, clients, world  # noqa: F401 (fixtures)

BASE = "/api/v1/objectives"
EXPECTED = {"anonymous": 401, "member_a": 403, "member_b": 403, "observer": 200, "staff": 200, "admin": 200}


def _paths(w) -> list[str]:
    return [
        "/indicators?year=2024",
        f"/indicators?contract={w['contract'].pk}&year=2024",
        f"/indicators/{w['members'].pk}?year=2024",
        f"/indicators/{w['manual'].pk}?year=2024",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_reads_follow_the_roles(world, clients, role):
    for path in _paths(world):
        response = clients[role].get(BASE + path)
        assert response.status_code == EXPECTED[role], (path, response.content)
        if response.status_code >= 400:
            assert response.json()["reason"] in {"not_authenticated", "forbidden"}


def test_list_gives_target_value_and_status(world, observer_client):
    body = observer_client.get(BASE + "/indicators?year=2024").json()
    assert body["contract_id"] == world["contract"].pk
    assert body["year"] == 2024
    rows = {r["code"]: r for r in body["results"]}
    assert len(rows) == world["contract"].indicators.count()
    manual = rows["G1"]
    assert manual["target"] == "2" or float(manual["target"]) == 2
    assert float(manual["value"]) == 2
    assert manual["status"] == "achieved"
    members = next(r for r in body["results"] if r["id"] == world["members"].pk)
    assert float(members["value"]) == 4  # Alpha, Bêta, Delta, Hôtel (see tests/objectives/conftest.py)


def test_detail_gives_the_drilldown_count(world, staff_client, observer_client):
    url = f"{BASE}/indicators/{world['members'].pk}?year=2024"
    staff = staff_client.get(url).json()
    assert staff["drilldown_count"] == 4
    assert {line["label"] for line in staff["drilldown"]} == {"Alpha", "Bêta", "Delta", "Hôtel"}
    assert any(line["url"] for line in staff["drilldown"])
    observer = observer_client.get(url).json()
    assert observer["drilldown_count"] == 4
    assert all(line["url"] == "" for line in observer["drilldown"])  # no links to staff records


def test_observer_sees_no_evidence_nor_people(world, observer_client, staff_client, staff_user):
    from grappe.ecosystem import services as eco
    from grappe.ecosystem.models import Person
    from grappe.objectives.computations import Result, indicator, unregister
    from grappe.objectives.computations.base import counted

    manual = observer_client.get(f"{BASE}/indicators/{world['manual'].pk}?year=2024").content.decode()
    assert "pv-comite" not in manual
    assert "pv-comite" in staff_client.get(f"{BASE}/indicators/{world['manual'].pk}?year=2024").content.decode()

    eco.person_create(actor=None, first_name="Zoé", last_name="Zèbre")

    @indicator("test.api_people", mission=1, unit="x", label="x", definition="x")
    def people(period) -> Result:
        return counted(Person.objects.order_by("pk"))

    try:
        ind = services.indicator_create(
            actor=staff_user,
            objective=world["objective"],
            code="PPL",
            label="Personnes",
            computation_key="test.api_people",
        )
        url = f"{BASE}/indicators/{ind.pk}?year=2024"
        observed = observer_client.get(url)
        assert observed.status_code == 200
        assert observed.json()["drilldown_count"] >= 1
        assert "Zèbre" not in json.dumps(observed.json(), ensure_ascii=False)
        assert "Zèbre" in json.dumps(staff_client.get(url).json(), ensure_ascii=False)
    finally:
        unregister("test.api_people")


def test_etag_answers_304(world, observer_client):
    url = f"{BASE}/indicators/{world['members'].pk}?year=2024"
    first = observer_client.get(url)
    assert first.status_code == 200
    assert observer_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    listing = observer_client.get(BASE + "/indicators?year=2024")
    assert observer_client.get(BASE + "/indicators?year=2024", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/indicators?year=1999",
        "/indicators?year=2101",
        "/indicators?year=abc",
        "/indicators?contract=0",
        "/indicators?contract=99999999999999999999",
        "/indicators/{members}?year=1500",
    ],
)
def test_bad_parameters_are_422(world, staff_client, path):
    response = staff_client.get(BASE + path.format(members=world["members"].pk))
    assert response.status_code == 422, response.content
    assert response.json()["reason"] == "invalid"


def test_year_outside_the_contract_is_422_with_a_reason(world, staff_client):
    response = staff_client.get(BASE + "/indicators?year=2099")
    assert response.status_code == 422
    assert response.json()["reason"] == "year_out_of_contract"
    detail = staff_client.get(f"{BASE}/indicators/{world['members'].pk}?year=2099")
    assert detail.json()["reason"] == "year_out_of_contract"


def test_unknown_ids_are_404(world, staff_client):
    assert staff_client.get(BASE + "/indicators/999999?year=2024").status_code == 404
    assert staff_client.get(BASE + "/indicators?contract=999999").status_code == 404


def test_token_needs_the_objectives_scope(world, staff_user, member_a):
    url = BASE + "/indicators?year=2024"
    assert bearer(make_token(staff_user, ["objectives:read"])).get(url).status_code == 200
    missing = bearer(make_token(staff_user, ["watch:read"])).get(url)
    assert missing.status_code == 403
    assert missing.json()["reason"] == "missing_scope"
    assert bearer(make_token(member_a, ["objectives:read"])).get(url).status_code == 403
    assert bearer("grp_forged").get(url).status_code == 401
