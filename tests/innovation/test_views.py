"""Every innovation page, the API and the organisation panel, for every role; the portal idea flow."""

import datetime as dt
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from grappe.core.models import AuditEntry
from grappe.innovation import services
from grappe.innovation.models import FundingCall, InnovationProject, StageChange

from ..conftest import client_for
from .conftest import tick_gates

Stage = InnovationProject.Stage
ROLES = ("anonymous", "member_a", "member_b", "observer", "staff", "admin")


@pytest.fixture
def clients(db, member_a, member_b, observer_user, staff_user, admin_user) -> dict[str, Client]:
    return {
        "anonymous": Client(),
        "member_a": client_for(member_a),
        "member_b": client_for(member_b),
        "observer": client_for(observer_user),
        "staff": client_for(staff_user),
        "admin": client_for(admin_user),
    }


@pytest.fixture
def world(staff_user, org_a, org_b):
    """A consortium project of org_a with org_b as partner, a confidential one of org_a, a staff-only one."""
    shared = services.project_create(
        actor=staff_user,
        title="Béton bas carbone partagé",
        summary="Béton à base de granulats recyclés.",
        lead_organisation=org_a,
        internal_notes="NOTE-SECRETE-1",
    )
    services.partner_add(actor=staff_user, project=shared, organisation=org_b, role="sme")
    own = services.project_create(
        actor=staff_user, title="Isolation biosourcée Alpha", lead_organisation=org_a, internal_notes="NOTE-SECRETE-2"
    )
    hidden = services.project_create(
        actor=staff_user, title="Projet stratégique caché", lead_organisation=org_a, confidentiality="staff"
    )
    call = services.call_create(
        actor=staff_user,
        title="Appel matériaux",
        programme="Programme régional test",
        funder="Région",
        opens_on=dt.date.today() - dt.timedelta(days=10),
        closes_on=dt.date.today() + dt.timedelta(days=60),
    )
    return {"shared": shared, "own": own, "hidden": hidden, "call": call}


STAFF_PAGES = [
    ("innovation:board", lambda w: []),
    ("innovation:project_create", lambda w: []),
    ("innovation:project_detail", lambda w: [w["shared"].pk]),
    ("innovation:project_edit", lambda w: [w["shared"].pk]),
    ("innovation:call_list", lambda w: []),
    ("innovation:call_create", lambda w: []),
    ("innovation:call_detail", lambda w: [w["call"].pk]),
    ("innovation:call_edit", lambda w: [w["call"].pk]),
    ("innovation:support_list", lambda w: []),
]
EXPECTED_STAFF_PAGE = {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}


@pytest.mark.parametrize("name,args", STAFF_PAGES)
def test_staff_pages_answer_per_role(clients, world, name, args):
    url = reverse(name, args=args(world))
    for role in ROLES:
        response = clients[role].get(url)
        assert response.status_code == EXPECTED_STAFF_PAGE[role], (role, url)


def test_staff_writes_are_refused_to_everyone_else(clients, world):
    shared = world["shared"]
    url = reverse("innovation:project_move", args=[shared.pk])
    for role in ("anonymous", "member_a", "member_b", "observer"):
        clients[role].post(url, {"to_stage": Stage.ABANDONED, "reason": "x"})
    shared.refresh_from_db()
    assert shared.stage == Stage.IDEA


def test_the_board_shows_every_project_with_move_buttons_and_the_funnel(clients, world):
    response = clients["staff"].get(reverse("innovation:board"))
    html = response.content.decode()
    for project in ("shared", "own", "hidden"):
        assert f'id="project-{world[project].pk}"' in html and 'tabindex="0"' in html
    assert "émergence →" in html and "Entonnoir" in html


def test_the_board_filters_by_organisation_and_transition(clients, world, org_b, staff_user):
    services.project_update(actor=staff_user, project=world["own"], transitions=["digital"])
    html = clients["staff"].get(reverse("innovation:board"), {"organisation": org_b.pk}).content.decode()
    assert world["shared"].title in html and world["own"].title not in html
    html = clients["staff"].get(reverse("innovation:board"), {"transition": "digital"}).content.decode()
    assert world["own"].title in html and world["shared"].title not in html


