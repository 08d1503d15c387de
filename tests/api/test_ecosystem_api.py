"""/api/v1/ecosystem/: every endpoint × role, tokens and scopes, pagination, filters, ETags, privacy, bad input."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from grappe.accounts.models import ApiToken
from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
from tests.api.conftest import bearer, make_token
from tests.conftest import client_for

API = "/api/v1/ecosystem"
NOTE = "SENTINEL-INTERNAL-NOTE"
PERSON_NOTE = "SENTINEL-PERSON-NOTE"
FEE = "4321.98"
MEMBERSHIP_NOTE = "SENTINEL-MEMBERSHIP-NOTE"


@pytest.fixture
def world(org_a, org_b, member_a, member_b, staff_user, admin_user, observer_user):
    services.organisation_update(
        actor=None, organisation=org_a, internal_notes=NOTE, public_profile_consent=True, website="https://alpha.test"
    )
    services.organisation_update(actor=None, organisation=org_b, internal_notes=NOTE)
    membership = org_a.memberships.get()
    services.membership_update(actor=None, membership=membership, yearly_fee=FEE, notes=MEMBERSHIP_NOTE)
    services.person_update(actor=None, person=member_a.person, notes=PERSON_NOTE)
    # A consenting non-member must not be in the public directory.
    services.organisation_create(
        actor=None, name="Gamma Recherche", kind=Organisation.Kind.RESEARCH_CENTRE, public_profile_consent=True
    )
    return {"org_a": org_a, "org_b": org_b}


@pytest.fixture
def clients(world, member_a, member_b, staff_user, admin_user, observer_user):
    return {
        "anonymous": Client(),
        "member_a": client_for(member_a),
        "member_b": client_for(member_b),
        "observer": client_for(observer_user),
        "staff": client_for(staff_user),
        "admin": client_for(admin_user),
    }


def _path(world, template: str) -> str:
    return template.format(a=world["org_a"].pk, b=world["org_b"].pk, p=world["org_a"].affiliations.get().person_id)


# endpoint -> expected status per role
MATRIX = {
    "/organisations": dict(anonymous=401, member_a=200, member_b=200, observer=403, staff=200, admin=200),
    "/organisations/{a}": dict(anonymous=401, member_a=200, member_b=404, observer=403, staff=200, admin=200),
    "/organisations/{b}": dict(anonymous=401, member_a=404, member_b=200, observer=403, staff=200, admin=200),
    "/people": dict(anonymous=401, member_a=403, member_b=403, observer=403, staff=200, admin=200),
    "/people/{p}": dict(anonymous=401, member_a=403, member_b=403, observer=403, staff=200, admin=200),
    "/memberships": dict(anonymous=401, member_a=403, member_b=403, observer=403, staff=200, admin=200),
    "/public/organisations": dict(anonymous=200, member_a=200, member_b=200, observer=200, staff=200, admin=200),
}


@pytest.mark.parametrize("template", list(MATRIX))
def test_every_endpoint_answers_each_role_as_the_ui_does(world, clients, template):
    for role, expected in MATRIX[template].items():
        response = clients[role].get(API + _path(world, template))
        assert response.status_code == expected, (role, template, response.content[:200])
        assert "reason" in response.json() if expected >= 400 else True


@pytest.mark.parametrize("template", list(MATRIX))
def test_tokens_follow_their_users_role_and_need_the_read_scope(world, member_a, staff_user, template):
    staff_token = make_token(staff_user, ["ecosystem:read"])
    member_token = make_token(member_a, ["ecosystem:write"])  # write implies read
    unscoped = make_token(staff_user, ["events:read"])
    path = API + _path(world, template)
    assert bearer(staff_token).get(path).status_code == MATRIX[template]["staff"]
    assert bearer(member_token).get(path).status_code == MATRIX[template]["member_a"]
    response = bearer(unscoped).get(path)
    if template.startswith("/public"):
        assert response.status_code == 200  # the public directory ignores credentials
    else:
        assert response.status_code == 403
        assert response.json()["reason"] == "missing_scope"


def test_expired_revoked_and_forged_tokens_get_401(world, staff_user):
    expired = make_token(staff_user, ["ecosystem:read"])
    revoked = make_token(staff_user, ["ecosystem:read"])
    ApiToken.objects.filter(prefix=expired.split("_")[1]).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    ApiToken.objects.filter(prefix=revoked.split("_")[1]).update(revoked_at=timezone.now())
    for token in (expired, revoked, expired[:-3] + "abc", "grp_nothing_here", "not-a-token"):
        response = bearer(token).get(f"{API}/organisations")
        assert response.status_code == 401, token
        assert response.json()["reason"] == "not_authenticated"


def test_a_token_wins_over_the_session_cookie(world, staff_user, member_a):
    client = client_for(staff_user)
    token = make_token(member_a, ["ecosystem:read"])
    body = client.get(f"{API}/organisations", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [o["id"] for o in body["results"]] == [world["org_a"].pk]


def test_members_see_only_their_organisations_without_private_fields(world, clients):
    for role, own in (("member_a", "org_a"), ("member_b", "org_b")):
        response = clients[role].get(f"{API}/organisations")
        body = response.json()
        assert [o["id"] for o in body["results"]] == [world[own].pk]
        assert "internal_notes" not in body["results"][0]
        assert NOTE not in response.content.decode()
        detail = clients[role].get(f"{API}/organisations/{world[own].pk}")
        assert NOTE not in detail.content.decode() and "internal_notes" not in detail.json()


def test_staff_see_every_organisation_with_internal_notes(world, clients):
    body = clients["staff"].get(f"{API}/organisations").json()
    assert body["count"] == 3
    alpha = next(o for o in body["results"] if o["id"] == world["org_a"].pk)
    assert alpha["internal_notes"] == NOTE and alpha["is_member"] is True
    assert alpha["sites"][0]["postal_code"] == "5000"


def test_staff_see_people_notes_and_membership_fees(world, clients):
    people = clients["staff"].get(f"{API}/people?q=anna").json()
    assert people["count"] == 1 and people["results"][0]["notes"] == PERSON_NOTE
    assert people["results"][0]["affiliations"][0]["organisation_id"] == world["org_a"].pk
    memberships = clients["staff"].get(f"{API}/memberships?organisation={world['org_a'].pk}").json()
    assert memberships["results"][0]["yearly_fee"] == FEE
    assert memberships["results"][0]["notes"] == MEMBERSHIP_NOTE
    assert clients["staff"].get(f"{API}/memberships?current=false").json()["count"] == 0
    assert clients["staff"].get(f"{API}/memberships?current=true").json()["count"] == 2


def test_public_directory_lists_consenting_members_with_public_fields_only(world, client):
    response = client.get(f"{API}/public/organisations")
    body = response.json()
    assert [o["slug"] for o in body["results"]] == [world["org_a"].slug]  # not org_b (no consent), not Gamma
    text = response.content.decode()
    for secret in (NOTE, PERSON_NOTE, MEMBERSHIP_NOTE, FEE, "4321", "anna@alpha.test", "0403019261"):
        assert secret not in text
    assert set(body["results"][0]) == {
        "slug", "name", "acronym", "kind", "website", "description", "municipalities", "nace",
        "segments", "competences", "transitions",
    }  # fmt: skip


def test_public_directory_is_rate_limited_per_ip(world, client):
    cache.clear()
    statuses = [client.get(f"{API}/public/organisations").status_code for _ in range(125)]
    assert statuses[:120] == [200] * 120
    assert statuses[-1] == 429
    response = client.get(f"{API}/public/organisations")
    assert response.json()["reason"] == "rate_limited" and int(response["Retry-After"]) > 0
    other_ip = client.get(f"{API}/public/organisations", REMOTE_ADDR="10.9.8.7")
    assert other_ip.status_code == 200


def test_pagination_and_ordering(world, clients):
    first = clients["staff"].get(f"{API}/organisations?page_size=2&ordering=-name").json()
    assert first["count"] == 3 and first["pages"] == 2 and first["page"] == 1
    second = clients["staff"].get(f"{API}/organisations?page_size=2&page=2&ordering=-name").json()
    names = [o["name"] for o in first["results"] + second["results"]]
    assert names == sorted(names, reverse=True) and len(set(names)) == 3
    beyond = clients["staff"].get(f"{API}/organisations?page_size=2&page=3")
    assert beyond.status_code == 404 and beyond.json()["reason"] == "page_out_of_range"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=alpha", {"Alpha Matériaux"}),
        ("q=beta", {"Béton Bêta"}),
        ("kind=research_centre", {"Gamma Recherche"}),
        ("province=20001", set()),
        ("status=member", {"Alpha Matériaux", "Béton Bêta"}),
        ("status=non_member", {"Gamma Recherche"}),
        ("value_chain=nothing-here", set()),
    ],
)
def test_filters_match_the_workspace(world, clients, query, expected):
    body = clients["staff"].get(f"{API}/organisations?{query}").json()
    assert {o["name"] for o in body["results"]} == expected


def test_province_filter_uses_the_site_province(world, clients):
    namur = world["org_a"].sites.get().municipality.province.nis
    body = clients["staff"].get(f"{API}/organisations?province={namur}").json()
    assert {o["name"] for o in body["results"]} == {"Alpha Matériaux"}


def test_etag_gives_304_until_the_data_changes(world, clients):
    url = f"{API}/organisations/{world['org_a'].pk}"
    first = clients["staff"].get(url)
    etag = first["ETag"]
    assert clients["staff"].get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # The member's view of the same URL is a different representation: a different tag.
    assert clients["member_a"].get(url)["ETag"] != etag
    services.organisation_update(actor=None, organisation=world["org_a"], acronym="ALM")
    changed = clients["staff"].get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    public = clients["anonymous"].get(f"{API}/public/organisations")
    assert clients["anonymous"].get(f"{API}/public/organisations", HTTP_IF_NONE_MATCH=public["ETag"]).status_code == 304


BAD = [
    "/organisations?page=0",
    "/organisations?page=abc",
    "/organisations?page_size=100000",
    "/organisations?kind=spaceship",
    "/organisations?province=Namur",
    "/organisations?nace=%27%3B--",
    "/organisations?status=everything",
    "/organisations?value_chain=%00",
    "/organisations?segment=-4",
    "/organisations?ordering=internal_notes",
    "/organisations?q=" + "x" * 300,
    "/organisations/notanumber",
    "/organisations/99999999999999999999999",
    "/organisations?q=%00",
    "/organisations?q=a%01b",
    "/organisations?segment=99999999999999999999999",
    "/organisations/0",
    "/people/99999999999999999999999",
    "/people?q=%00",
    "/memberships?organisation=99999999999999999999",
    "/public/organisations?q=%00",
    "/people?page=-1",
    "/memberships?status=gold",
    "/memberships?current=perhaps",
    "/memberships?organisation=x",
    "/public/organisations?page_size=0",
    "/public/organisations?kind=%F0%9F%92%A5",
]


@pytest.mark.parametrize("path", BAD)
def test_bad_parameters_answer_4xx_with_a_reason_never_500(world, clients, path):
    response = clients["staff"].get(API + path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    if response["Content-Type"].startswith("application/json"):
        assert response.json()["reason"] in {"invalid", "not_found", "page_out_of_range"}


def test_unknown_ids_are_404_with_a_reason(world, clients):
    for path in ("/organisations/999999", "/people/999999"):
        response = clients["staff"].get(API + path)
        assert response.status_code == 404 and response.json()["reason"] == "not_found"


def test_list_query_count_does_not_grow_with_rows(world, clients, django_assert_max_num_queries):
    for n in range(10):
        services.organisation_create(actor=None, name=f"Extra {n}")
    with django_assert_max_num_queries(14):
        assert clients["staff"].get(f"{API}/organisations").json()["count"] == 13


def test_openapi_document_lists_the_ecosystem_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    for path in MATRIX:
        generic = path.replace("{a}", "{organisation_id}").replace("{b}", "{organisation_id}")
        assert "/api/v1/ecosystem" + generic.replace("{p}", "{person_id}") in paths
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
