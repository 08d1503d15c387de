"""Pages and API: every view × role, the portal request flow end to end, privacy of PRIVATE fields."""

import datetime as dt
import html
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.ecosystem import services as eco
from grappe.innovation import services as innovation
from grappe.partnerships import services
from grappe.partnerships.models import Interaction, IntroductionRequest
from tests.conftest import client_for

SENTINELS = {
    "collaboration": "SENTINEL-COLLAB-NOTES",
    "internal_collaboration": "SENTINEL-INTERNAL-COLLAB-TITLE",
    "introduction": "SENTINEL-INTRO-NOTES",
    "internal_introduction": "SENTINEL-INTERNAL-INTRO-REASON",
    "interaction": "SENTINEL-INTERACTION-NOTES",
    "internal_interaction": "SENTINEL-INTERNAL-INTERACTION-SUMMARY",
    "request": "SENTINEL-REQUEST-STAFF-NOTES",
    "document": "SENTINEL-INTERNAL-DOCUMENT",
    "staff_only_project": "SENTINEL-STAFF-ONLY-PROJECT",
    "stage_reason": "SENTINEL-STAGE-REASON",
}


@pytest.fixture
def world(org_a, org_b, university, staff_user, member_a, member_b, settings, tmp_path):
    """Records of org A with a sentinel string in every PRIVATE field and in every internal row."""
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    public = services.collaboration_create(
        actor=staff_user,
        title="Granulats recyclés",
        kind="rd_project",
        partners=[(org_a, "lead"), (university, "research")],
        status="active",
        start_date=today - dt.timedelta(days=30),
        internal_notes=SENTINELS["collaboration"],
    )
    services.collaboration_add_document(
        actor=staff_user,
        collaboration=public,
        title=SENTINELS["document"],
        url="https://example.org/x",
        is_internal=True,
    )
    services.collaboration_add_document(
        actor=staff_user, collaboration=public, title="Convention signée", url="https://example.org/c"
    )
    internal = services.collaboration_create(
        actor=staff_user,
        title=SENTINELS["internal_collaboration"],
        kind="commercial",
        partners=[org_a, org_b],
        is_internal=True,
    )
    introduction = services.introduction_create(
        actor=staff_user,
        organisation_a=org_a,
        organisation_b=university,
        reason="Essais de résistance",
        notes=SENTINELS["introduction"],
        follow_up_on=today,
    )
    services.introduction_create(
        actor=staff_user,
        organisation_a=org_a,
        organisation_b=org_b,
        reason=SENTINELS["internal_introduction"],
        is_internal=True,
    )
    services.interaction_log(
        actor=staff_user,
        organisation=org_a,
        kind="visit",
        date=today,
        summary="Visite de l'atelier",
        notes=SENTINELS["interaction"],
    )
    services.interaction_log(
        actor=staff_user,
        organisation=org_a,
        kind="call",
        date=today,
        summary=SENTINELS["internal_interaction"],
        is_internal=True,
    )
    request = services.introduction_request_submit(
        actor=member_a, organisation=org_a, needs="Un laboratoire pour tester des bétons recyclés."
    )
    services.introduction_request_assign(actor=staff_user, request=request, owner=staff_user)
    IntroductionRequest.objects.filter(pk=request.pk).update(staff_notes=SENTINELS["request"])
    project = innovation.project_create(
        actor=staff_user, title="Briques de réemploi", lead_organisation=university, confidentiality="consortium"
    )
    innovation.partner_add(actor=staff_user, project=project, organisation=org_a, role="sme")
    innovation.project_move_stage(
        actor=staff_user, project=project, to_stage="abandoned", reason=SENTINELS["stage_reason"]
    )
    innovation.project_create(
        actor=staff_user, title=SENTINELS["staff_only_project"], lead_organisation=org_a, confidentiality="staff"
    )
    return {
        "public": public,
        "internal": internal,
        "introduction": introduction,
        "request": request,
        "org_a": org_a,
        "project": project,
    }


def body(response) -> str:
    return html.unescape(response.content.decode())


ROLES = ("anonymous", "member_a", "member_b", "observer", "staff", "admin")


@pytest.fixture
def clients(staff_user, admin_user, observer_user, member_a, member_b) -> dict[str, Client]:
    return {
        "anonymous": Client(),
        "member_a": client_for(member_a),
        "member_b": client_for(member_b),
        "observer": client_for(observer_user),
        "staff": client_for(staff_user),
        "admin": client_for(admin_user),
    }


def staff_pages(world) -> list[str]:
    public, org_a = world["public"], world["org_a"]
    return [
        reverse("partnerships:collaboration_list"),
        reverse("partnerships:collaboration_create"),
        reverse("partnerships:collaboration_detail", args=[public.pk]),
        reverse("partnerships:collaboration_edit", args=[public.pk]),
        reverse("partnerships:introduction_list"),
        reverse("partnerships:introduction_create"),
        reverse("partnerships:introduction_detail", args=[world["introduction"].pk]),
        reverse("partnerships:request_list"),
        reverse("partnerships:request_detail", args=[world["request"].pk]),
        reverse("partnerships:organisation_interactions", args=[org_a.pk]),
        reverse("partnerships:follow_ups"),
    ]


STAFF_EXPECTED = {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}


def test_staff_pages_for_every_role(world, clients):
    for url in staff_pages(world):
        for role in ROLES:
            response = clients[role].get(url)
            assert response.status_code == STAFF_EXPECTED[role], (url, role, response.status_code)
            if role == "anonymous":
                assert "/login" in response["Location"] or "login" in response["Location"]