def test_moving_on_the_board_with_htmx_returns_the_board_with_the_refusal_or_the_move(clients, world):
    project = world["own"]
    url = reverse("innovation:project_move", args=[project.pk])
    response = clients["staff"].post(url, {"to_stage": Stage.EMERGENCE}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "grille" in response.content.decode()
    tick_gates(project, Stage.IDEA)
    response = clients["staff"].post(url, {"to_stage": Stage.EMERGENCE}, HTTP_HX_REQUEST="true")
    assert f'data-focus="project-{project.pk}"' in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.EMERGENCE
    assert StageChange.objects.filter(project=project, to_stage=Stage.EMERGENCE).count() == 1


def test_moving_without_htmx_redirects_and_reports_the_refusal(clients, world):
    project = world["own"]
    response = clients["staff"].post(
        reverse("innovation:project_move", args=[project.pk]), {"to_stage": Stage.ABANDONED}, follow=True
    )
    assert "Indiquez pourquoi le projet est abandonné." in response.content.decode()


def test_stalled_projects_use_the_days_given_in_the_filter(clients, world):
    InnovationProject.objects.filter(pk=world["own"].pk).update(stage_entered_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    html = clients["staff"].get(reverse("innovation:board"), {"stalled": "30"}).content.decode()
    section = html.split('id="stalled-h"')[1]
    assert world["own"].title in section and world["shared"].title not in section


def test_the_project_page_shows_gates_history_calls_and_private_notes_to_staff(clients, world):
    html = clients["staff"].get(reverse("innovation:project_detail", args=[world["shared"].pk])).content.decode()
    assert "Idée reformulée avec le porteur" in html and "Appel matériaux" in html and "NOTE-SECRETE-1" in html


def test_staff_create_and_edit_a_project_through_the_forms(clients, world, org_b):
    response = clients["staff"].post(
        reverse("innovation:project_create"),
        {"title": "Nouveau", "lead_organisation": org_b.pk, "confidentiality": "consortium", "needed_nace": "43.11"},
    )
    project = InnovationProject.objects.get(title="Nouveau")
    assert response.status_code == 302 and list(project.needed_nace.values_list("code", flat=True)) == ["4311"]
    response = clients["staff"].post(
        reverse("innovation:project_edit", args=[project.pk]),
        {"title": "Nouveau", "confidentiality": "consortium", "budget": "100", "funding_obtained": "150"},
    )
    assert "Le financement obtenu dépasse le budget du projet." in response.content.decode()
    project.refresh_from_db()
    assert project.budget is None


def test_a_call_form_refuses_a_close_date_before_the_open_date(clients, world):
    response = clients["staff"].post(
        reverse("innovation:call_create"),
        {
            "title": "Mauvais",
            "programme": "P",
            "funder": "F",
            "level": "regional",
            "opens_on": "2026-05-01",
            "closes_on": "2026-04-01",
            "min_partners": "1",
        },
    )
    assert response.status_code == 200
    assert "La date de clôture doit suivre la date d'ouverture." in unescape(response.content.decode())
    assert not FundingCall.objects.filter(title="Mauvais").exists()


def _call_post(call: FundingCall, **changes: str) -> dict[str, str]:
    data = {
        "title": call.title,
        "programme": call.programme,
        "funder": call.funder,
        "level": call.level,
        "opens_on": call.opens_on.isoformat(),
        "closes_on": call.closes_on.isoformat(),
        "min_partners": str(call.min_partners),
        "countries": "BE, FR",
        "trl_min": "3",
        "trl_max": "6",
    }
    return {**data, **changes}


def test_staff_edit_a_call_its_moved_closing_date_and_eligibility_are_saved_and_audited(clients, world):
    call = world["call"]
    url = reverse("innovation:call_edit", args=[call.pk])
    page = clients["staff"].get(url).content.decode()
    assert 'value="Appel matériaux"' in page and call.opens_on.isoformat() in page
    new_close = call.closes_on + dt.timedelta(days=14)
    response = clients["staff"].post(url, _call_post(call, closes_on=new_close.isoformat(), smes_required="on"))
    assert response.status_code == 302 and response["Location"] == reverse("innovation:call_detail", args=[call.pk])
    call.refresh_from_db()
    assert call.closes_on == new_close and call.smes_required and (call.trl_min, call.trl_max) == (3, 6)
    assert [str(c) for c in call.countries] == ["BE", "FR"]
    entry = AuditEntry.objects.filter(action="innovation.call.updated").get()
    assert entry.changes["closes_on"][1] == new_close.isoformat()
    # The form shows the saved countries again, comma-separated.
    assert 'value="BE, FR"' in clients["staff"].get(url).content.decode()


def test_editing_a_call_refuses_a_close_date_before_the_open_date_and_keeps_the_call(clients, world):
    call = world["call"]
    before = call.closes_on
    bad = call.opens_on - dt.timedelta(days=1)
    response = clients["staff"].post(
        reverse("innovation:call_edit", args=[call.pk]), _call_post(call, closes_on=bad.isoformat())
    )
    assert response.status_code == 200
    assert "La date de clôture doit suivre la date d'ouverture." in unescape(response.content.decode())
    call.refresh_from_db()
    assert call.closes_on == before


def test_only_staff_can_post_a_call_edit(clients, world):
    call = world["call"]
    for role in ("anonymous", "member_a", "member_b", "observer"):
        clients[role].post(reverse("innovation:call_edit", args=[call.pk]), _call_post(call, title="Piraté"))
    call.refresh_from_db()
    assert call.title == "Appel matériaux"


@pytest.mark.parametrize(
    "project,expected",
    [
        ("shared", {"member_a": 200, "member_b": 200}),
        ("own", {"member_a": 200, "member_b": 404}),
        ("hidden", {"member_a": 404, "member_b": 404}),
    ],
)
def test_portal_project_pages_follow_the_consortium_and_confidentiality(clients, world, project, expected):
    url = reverse("innovation:portal_project", args=[world[project].pk])
    for role, status in {**expected, "anonymous": 302, "observer": 403, "staff": 403, "admin": 403}.items():
        assert clients[role].get(url).status_code == status, (role, project)


def test_the_portal_lists_only_visible_projects_without_internal_notes(clients, world):
    html_a = clients["member_a"].get(reverse("innovation:portal_home")).content.decode()
    html_b = clients["member_b"].get(reverse("innovation:portal_home")).content.decode()
    assert world["shared"].title in html_a and world["own"].title in html_a
    assert world["hidden"].title not in html_a and "NOTE-SECRETE" not in html_a
    assert world["shared"].title in html_b and world["own"].title not in html_b


def test_a_member_submits_an_idea_that_becomes_a_confidential_project_at_stage_idea(clients, world, org_a, member_a):
    url = reverse("innovation:portal_submit")
    response = clients["member_a"].post(
        url, {"kind": "idea", "organisation": org_a.pk, "title": "Idée", "summary": "court"}
    )
    assert response.status_code == 200 and "20 caractères" in response.content.decode()
    response = clients["member_a"].post(
        url,
        {
            "kind": "help",
            "organisation": org_a.pk,
            "title": "Briques de réemploi",
            "summary": "Nous voulons requalifier des briques de démolition pour nos chantiers.",
        },
    )
    project = InnovationProject.objects.get(title="Briques de réemploi")
    assert response.status_code == 302 and response["Location"] == reverse(
        "innovation:portal_project", args=[project.pk]
    )
    assert (project.stage, project.lead_organisation, project.origin, project.submitted_by) == (
        Stage.IDEA,
        org_a,
        "portal_help",
        member_a,
    )
    assert project.confidentiality == "consortium"
    assert clients["member_b"].get(response["Location"]).status_code == 404


def test_a_member_cannot_submit_for_another_organisation(clients, world, org_b):
    response = clients["member_a"].post(
        reverse("innovation:portal_submit"),
        {"kind": "idea", "organisation": org_b.pk, "title": "Pour B", "summary": "Une idée pour une autre entreprise."},
    )
    assert response.status_code == 200
    assert not InnovationProject.objects.filter(title="Pour B").exists()


def test_the_portal_is_for_member_users_only(clients, world):
    for url in (reverse("innovation:portal_home"), reverse("innovation:portal_submit")):
        expected = {"anonymous": 302, "member_a": 200, "member_b": 200, "observer": 403, "staff": 403, "admin": 403}
        for role, status in expected.items():
            assert clients[role].get(url).status_code == status, (role, url)


def test_the_organisation_panel_follows_org_view_then_project_confidentiality(clients, world, org_a, org_b):
    panel_a = reverse("innovation:organisation_panel", args=[org_a.pk])
    panel_b = reverse("innovation:organisation_panel", args=[org_b.pk])
    for role, status in {"anonymous": 403, "member_b": 403, "observer": 403}.items():
        assert clients[role].get(panel_a).status_code == status, role
    html = clients["member_a"].get(panel_a).content.decode()
    assert world["shared"].title in html and world["own"].title in html and world["hidden"].title not in html
    html = clients["member_b"].get(panel_b).content.decode()
    assert world["shared"].title in html and world["own"].title not in html
    for role in ("staff", "admin"):
        html = clients[role].get(panel_a).content.decode()
        assert world["hidden"].title in html


def test_the_api_enforces_roles_and_confidentiality(clients, world):
    url = "/api/v1/innovation/projects"
    assert clients["anonymous"].get(url).status_code == 401
    assert clients["observer"].get(url).status_code == 403
    staff = clients["staff"].get(url).json()
    assert {p["title"] for p in staff} >= {world["shared"].title, world["hidden"].title}
    assert any(p.get("internal_notes") == "NOTE-SECRETE-1" for p in staff)
    member_b = clients["member_b"].get(url).json()
    assert [p["title"] for p in member_b] == [world["shared"].title]
    assert "internal_notes" not in member_b[0] and "confidentiality" not in member_b[0]
    for project, status in (("shared", 200), ("own", 404), ("hidden", 404)):
        assert clients["member_b"].get(f"{url}/{world[project].pk}").status_code == status
        assert clients["member_b"].get(f"{url}/{world[project].pk}/calls").status_code == status
    assert clients["member_a"].get(f"{url}/{world['hidden'].pk}").status_code == 404
    assert clients["admin"].get(f"{url}/{world['hidden'].pk}").status_code == 200


def test_the_api_rejects_bad_parameters_without_a_500(clients, world):
    for query in ("?stage=nope", "?limit=0", "?limit=abc", "?transition=x"):
        assert clients["staff"].get("/api/v1/innovation/projects" + query).status_code == 422
    assert clients["staff"].get("/api/v1/innovation/calls?status=x").status_code == 422
    assert clients["staff"].get("/api/v1/innovation/projects/999999").status_code == 404
    calls = clients["member_a"].get("/api/v1/innovation/calls").json()
    assert [c["title"] for c in calls] == ["Appel matériaux"]


def test_support_actions_are_logged_from_the_support_page(clients, world, staff_user):
    response = clients["staff"].post(
        reverse("innovation:support_list"),
        {"kind": "coaching", "date": "2026-01-15", "hours": "1.5", "project": world["shared"].pk},
    )
    assert response.status_code == 302
    action = world["shared"].support_actions.get()
    assert (action.hours, action.staff) == (Decimal("1.50"), staff_user)
    response = clients["staff"].post(
        reverse("innovation:support_list"), {"kind": "coaching", "date": "2026-01-15", "hours": "2"}
    )
    assert response.status_code == 200 and "Indiquez le projet ou l'organisation accompagnée." in unescape(
        response.content.decode()
    )


# --- query counts: list, board and detail pages do not grow with the data ----------------------------


def _grow(staff_user, org_a, org_b, research_centre, n: int, tag: str) -> InnovationProject:
    """``n`` more projects, each with a partner, a support action, an outcome and a document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = None
    for i in range(n):
        project = services.project_create(
            actor=staff_user,
            title=f"Projet {tag}-{i}",
            summary="Béton bas carbone et granulats recyclés.",
            lead_organisation=org_a,
            owner=staff_user,
        )
        services.partner_add(actor=staff_user, project=project, organisation=org_b, role="sme")
        services.partner_add(actor=staff_user, project=project, organisation=research_centre, role="research")
        services.support_action_log(
            actor=staff_user, kind="coaching", date=dt.date(2026, 1, 5), hours=2, project=project
        )
        services.valorisation_record(
            actor=staff_user, project=project, kind="product", title=f"Produit {i}", date=dt.date(2026, 1, 6)
        )
        services.document_add(
            actor=staff_user, project=project, title=f"Doc {i}", upload=SimpleUploadedFile("d.pdf", b"%PDF-1.7")
        )
        services.call_create(
            actor=staff_user,
            title=f"Appel {tag}-{i}",
            programme="P",
            funder="F",
            opens_on=dt.date.today() - dt.timedelta(days=5),
            closes_on=dt.date.today() + dt.timedelta(days=40 + i),
        )
    return project


def _pages(world, project, org_a):
    return [
        ("staff", reverse("innovation:board"), 10),
        ("staff", reverse("innovation:call_list"), 6),
        ("staff", reverse("innovation:call_detail", args=[world["call"].pk]), 10),
        ("staff", reverse("innovation:support_list"), 10),
        ("staff", reverse("innovation:project_detail", args=[project.pk]), 20),
        ("staff", reverse("innovation:project_documents", args=[project.pk]), 6),
        ("staff", reverse("innovation:organisation_panel", args=[org_a.pk]), 8),
        ("staff", "/api/v1/innovation/projects", 7),
        ("member_a", reverse("innovation:portal_home"), 11),
        ("member_a", reverse("innovation:portal_project", args=[project.pk]), 14),
        ("member_a", reverse("innovation:portal_documents", args=[project.pk]), 8),
    ]


def test_list_board_and_detail_pages_run_a_fixed_number_of_queries(
    clients, world, staff_user, org_a, org_b, research_centre, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measure(project):
        counts = {}
        for index, (role, url, limit) in enumerate(_pages(world, project, org_a)):
            clients[role].get(url)  # warm the session and caches
            with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as queries:
                assert clients[role].get(url).status_code == 200, url
            counts[index] = len(queries)  # the same page for a small and a large project
        return counts

    small = measure(_grow(staff_user, org_a, org_b, research_centre, 2, "a"))
    large = measure(_grow(staff_user, org_a, org_b, research_centre, 12, "b"))
    assert small == large


def test_the_api_accepts_personal_tokens_with_the_innovation_scope(world, member_b, staff_user):
    from grappe.accounts.tokens import token_create

    _token, secret = token_create(actor=member_b, user=member_b, name="ERP", scopes=["innovation:read"])
    _other, wrong_scope = token_create(actor=member_b, user=member_b, name="Annuaire", scopes=["ecosystem:read"])
    client = Client()
    response = client.get("/api/v1/innovation/projects", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and [p["title"] for p in response.json()] == [world["shared"].title]
    assert "internal_notes" not in response.json()[0]
    refused = client.get("/api/v1/innovation/projects", HTTP_AUTHORIZATION=f"Bearer {wrong_scope}")
    assert refused.status_code == 403 and refused.json()["reason"] == "missing_scope"
    assert client.get("/api/v1/innovation/calls", HTTP_AUTHORIZATION="Bearer grp_nope_nope").status_code == 401
    _staff, staff_secret = token_create(actor=staff_user, user=staff_user, name="BI", scopes=["innovation:read"])
    hidden = client.get(
        f"/api/v1/innovation/projects/{world['hidden'].pk}", HTTP_AUTHORIZATION=f"Bearer {staff_secret}"
    )
    assert hidden.status_code == 200 and hidden.json()["confidentiality"] == "staff"


def test_the_api_answers_422_for_out_of_range_ids(clients, world):
    huge = str(2**64)
    for path in (f"/projects/{huge}", f"/projects/{huge}/calls", f"/calls/{huge}", "/projects/0"):
        assert clients["staff"].get("/api/v1/innovation" + path).status_code == 422, path
    assert clients["staff"].get("/api/v1/innovation/projects", {"organisation": huge}).status_code == 422


def test_the_api_reads_carry_an_etag_and_answer_304_when_unchanged(clients, world, staff_user):
    shared = world["shared"].pk
    for path in (
        "/projects",
        f"/projects/{shared}",
        f"/projects/{shared}/calls",
        "/calls",
        f"/calls/{world['call'].pk}",
    ):
        first = clients["member_b"].get("/api/v1/innovation" + path)
        assert first.status_code == 200, path
        again = clients["member_b"].get("/api/v1/innovation" + path, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b"", path
    etag = clients["member_b"].get(f"/api/v1/innovation/projects/{shared}")["ETag"]
    services.project_update(actor=staff_user, project=world["shared"], title="Béton bas carbone partagé (v2)")
    changed = clients["member_b"].get(f"/api/v1/innovation/projects/{shared}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["title"] == "Béton bas carbone partagé (v2)"


# --- every staff write, for every role ----------------------------------------------------------------


def _writes(world, org_b):
    """(url, data, what changed) for each staff-only POST view."""
    from grappe.innovation.models import GateChecklistItem, ProjectPartner

    own = world["own"]
    item = GateChecklistItem.objects.filter(project=own).first()
    return [
        (
            reverse("innovation:partner_add", args=[own.pk]),
            {"organisation": org_b.pk, "role": "sme"},
            lambda: own.partners.filter(organisation=org_b).exists(),
        ),
        (
            reverse("innovation:partner_invite", args=[own.pk]),
            {"organisation": org_b.pk, "reason": "Essais"},
            lambda: __import__("grappe.partnerships.models", fromlist=["x"]).Introduction.objects.exists(),
        ),
        (
            reverse("innovation:checklist_toggle", args=[own.pk, item.pk]),
            {"done": "1"},
            lambda: GateChecklistItem.objects.get(pk=item.pk).done,
        ),
        (
            reverse("innovation:checklist_add", args=[own.pk]),
            {"stage": "idea", "label": "Visite", "mandatory": "on"},
            lambda: own.checklist.filter(label="Visite").exists(),
        ),
        (
            reverse("innovation:outcome_add", args=[own.pk]),
            {"kind": "product", "title": "Panneau", "date": "2026-01-10", "jobs_created": "1"},
            lambda: own.outcomes.exists(),
        ),
        (
            reverse(
                "innovation:partner_remove",
                args=[world["shared"].pk, ProjectPartner.objects.get(project=world["shared"], role="sme").pk],
            ),
            {},
            lambda: not world["shared"].partners.filter(role="sme").exists(),
        ),
    ]


def test_every_staff_write_is_refused_to_other_roles_and_works_for_staff(clients, world, org_b):
    for url, data, changed in _writes(world, org_b):
        for role, status in {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403}.items():
            assert clients[role].post(url, data).status_code == status, (role, url)
            assert not changed(), (role, url)
        assert clients["staff"].post(url, data).status_code == 302, url
        assert changed(), url


def test_story_drafts_are_for_staff_only(clients, world, staff_user):
    project = world["shared"]
    tick_gates(project, Stage.IDEA, Stage.EMERGENCE, Stage.ELABORATION, Stage.SUBMITTED)
    services.project_update(actor=staff_user, project=project, funding_obtained=Decimal("1000"))
    services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.FUNDED)
    create = reverse("innovation:story_create", args=[project.pk])
    for role in ("anonymous", "member_a", "member_b", "observer"):
        clients[role].post(create)
    assert not project.story_drafts.exists()
    response = clients["admin"].post(create)
    draft = project.story_drafts.get()
    assert response["Location"] == reverse("innovation:story_detail", args=[draft.pk])
    url = reverse("innovation:story_detail", args=[draft.pk])
    for role in ROLES:
        assert clients[role].get(url).status_code == EXPECTED_STAFF_PAGE[role], role