def test_staff_pages_show_private_notes_to_staff(world, clients):
    detail = clients["staff"].get(reverse("partnerships:collaboration_detail", args=[world["public"].pk]))
    assert SENTINELS["collaboration"] in body(detail)
    partners = body(detail).split("Alpha Matériaux</a>")[1].split("</li>")[0]  # org A is a member
    assert "chef de file" in partners and ">membre<" in partners
    assert ">non-membre<" in body(detail).split("Université de Liège</a>")[1].split("</li>")[0]
    assert SENTINELS["document"] in body(detail)
    intro = clients["admin"].get(reverse("partnerships:introduction_detail", args=[world["introduction"].pk]))
    assert SENTINELS["introduction"] in body(intro)
    log = clients["staff"].get(reverse("partnerships:organisation_interactions", args=[world["org_a"].pk]))
    assert SENTINELS["interaction"] in body(log) and SENTINELS["internal_interaction"] in body(log)
    request = clients["staff"].get(reverse("partnerships:request_detail", args=[world["request"].pk]))
    assert SENTINELS["request"] in body(request)


def test_staff_post_actions_for_every_role(world, clients, org_b):
    public = world["public"]
    expected = {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403}
    for role, status in expected.items():
        response = clients[role].post(
            reverse("partnerships:collaboration_add_partner", args=[public.pk]),
            {"partner-organisation": org_b.pk, "partner-role": "partner"},
        )
        assert response.status_code == status, role
    assert public.partners.count() == 2
    response = clients["staff"].post(
        reverse("partnerships:collaboration_add_partner", args=[public.pk]),
        {"partner-organisation": org_b.pk, "partner-role": "funder"},
    )
    assert response.status_code == 302
    assert public.partners.filter(organisation=org_b, role="funder").exists()


def timeline_url(world) -> str:
    return reverse("partnerships:organisation_timeline", args=[world["org_a"].pk])


def test_timeline_panel_for_every_role(world, clients):
    expected = {"anonymous": 403, "member_a": 200, "member_b": 403, "observer": 403, "staff": 200, "admin": 200}
    for role in ROLES:
        assert clients[role].get(timeline_url(world)).status_code == expected[role], role


def test_timeline_contents_for_staff_include_internal_rows_and_notes(world, clients):
    page = body(clients["staff"].get(timeline_url(world)))
    for key in ("collaboration", "internal_collaboration", "introduction", "internal_introduction", "interaction"):
        assert SENTINELS[key] in page, key
    assert "Granulats recyclés" in page and "Visite de l'atelier" in page
    assert "Début d'adhésion" in page
    assert "Engagement sur 12 mois" in page


def test_timeline_for_the_member_shows_their_visible_history_only(world, clients):
    page = body(clients["member_a"].get(timeline_url(world)))
    assert "Granulats recyclés" in page
    assert "Visite de l'atelier" in page
    assert "Essais de résistance" in page
    assert "Un laboratoire pour tester" in page
    for sentinel in SENTINELS.values():
        assert sentinel not in page


def test_timeline_shows_innovation_projects_to_staff_with_reasons_and_staff_only_ones(world, clients):
    page = body(clients["staff"].get(timeline_url(world), {"kind": "project"}))
    assert "Projet « Briques de réemploi » ouvert à l'étape « idée »" in page
    assert "Projet « Briques de réemploi » passé à l'étape « abandonné »" in page
    assert "Rôle de l'organisation : PME. Étape actuelle : abandonné." in page
    assert SENTINELS["stage_reason"] in page and SENTINELS["staff_only_project"] in page
    assert reverse("innovation:project_detail", args=[world["project"].pk]) in page
    assert "Visite de l'atelier" not in page  # only the kind asked


def test_timeline_shows_the_member_its_consortium_projects_only(world, clients):
    page = body(clients["member_a"].get(timeline_url(world)))
    assert "Projet « Briques de réemploi » passé à l'étape « abandonné »" in page
    assert reverse("innovation:portal_project", args=[world["project"].pk]) in page
    assert SENTINELS["staff_only_project"] not in page and SENTINELS["stage_reason"] not in page


def test_timeline_filters_by_kind_and_period(world, clients):
    url = timeline_url(world)
    only_interactions = body(clients["staff"].get(url, {"kind": "interaction"}))
    assert "Visite de l'atelier" in only_interactions
    assert "Granulats recyclés" not in only_interactions
    past = body(clients["staff"].get(url, {"start": "2001-01-01", "end": "2001-12-31"}))
    assert "Visite de l'atelier" not in past
    nonsense = clients["staff"].get(url, {"kind": "nope", "start": "31/12/2020"})
    assert nonsense.status_code == 200


PORTAL_EXPECTED = {"anonymous": 302, "member_a": 200, "member_b": 200, "observer": 403, "staff": 403, "admin": 403}


def test_portal_pages_for_every_role(world, clients):
    for url in (reverse("partnerships:portal_home"), reverse("partnerships:portal_request_create")):
        for role in ROLES:
            assert clients[role].get(url).status_code == PORTAL_EXPECTED[role], (url, role)


def test_portal_collaboration_is_visible_to_partner_members_only(world, clients):
    public, internal = world["public"], world["internal"]
    url = reverse("partnerships:portal_collaboration", args=[public.pk])
    expected = {"anonymous": 302, "member_a": 200, "member_b": 404, "observer": 403, "staff": 403, "admin": 403}
    for role in ROLES:
        assert clients[role].get(url).status_code == expected[role], role
    page = body(clients["member_a"].get(url))
    assert "Convention signée" in page
    assert "facilitée par le cluster" in page  # the cluster's role
    for sentinel in SENTINELS.values():
        assert sentinel not in page
    assert clients["member_a"].get(reverse("partnerships:portal_collaboration", args=[internal.pk])).status_code == 404


def test_portal_home_never_shows_private_or_internal_data(world, clients):
    page_a = body(clients["member_a"].get(reverse("partnerships:portal_home")))
    assert "Granulats recyclés" in page_a and "Essais de résistance" in page_a
    page_b = body(clients["member_b"].get(reverse("partnerships:portal_home")))
    assert "Granulats recyclés" not in page_b and "Un laboratoire" not in page_b
    for page in (page_a, page_b):
        for sentinel in SENTINELS.values():
            assert sentinel not in page


def test_member_organisation_page_with_its_panels_never_shows_private_data(world, clients):
    url = reverse("ecosystem:portal_organisation", args=[world["org_a"].pk])
    page = body(clients["member_a"].get(url))
    assert reverse("partnerships:organisation_timeline", args=[world["org_a"].pk]) in page
    for sentinel in SENTINELS.values():
        assert sentinel not in page


def test_public_pages_never_show_private_data(world, clients):
    for url in ("/", "/fr/", reverse("core:home")):
        response = clients["anonymous"].get(url, follow=True)
        for sentinel in SENTINELS.values():
            assert sentinel not in body(response)


def test_document_download_permissions(world, clients):
    internal_doc = world["public"].documents.get(is_internal=True)
    public_doc = world["public"].documents.get(is_internal=False)
    expected = {"anonymous": 403, "member_a": 302, "member_b": 404, "observer": 404, "staff": 302, "admin": 302}
    for role in ROLES:
        assert (
            clients[role].get(reverse("partnerships:document_download", args=[public_doc.pk])).status_code
            == (expected[role])
        ), role
    assert clients["member_a"].get(reverse("partnerships:document_download", args=[internal_doc.pk])).status_code == 404


def test_portal_request_flow_end_to_end(org_a, org_b, member_a, clients, staff_user):
    org_b.description = "Laboratoire d'essais sur bétons recyclés et granulats."
    org_b.save()
    bad = clients["member_a"].post(
        reverse("partnerships:portal_request_create"),
        {"organisation": org_a.pk, "needs": "trop court", "nace": "99.999"},
    )
    assert bad.status_code == 200
    assert "Code NACE inconnu" in body(bad)
    assert IntroductionRequest.objects.count() == 0
    foreign = clients["member_a"].post(
        reverse("partnerships:portal_request_create"),
        {"organisation": org_b.pk, "needs": "Un laboratoire d'essais pour bétons recyclés."},
    )
    assert foreign.status_code == 200 and IntroductionRequest.objects.count() == 0
    response = clients["member_a"].post(
        reverse("partnerships:portal_request_create"),
        {"organisation": org_a.pk, "needs": "Un laboratoire d'essais pour bétons recyclés.", "nace": "43.11"},
    )
    assert response.status_code == 302
    request = IntroductionRequest.objects.get()
    assert request.organisation == org_a and request.submitted_by == member_a
    queue = body(clients["staff"].get(reverse("partnerships:request_list")))
    assert "Un laboratoire d'essais" in queue
    detail = body(clients["staff"].get(reverse("partnerships:request_detail", args=[request.pk])))
    assert "Béton Bêta" in detail  # suggested
    introduce = reverse("partnerships:introduction_create") + f"?request={request.pk}&b={org_b.pk}"
    form = clients["staff"].get(introduce)
    assert form.status_code == 200
    created = clients["staff"].post(
        introduce,
        {
            "organisation_a": org_a.pk,
            "organisation_b": org_b.pk,
            "reason": "Essais de bétons recyclés",
            "channel": "email",
            "owner": staff_user.pk,
            "follow_up_on": (timezone.localdate() + dt.timedelta(days=14)).isoformat(),
            "request": request.pk,
        },
    )
    assert created.status_code == 302
    request.refresh_from_db()
    assert request.status == IntroductionRequest.Status.IN_PROGRESS
    assert request.introductions.count() == 1
    clients["staff"].post(
        reverse("partnerships:request_detail", args=[request.pk]),
        {"form": "resolve", "r-status": "done", "r-response": "Mise en relation faite avec Béton Bêta."},
    )
    request.refresh_from_db()
    assert request.status == IntroductionRequest.Status.DONE
    portal = body(clients["member_a"].get(reverse("partnerships:portal_home")))
    assert "Mise en relation faite avec Béton Bêta." in portal
    assert "Essais de bétons recyclés" in portal


def test_introduction_form_rejects_a_past_follow_up_with_a_message(org_a, org_b, clients, staff_user):
    response = clients["staff"].post(
        reverse("partnerships:introduction_create"),
        {
            "organisation_a": org_a.pk,
            "organisation_b": org_b.pk,
            "reason": "x",
            "channel": "email",
            "follow_up_on": "2001-01-01",
        },
    )
    assert response.status_code == 200
    assert "dans le passé" in body(response)


def test_collaboration_form_with_a_single_partner_shows_the_rule(org_a, clients):
    response = clients["staff"].post(
        reverse("partnerships:collaboration_create"),
        {
            "kind": "rd_project",
            "title": "Seule",
            "status": "explored",
            "cluster_role": "initiated",
            "partners-TOTAL_FORMS": "2",
            "partners-INITIAL_FORMS": "0",
            "partners-0-organisation": org_a.pk,
            "partners-0-role": "lead",
            "partners-1-organisation": "",
            "partners-1-role": "partner",
        },
    )
    assert response.status_code == 200
    assert "au moins deux partenaires" in body(response)


def test_collaboration_form_with_an_unknown_partner_says_so(org_a, clients):
    response = clients["staff"].post(
        reverse("partnerships:collaboration_create"),
        {
            "kind": "rd_project",
            "title": "Fantôme",
            "status": "explored",
            "cluster_role": "initiated",
            "partners-TOTAL_FORMS": "2",
            "partners-INITIAL_FORMS": "0",
            "partners-0-organisation": org_a.pk,
            "partners-0-role": "lead",
            "partners-1-organisation": "987654",
            "partners-1-role": "partner",
        },
    )
    assert response.status_code == 200
    assert "Cette organisation n'existe pas" in body(response)


def test_interaction_edit_page_for_every_role(world, clients):
    interaction = Interaction.objects.get(summary="Visite de l'atelier")
    url = reverse("partnerships:interaction_edit", args=[interaction.pk])
    for role in ROLES:
        assert clients[role].get(url).status_code == STAFF_EXPECTED[role], role
    page = body(clients["staff"].get(url))
    assert "Visite de l'atelier" in page and SENTINELS["interaction"] in page


def test_only_staff_can_edit_an_interaction(world, clients):
    interaction = Interaction.objects.get(summary="Visite de l'atelier")
    url = reverse("partnerships:interaction_edit", args=[interaction.pk])
    for role in ("anonymous", "member_a", "member_b", "observer"):
        clients[role].post(url, {"kind": "call", "date": "2026-01-01", "summary": "Piraté"})
    interaction.refresh_from_db()
    assert interaction.summary == "Visite de l'atelier"


def test_staff_edit_an_interaction_and_the_change_is_audited(world, clients, staff_user):
    interaction = Interaction.objects.get(summary="Visite de l'atelier")
    url = reverse("partnerships:interaction_edit", args=[interaction.pk])
    due = timezone.localdate() + dt.timedelta(days=7)
    data = {
        "kind": "visit",
        "date": interaction.date.isoformat(),
        "summary": "Visite de l'atelier et du stock",
        "notes": SENTINELS["interaction"],
        "next_action": "Envoyer l'offre",
        "next_action_due": due.isoformat(),
        "owner": staff_user.pk,
    }
    response = clients["admin"].post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:organisation_interactions", args=[world["org_a"].pk])
    interaction.refresh_from_db()
    assert (interaction.summary, interaction.next_action_due) == ("Visite de l'atelier et du stock", due)
    entry = AuditEntry.objects.filter(action="partnerships.interaction.updated", object_id=str(interaction.pk)).get()
    assert entry.organisation_id == world["org_a"].pk and "summary" in entry.changes


def test_an_interaction_edit_with_bad_input_shows_the_rule_and_changes_nothing(world, clients):
    interaction = Interaction.objects.get(summary="Visite de l'atelier")
    url = reverse("partnerships:interaction_edit", args=[interaction.pk])
    base = {"kind": "visit", "date": interaction.date.isoformat(), "summary": "Autre"}
    past = body(clients["staff"].post(url, {**base, "next_action": "Rappeler", "next_action_due": "2001-01-01"}))
    assert "dans le passé" in past
    orphan_due = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    orphan = body(clients["staff"].post(url, {**base, "next_action_due": orphan_due}))
    assert "Une échéance sans prochaine action" in orphan
    interaction.refresh_from_db()
    assert interaction.summary == "Visite de l'atelier"
    assert not AuditEntry.objects.filter(action="partnerships.interaction.updated").exists()


def test_interaction_log_page_records_an_exchange(org_a, clients):
    url = reverse("partnerships:organisation_interactions", args=[org_a.pk])
    response = clients["staff"].post(
        url, {"kind": "call", "date": timezone.localdate().isoformat(), "summary": "Appel de suivi", "notes": ""}
    )
    assert response.status_code == 302
    assert "Appel de suivi" in body(clients["staff"].get(url))


# --- API -----------------------------------------------------------------------------------------------


API = "/api/v1/partnerships"


def test_api_for_every_role(world, clients):
    expected = {"anonymous": 401, "member_a": 200, "member_b": 200, "observer": 403, "staff": 200, "admin": 200}
    for path in ("/collaborations", "/introductions", f"/collaborations/{world['public'].pk}"):
        for role in ROLES:
            status = clients[role].get(API + path).status_code
            wanted = 404 if (role == "member_b" and path.startswith("/collaborations/")) else expected[role]
            assert status == wanted, (path, role, status)


def test_api_members_see_their_non_internal_rows_without_private_fields(world, clients):
    for role in ("member_a", "member_b"):
        for path in ("/collaborations", "/introductions", f"/collaborations/{world['public'].pk}"):
            body = clients[role].get(API + path).content.decode()
            for sentinel in SENTINELS.values():
                assert sentinel not in body
            assert "internal_notes" not in body and '"notes"' not in body
    rows = clients["member_a"].get(API + "/collaborations").json()
    assert [r["title"] for r in rows] == ["Granulats recyclés"]
    assert clients["member_b"].get(API + "/collaborations").json() == []
    staff_rows = clients["staff"].get(API + "/collaborations").json()
    assert {r["title"] for r in staff_rows} == {"Granulats recyclés", SENTINELS["internal_collaboration"]}
    assert any(r["internal_notes"] == SENTINELS["collaboration"] for r in staff_rows)


def test_api_collaborations_carry_tags_countries_and_the_documents_each_role_may_see(world, clients, staff_user):
    services.collaboration_update(
        actor=staff_user,
        collaboration=world["public"],
        transition_digital=True,
        transition_environmental=True,
        missions=["m2", "m4"],
        foreign_countries=["NL"],
    )
    path = f"/collaborations/{world['public'].pk}"
    member = clients["member_a"].get(API + path).json()
    assert member["missions"] == ["m2", "m4"] and member["transitions"] == ["digital", "environmental"]
    assert member["foreign_countries"] == ["NL"]
    assert member["documents"] == [
        {"id": member["documents"][0]["id"], "title": "Convention signée", "url": "https://example.org/c"}
    ]
    assert clients["member_a"].get(API + "/collaborations").json()[0]["documents"] == member["documents"]
    staff = clients["staff"].get(API + path).json()
    assert {(d["title"], d["is_internal"]) for d in staff["documents"]} == {
        ("Convention signée", False),
        (SENTINELS["document"], True),
    }


def test_api_never_gives_a_member_the_id_of_an_internal_collaboration(world, clients, staff_user):
    introduction = world["introduction"]
    services.collaboration_add_partner(
        actor=staff_user, collaboration=world["internal"], organisation=introduction.organisation_b
    )
    services.introduction_record_outcome(
        actor=staff_user, introduction=introduction, outcome="collaboration_started", collaboration=world["internal"]
    )
    member = {r["id"]: r for r in clients["member_a"].get(API + "/introductions").json()}
    assert member[introduction.pk]["outcome"] == "collaboration_started"
    assert member[introduction.pk]["collaboration_id"] is None
    staff = {r["id"]: r for r in clients["staff"].get(API + "/introductions").json()}
    assert staff[introduction.pk]["collaboration_id"] == world["internal"].pk


def test_api_bad_parameters_never_500(world, clients):
    assert clients["staff"].get(API + "/collaborations", {"limit": 0}).status_code == 422
    assert clients["staff"].get(API + "/collaborations", {"organisation": "abc"}).status_code == 422
    assert clients["staff"].get(API + "/collaborations/999999").status_code == 404
    assert clients["member_a"].get(API + "/introductions", {"limit": 100000}).status_code == 422


def test_list_pages_run_a_bounded_number_of_queries(world, clients, org_b, company_c, django_assert_max_num_queries):
    for n in range(10):
        services.collaboration_create(actor=None, title=f"Lot {n}", kind="commercial", partners=[org_b, company_c])
        services.introduction_create(actor=None, organisation_a=org_b, organisation_b=company_c, reason=f"r{n}")
    for url in (reverse("partnerships:collaboration_list"), reverse("partnerships:introduction_list")):
        clients["staff"].get(url)  # warm the session
        with django_assert_max_num_queries(15):
            assert clients["staff"].get(url).status_code == 200


def test_api_accepts_personal_tokens_with_the_partnerships_scope(world, member_a):
    from grappe.accounts.tokens import token_create

    _token, secret = token_create(actor=member_a, user=member_a, name="CRM", scopes=["partnerships:read"])
    _other, wrong_scope = token_create(actor=member_a, user=member_a, name="Veille", scopes=["watch:read"])
    client = Client()
    response = client.get(API + "/collaborations", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and [r["title"] for r in response.json()] == ["Granulats recyclés"]
    for sentinel in SENTINELS.values():
        assert sentinel not in response.content.decode()
    refused = client.get(API + "/introductions", HTTP_AUTHORIZATION=f"Bearer {wrong_scope}")
    assert refused.status_code == 403 and refused.json()["reason"] == "missing_scope"
    assert client.get(API + "/introductions", HTTP_AUTHORIZATION="Bearer grp_x_y").status_code == 401


def test_timeline_queue_follow_ups_and_portal_do_not_grow_with_the_data(world, clients, org_b, company_c, staff_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org_a, today = world["org_a"], timezone.localdate()
    pages = [
        ("staff", reverse("partnerships:organisation_timeline", args=[org_a.pk]), 35),
        ("member_a", reverse("partnerships:organisation_timeline", args=[org_a.pk]), 35),
        ("staff", reverse("partnerships:request_list"), 6),
        ("staff", reverse("partnerships:follow_ups"), 20),
        ("staff", reverse("partnerships:organisation_interactions", args=[org_a.pk]), 8),
        ("member_a", reverse("partnerships:portal_home"), 13),
    ]

    def measure() -> list[int]:
        counts = []
        for role, url, limit in pages:
            clients[role].get(url)
            with CaptureQueriesContext(connection) as queries:
                assert clients[role].get(url).status_code == 200
            assert len(queries) <= limit, (url, len(queries))
            counts.append(len(queries))
        return counts

    before = measure()
    for n in range(8):
        services.collaboration_create(actor=None, title=f"Lot {n}", kind="commercial", partners=[org_a, company_c])
        services.introduction_create(
            actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason=f"r{n}", follow_up_on=today
        )
        services.interaction_log(
            actor=staff_user,
            organisation=org_a,
            kind="call",
            date=today,
            summary=f"s{n}",
            next_action="x",
            next_action_due=today,
        )
        project = innovation.project_create(actor=staff_user, title=f"Projet {n}", lead_organisation=org_a)
        innovation.partner_add(actor=staff_user, project=project, organisation=company_c, role="sme")
    assert measure() == before


EXPORTS = [
    "/staff/insights/network/?format=gexf",
    "/staff/insights/network/?format=graphml",
    "/staff/insights/?csv=engagement",
    "/staff/insights/?csv=risk",
    "/opendata/organisations.csv",
    "/opendata/organisations.json",
]


def test_exports_never_carry_private_notes_for_any_role(world, clients):
    """The network (which reads collaborations and introductions), dashboard tables and open data."""
    for role in ROLES:
        for url in EXPORTS:
            response = clients[role].get(url)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            for key in ("collaboration", "introduction", "interaction", "request", "stage_reason", "document"):
                assert SENTINELS[key] not in content.decode(), (role, url, key)
    network = clients["observer"].get(EXPORTS[0]).content.decode()
    assert "Alpha Matériaux" in network and "Université de Liège" in network  # the collaboration is there


def test_timeline_gathers_events_b2b_meetings_and_bulletins_of_the_organisation(world, clients, member_a, org_b):
    """The other mission apps' history, read through their selectors, for staff and the member alike."""
    from grappe.events.models import Event, MatchmakingSession, Meeting, Participant, Registration, Slot
    from grappe.watch.models import Digest

    org_a, person = world["org_a"], member_a.person
    now = timezone.now()
    start = now - dt.timedelta(days=20)
    event = Event.objects.create(
        kind="b2b",
        title="Rencontres réemploi",
        slug="rencontres-reemploi",
        start=start,
        end=start + dt.timedelta(hours=3),
    )
    Registration.objects.create(
        event=event, person=person, organisation=org_a, consent_given_at=start, attendance="attended"
    )
    session = MatchmakingSession.objects.create(event=event)
    slot = Slot.objects.create(session=session, start=start, end=start + dt.timedelta(minutes=20))
    other = eco.person_create(actor=None, first_name="Bruno", last_name="Bêta", email="")
    a = Participant.objects.create(session=session, person=person, organisation=org_a, type="buyer")
    b = Participant.objects.create(session=session, person=other, organisation=org_b, type="supplier")
    Meeting.objects.create(session=session, participant_a=a, participant_b=b, slot=slot, table=1, status="held")
    Digest.objects.create(
        person=person,
        email=person.email or "anna@alpha.test",
        language="fr",
        period_start=now - dt.timedelta(days=7),
        period_end=now - dt.timedelta(days=1),
        subject="Veille : 3 nouvelles informations",
        html="",
        text="",
        sent_at=now - dt.timedelta(days=1),
    )
    for role in ("staff", "member_a"):
        page = body(clients[role].get(timeline_url(world)))
        assert "Rencontres réemploi" in page, role  # event attended
        assert "Rendez-vous B2B avec Béton Bêta" in page, role
        assert "Veille : 3 nouvelles informations" in page, role
    only_meetings = body(clients["staff"].get(timeline_url(world), {"kind": "meeting"}))
    assert "Rendez-vous B2B avec Béton Bêta" in only_meetings and "Veille : 3" not in only_meetings


def test_bulletins_count_for_the_organisation_only_while_the_person_worked_there(world, clients, org_b, staff_user):
    """Someone who moved from B to A: B's timeline and score keep the bulletins of their time at B only."""
    from grappe.partnerships.engagement import engagement_for
    from grappe.watch.models import Digest

    org_a, today = world["org_a"], timezone.localdate()
    mover = eco.person_create(actor=None, first_name="Marc", last_name="Mobile", email="marc@mobile.test")
    at_b = eco.affiliation_create(
        actor=None, person=mover, organisation=org_b, start_date=today - dt.timedelta(days=300)
    )
    eco.affiliation_end(actor=None, affiliation=at_b, end_date=today - dt.timedelta(days=100))
    eco.affiliation_create(actor=None, person=mover, organisation=org_a, start_date=today - dt.timedelta(days=99))

    def bulletin(days_ago: int, subject: str) -> None:
        sent = timezone.now() - dt.timedelta(days=days_ago)
        Digest.objects.create(
            person=mover,
            email=mover.email,
            language="fr",
            period_start=sent - dt.timedelta(days=7),
            period_end=sent,
            subject=subject,
            html="",
            text="",
            sent_at=sent,
        )

    bulletin(200, "Veille quand Marc était chez Bêta")
    bulletin(20, "Veille de Marc chez Alpha")
    bulletin(400, "Veille avant Bêta")
    timeline_b = reverse("partnerships:organisation_timeline", args=[org_b.pk])
    for role in ("staff", "member_b"):
        page = body(clients[role].get(timeline_b, {"kind": "bulletin"}))
        assert "Veille quand Marc était chez Bêta" in page, role
        assert "Veille de Marc chez Alpha" not in page and "Veille avant Bêta" not in page, role
    page_a = body(clients["member_a"].get(timeline_url(world), {"kind": "bulletin"}))
    assert "Veille de Marc chez Alpha" in page_a and "chez Bêta" not in page_a

    def bulletins(org) -> int:
        return next(p.count for p in engagement_for(org.pk, today).parts if p.code == "bulletins")

    assert (bulletins(org_a), bulletins(org_b)) == (1, 1)


def test_api_interactions_and_requests_for_every_role(world, clients):
    expected = {"anonymous": 401, "member_a": 200, "member_b": 200, "observer": 403, "staff": 200, "admin": 200}
    for path in ("/interactions", "/requests"):
        for role in ROLES:
            assert clients[role].get(API + path).status_code == expected[role], (path, role)
    staff = clients["staff"].get(API + "/interactions").json()
    assert {r["summary"] for r in staff} == {"Visite de l'atelier", SENTINELS["internal_interaction"]}
    assert any(r["notes"] == SENTINELS["interaction"] for r in staff)
    member = clients["member_a"].get(API + "/interactions").json()
    assert [r["summary"] for r in member] == ["Visite de l'atelier"] and "notes" not in member[0]
    assert clients["member_b"].get(API + "/interactions").json() == []
    assert clients["member_a"].get(API + "/interactions", {"kind": "call"}).json() == []
    requests = clients["member_a"].get(API + "/requests").json()
    assert [r["needs"] for r in requests] == ["Un laboratoire pour tester des bétons recyclés."]
    assert "staff_notes" not in requests[0] and clients["member_b"].get(API + "/requests").json() == []
    queue = clients["admin"].get(API + "/requests", {"status": "in_progress"}).json()
    assert queue[0]["staff_notes"] == SENTINELS["request"]
    for role in ("member_a", "member_b"):
        for path in ("/interactions", "/requests"):
            content = clients[role].get(API + path).content.decode()
            for sentinel in SENTINELS.values():
                assert sentinel not in content, (role, path)


def test_api_out_of_range_ids_and_unknown_choices_answer_422(world, clients):
    huge = str(2**64)
    assert clients["staff"].get(API + f"/collaborations/{huge}").status_code == 422
    for path in ("/collaborations", "/introductions", "/interactions"):
        assert clients["staff"].get(API + path, {"organisation": huge}).status_code == 422, path
        assert clients["staff"].get(API + path, {"organisation": "0"}).status_code == 422, path
    assert clients["staff"].get(API + "/interactions", {"kind": "pigeon"}).status_code == 422
    for path, name in (
        ("/collaborations", "kind"),
        ("/collaborations", "status"),
        ("/introductions", "status"),
        ("/introductions", "outcome"),
    ):
        for role in ("staff", "member_a"):
            response = clients[role].get(API + path, {name: "pigeon"})
            assert response.status_code == 422 and name in response.content.decode(), (role, path, name)
    assert clients["member_a"].get(API + "/collaborations", {"kind": "rd_project", "status": "active"}).json()
    assert clients["staff"].get(API + "/requests", {"status": "x\x00"}).status_code == 422


def test_api_reads_carry_an_etag_and_answer_304_when_unchanged(world, clients, staff_user):
    for path in (
        "/collaborations",
        f"/collaborations/{world['public'].pk}",
        "/introductions",
        "/interactions",
        "/requests",
    ):
        first = clients["member_a"].get(API + path)
        etag = first["ETag"]
        assert first.status_code == 200 and etag.startswith('"'), path
        again = clients["member_a"].get(API + path, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b"", path
        # Staff see another representation of the same URL (PRIVATE fields): another tag.
        assert clients["staff"].get(API + path)["ETag"] != etag, path
    etag = clients["member_a"].get(API + "/collaborations")["ETag"]
    services.collaboration_update(actor=staff_user, collaboration=world["public"], title="Granulats recyclés 2")
    assert clients["member_a"].get(API + "/collaborations", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_api_lists_are_paged_by_limit_and_page(world, clients, member_a, org_a):
    services.introduction_request_submit(
        actor=member_a, organisation=org_a, needs="Un bureau d'études en acoustique du bâtiment."
    )
    for path in ("/collaborations", "/introductions", "/interactions", "/requests"):
        everything = [r["id"] for r in clients["staff"].get(API + path).json()]
        assert len(everything) >= 2, path
        pages = [
            clients["staff"].get(API + path, {"limit": 1, "page": n}).json() for n in range(1, len(everything) + 2)
        ]
        # One row a page, in the list's order, none twice, none skipped; past the end an empty page.
        assert [r["id"] for page in pages[:-1] for r in page] == everything and pages[-1] == [], path
        for bad in ({"page": 0}, {"page": "x"}, {"page": 100_001}, {"limit": 0}, {"limit": 501}):
            assert clients["staff"].get(API + path, bad).status_code == 422, (path, bad)
    # Paging never widens what a member sees (member A: their one non-internal collaboration; member B: none).
    for role, titles in (("member_a", ["Granulats recyclés"]), ("member_b", [])):
        paged = [r for n in (1, 2) for r in clients[role].get(API + "/collaborations", {"limit": 1, "page": n}).json()]
        assert [r["title"] for r in paged] == titles, role


def test_api_documents_both_shapes_and_each_role_gets_exactly_its_schema(world, clients):
    from grappe.api import api
    from grappe.partnerships import api as partnerships_api

    document = api.get_openapi_schema()
    public = world["public"].pk
    for path, staff_schema, member_schema in (
        ("/collaborations", "CollaborationStaffOut", "CollaborationOut"),
        (f"/collaborations/{public}", "CollaborationStaffOut", "CollaborationOut"),
        ("/introductions", "IntroductionStaffOut", "IntroductionOut"),
        ("/interactions", "InteractionStaffOut", "InteractionOut"),
        ("/requests", "RequestStaffOut", "RequestOut"),
    ):
        operation = document["paths"][API + path.replace(str(public), "{pk}")]["get"]
        responses = {str(code): answer for code, answer in operation["responses"].items()}
        documented = json.dumps(responses["200"]["content"]["application/json"]["schema"])
        assert f'/{staff_schema}"' in documented and f'/{member_schema}"' in documented, path
        assert {"304", "401", "403", "404", "422"} <= set(responses), path
        if path != f"/collaborations/{public}":
            assert {"limit", "page"} <= {p["name"] for p in operation["parameters"]}, path
        # The staff payload is not narrowed to the member schema by the union (every staff field is there),
        # and a member's payload has no field beyond the member schema.
        for role, name in (("staff", staff_schema), ("member_a", member_schema)):
            body = clients[role].get(API + path).json()
            rows = [body] if isinstance(body, dict) else body
            assert rows and all(set(r) == set(getattr(partnerships_api, name).model_fields) for r in rows), (role, path)


def test_every_staff_write_is_refused_to_other_roles_and_works_for_staff(world, clients, org_b, company_c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    public, org_a = world["public"], world["org_a"]
    services.collaboration_add_partner(actor=None, collaboration=public, organisation=company_c)
    interaction = Interaction.objects.get(summary="Visite de l'atelier")
    services.interaction_update(actor=None, interaction=interaction, next_action="Rappeler", next_action_due=None)
    removable = public.partners.get(organisation=company_c)
    writes = [
        (
            reverse("partnerships:collaboration_remove_partner", args=[public.pk, removable.pk]),
            lambda: {},
            lambda: not public.partners.filter(organisation=company_c).exists(),
        ),
        (
            reverse("partnerships:collaboration_add_document", args=[public.pk]),
            lambda: {"doc-title": "Annexe", "doc-file": SimpleUploadedFile("annexe.pdf", b"%PDF-1.7")},
            lambda: public.documents.filter(title="Annexe").exists(),
        ),
        (
            reverse("partnerships:interaction_done", args=[interaction.pk]),
            lambda: {},
            lambda: Interaction.objects.get(pk=interaction.pk).next_action_done,
        ),
        (
            reverse("partnerships:organisation_interactions", args=[org_a.pk]),
            lambda: {"kind": "email", "date": timezone.localdate().isoformat(), "summary": "Courriel X"},
            lambda: Interaction.objects.filter(summary="Courriel X").exists(),
        ),
        (
            reverse("partnerships:request_detail", args=[world["request"].pk]),
            lambda: {"form": "resolve", "r-status": "declined", "r-response": "Rien pour vous."},
            lambda: IntroductionRequest.objects.get(pk=world["request"].pk).status == "declined",
        ),
        (
            reverse("partnerships:introduction_detail", args=[world["introduction"].pk]),
            lambda: {"form": "outcome", "o-outcome": "nothing", "o-note": "", "o-new_collaboration_kind": "commercial"},
            lambda: world["introduction"].__class__.objects.get(pk=world["introduction"].pk).outcome == "nothing",
        ),
    ]
    for url, data, changed in writes:
        for role, status in {"anonymous": 302, "member_a": 403, "member_b": 403, "observer": 403}.items():
            assert clients[role].post(url, data()).status_code == status, (role, url)
            assert not changed(), (role, url)
        assert clients["staff"].post(url, data()).status_code == 302, url
        assert changed(), url


def test_the_members_own_gdpr_export_leaves_out_staff_notes_and_internal_rows(world, clients, member_a, staff_user):
    """The portal export follows the portal's rules; the staff export (formal request) keeps everything."""
    import io
    import zipfile

    person = member_a.person
    services.interaction_log(
        actor=staff_user,
        organisation=world["org_a"],
        kind="call",
        date=timezone.localdate(),
        summary="Appel à Anna",
        person=person,
        notes="SENTINEL-NOTE-ABOUT-ANNA",
    )
    services.interaction_log(
        actor=staff_user,
        organisation=world["org_a"],
        kind="call",
        date=timezone.localdate(),
        summary="SENTINEL-INTERNAL-CALL-ABOUT-ANNA",
        person=person,
        is_internal=True,
    )
    idea = innovation.portal_idea_submit(
        actor=member_a,
        organisation=world["org_a"],
        title="Idée d'Anna",
        summary="Des briques de réemploi pour nos murs.",
    )
    innovation.project_update(actor=staff_user, project=idea, internal_notes="SENTINEL-PROJECT-NOTE")

    def unzip(response) -> str:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        archive = zipfile.ZipFile(io.BytesIO(content))
        return "".join(archive.read(name).decode() for name in archive.namelist())

    mine = unzip(clients["member_a"].get(reverse("privacy:portal") + "?download=1"))
    assert "Appel à Anna" in mine and "Idée d'Anna" in mine  # their data is there
    private = [
        *SENTINELS.values(),
        "SENTINEL-NOTE-ABOUT-ANNA",
        "SENTINEL-INTERNAL-CALL-ABOUT-ANNA",
        "SENTINEL-PROJECT-NOTE",
    ]
    for sentinel in private:
        assert sentinel not in mine, sentinel
    full = unzip(clients["staff"].get(reverse("privacy:person_export", args=[person.pk])))
    assert "SENTINEL-NOTE-ABOUT-ANNA" in full and SENTINELS["request"] in full
