"""The permission matrix: every URL pattern of Grappe, for every role, against a declared rule.

Each URL is requested with real objects of the fixture world (``tests/trust/world.py``): member A's
organisation, people and confidential rows wherever a URL takes an object, so member B must be refused
what member A may read. POST-only views are posted to with an empty body (each request runs in a
savepoint rolled back right after, so nothing a request changes is seen by the next one).

**A new view fails this test until its rule is declared below** (``TABLE``), and its URL kwargs in
``tests/trust/urlwalk.py`` (``K``). Outcomes are compared as classes of status codes:

- ``ok``: the view ran for this role (2xx, a redirect elsewhere than a login page, 400/409/422 form errors);
- ``login``: a redirect to the login page (or the admin's login page);
- ``deny``: 403 or 404 (404 for objects whose existence must not leak);
- ``401``: the API's "authentication required";
- any 5xx fails, whatever the rule.
"""

from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse

from tests.trust.urlwalk import Route, iter_routes, path_for, shadowed_routes
from tests.trust.world import ROLES

OK, LOGIN, DENY, UNAUTH, NOT_ALLOWED, UNAVAILABLE = "ok", "login", "deny", "401", "405", "503"
HEALTH = frozenset({OK, UNAVAILABLE})


def classify(response: HttpResponse) -> str:
    code = response.status_code
    if code == 503:
        return UNAVAILABLE  # a declared "not available here" (health check without worker, no QR library), not a crash
    if code >= 500:
        return f"server error {code}"
    if code in (301, 302, 303, 307):
        location = response.get("Location", "")
        return LOGIN if ("/accounts/login/" in location or "/admin/login/" in location) else OK
    if code in (403, 404):
        return DENY
    if code == 401:
        return UNAUTH
    if code == 405:
        return NOT_ALLOWED
    return OK


# Outcome per role, in the order of ROLES: anonymous, member_a, member_b, observer, staff, admin.
RULES: dict[str, tuple[str | frozenset[str], ...]] = {
    "public": (OK, OK, OK, OK, OK, OK),
    "staff": (LOGIN, DENY, DENY, DENY, OK, OK),
    "reports": (LOGIN, DENY, DENY, OK, OK, OK),
    "member": (LOGIN, OK, OK, DENY, DENY, DENY),
    "member_a": (LOGIN, OK, DENY, DENY, DENY, DENY),
    "member_a_or_staff": (LOGIN, OK, DENY, DENY, OK, OK),
    "member_or_staff": (LOGIN, OK, OK, DENY, OK, OK),
    "panel_a": (DENY, OK, DENY, DENY, OK, OK),  # htmx fragments of organisation pages (ORG-VIEW)
    "staff_only_object": (DENY, DENY, DENY, DENY, OK, OK),  # 404 for all others: existence does not leak
    "nobody_without_secret": (DENY, DENY, DENY, DENY, DENY, DENY),
    "api_staff": (UNAUTH, DENY, DENY, DENY, OK, OK),
    "api_member": (UNAUTH, OK, OK, DENY, OK, OK),
    "api_member_a": (UNAUTH, OK, DENY, DENY, OK, OK),
    "api_member_only": (UNAUTH, OK, OK, DENY, DENY, DENY),
    "api_reports": (UNAUTH, DENY, DENY, OK, OK, OK),
    "api_member_a_only": (UNAUTH, OK, DENY, DENY, DENY, DENY),
    "anonymous_page": (OK, OK, OK, OK, OK, OK),
    "post_only": (NOT_ALLOWED,) * 6,
    "admin_site": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, OK),
    "admin_site_missing_or_protected": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, DENY),
    "staff_missing_object": (LOGIN, DENY, DENY, DENY, DENY, DENY),
    "reports_missing_file": (LOGIN, DENY, DENY, DENY, DENY, DENY),
    "anyone_health": (HEALTH,) * 6,
    "logout": (LOGIN,) * 6,  # back to the login page
    "signed_in": (LOGIN, OK, OK, OK, OK, OK),
    "admin_only": (LOGIN, DENY, DENY, DENY, DENY, OK),
    "member_b_target": (LOGIN, DENY, OK, DENY, DENY, DENY),  # only the target of a meeting request decides
    "not_found": (DENY,) * 6,
}


def _declare(rule: str, method: str, *keys: str) -> dict[str, tuple[str, str]]:
    return {key: (rule, method) for key in keys}


# Every non-admin URL of Grappe: (rule, method). Admin URLs follow ADMIN_RULE below.
TABLE: dict[str, tuple[str, str]] = {
    # core and accounts
    **_declare("public", "GET", "core:home", "set_language", "accounts:login"),
    **_declare("anyone_health", "GET", "core:healthz"),
    **_declare("staff", "GET", "core:workspace"),
    **_declare("member", "GET", "core:portal"),
    **_declare("reports", "GET", "core:reports"),
    **_declare("logout", "POST", "accounts:logout"),
    **_declare("staff", "GET", "core:jobs", "core:webhooks", "core:webhook_detail"),
    **_declare("staff", "POST", "core:periodic_run_now", "core:webhook_ping", "core:webhook_delete"),
    **_declare("staff", "POST", "core:webhook_redeliver"),
    **_declare("staff_missing_object", "POST", "core:job_retry"),  # no such task: 404 for staff too
    **_declare("member_or_staff", "GET", "accounts:tokens"),
    **_declare("member_a", "POST", "accounts:token_revoke"),
    **_declare("signed_in", "GET", "accounts:two_factor"),
    **_declare("admin_only", "GET", "accounts:lockouts"),
    # API
    **_declare("public", "GET", "api:openapi-json", "api:openapi-view", "api:public_organisation_list"),
    **_declare("nobody_without_secret", "GET", "api:api-root"),
    **_declare("not_found", "GET", "api:_no_such_endpoint"),  # any unmatched /api/v1/ path: the API's JSON 404
    **_declare("api_staff", "GET", "api:person_list", "api:person_detail", "api:membership_list"),
    **_declare(
        "api_member",
        "GET",
        "api:organisation_list",
        "api:list_collaborations",
        "api:list_introductions",
        "api:list_interactions",
        "api:list_requests",
        "api:list_projects",
        "api:list_calls",
        "api:get_call",
    ),
    **_declare("api_member_a", "GET", "api:organisation_detail", "api:get_collaboration", "api:get_project"),
    **_declare("api_member_a", "GET", "api:project_calls"),
    **_declare("api_member", "GET", "api:item_list", "api:deadlines", "api:topic_list", "api:events"),
    **_declare("api_staff", "GET", "api:item_detail", "api:source_list"),  # the world's item is in no public topic
    **_declare("api_member_only", "GET", "api:subscription_list", "api:digest_list"),
    **_declare(
        "api_member",
        "GET",
        "api:event_list",
        "api:event_registrations",
        "api:event_sessions",
        "api:session_meetings",
    ),
    **_declare("api_staff", "GET", "api:event_detail"),  # the world's invitation-only draft: 404 for the others
    **_declare(
        "api_reports",
        "GET",
        "api:representativeness",
        "api:prospects",
        "api:ecosystem_map_data",
        "api:network",
        "api:dashboard",
        "api:perimeter",
    ),
    # The role is checked by the auth, before the (empty) body: refused roles get 403, allowed ones 422.
    **_declare("api_staff", "POST", "api:item_triage"),
    **_declare("api_member_only", "POST", "api:subscription_create"),
    **_declare("api_member_a_only", "DELETE", "api:subscription_delete"),
    **_declare("api_staff", "GET", "api:register_enterprise_list", "api:register_enterprise_detail"),
    **_declare("api_reports", "GET", "api:objectives_indicator_list", "api:objectives_indicator_detail"),
    # register
    **_declare(
        "staff",
        "GET",
        "register:search",
        "register:enterprise_detail",
        "register:changes",
        "register:candidates",
        "register:organisation_panel",
        "register:organisation_enrich",
        "register:import_list",
        "register:import_progress",
    ),
    **_declare(
        "staff",
        "POST",
        "register:enterprise_add",
        "register:enterprise_link",
        "register:change_add",
        "register:change_prospect",
        "register:candidate_review",
    ),
    # ecosystem
    **_declare(
        "staff",
        "GET",
        "ecosystem:organisation_list",
        "ecosystem:organisation_create",
        "ecosystem:organisation_detail",
        "ecosystem:organisation_edit",
        "ecosystem:organisation_merge",
        "ecosystem:person_list",
        "ecosystem:person_create",
        "ecosystem:person_detail",
        "ecosystem:person_edit",
        "ecosystem:membership_list",
        "ecosystem:membership_create",
        "ecosystem:membership_edit",
        "ecosystem:membership_end",
        "ecosystem:taxonomy_index",
        "ecosystem:taxonomy_create",
        "ecosystem:taxonomy_edit",
        "ecosystem:organisation_export",
        "ecosystem:person_export",
        "ecosystem:organisation_import",
        "ecosystem:organisation_import_done",
        "ecosystem:person_import",
        "ecosystem:person_import_done",
    ),
    **_declare(
        "staff",
        "POST",
        "ecosystem:organisation_delete",
        "ecosystem:site_add",
        "ecosystem:site_remove",
        "ecosystem:activities_set",
        "ecosystem:affiliation_add",
        "ecosystem:affiliation_end",
        "ecosystem:membership_renew",
        "ecosystem:taxonomy_delete",
    ),
    # Import previews live in the session: an unknown token is a 404, even for staff.
    **_declare(
        "staff_missing_object", "GET", "ecosystem:organisation_import_preview", "ecosystem:person_import_preview"
    ),
    **_declare("member_a_or_staff", "GET", "ecosystem:membership_certificate"),
    **_declare("member_a_or_staff", "GET", "ecosystem:portal_organisation", "ecosystem:portal_organisation_edit"),
    **_declare("member", "GET", "ecosystem:portal_me", "ecosystem:portal_me_edit"),
    **_declare("member", "GET", "ecosystem:portal_consents"),
    **_declare("member_a_or_staff", "GET", "ecosystem:portal_colleagues"),
    **_declare("member_a_or_staff", "POST", "ecosystem:portal_colleague_revoke"),
    **_declare("nobody_without_secret", "GET", "ecosystem:portal_invitation"),  # needs a valid one-time token
    # watch
    **_declare(
        "staff",
        "GET",
        "watch:dashboard",
        "watch:source_list",
        "watch:source_detail",
        "watch:item_list",
        "watch:item_detail",
        "watch:topic_list",
        "watch:topic_detail",
        "watch:deadlines",
    ),
    **_declare("staff", "POST", "watch:source_action", "watch:item_status", "watch:item_topic_mark"),
    **_declare("panel_a", "GET", "watch:organisation_panel"),
    **_declare("member", "GET", "watch:portal_subscriptions", "watch:portal_digests"),
    **_declare("member_or_staff", "GET", "watch:agenda"),
    **_declare("member_a", "GET", "watch:portal_digest"),
    **_declare("member_a", "POST", "watch:portal_subscription_delete"),
    **_declare("public", "GET", "watch:unsubscribe"),  # the signed link is the credential
    **_declare("nobody_without_secret", "GET", "watch:topic_feed"),  # a private topic's feed needs ?token=
    # events
    **_declare(
        "staff",
        "GET",
        "events:event_list",
        "events:event_create",
        "events:event_detail",
        "events:event_edit",
        "events:check_in",
        "events:attendees_pdf",
        "events:badges_pdf",
        "events:event_statistics",
        "events:session_setup",
        "events:session_detail",
        "events:session_agendas",
    ),
    **_declare(
        "staff",
        "POST",
        "events:event_status",
        "events:registration_cancel",
        "events:check_in_toggle",
        "events:record_no_shows",
        "events:session_add_registered",
        "events:session_run",
        "events:session_publish",
        "events:meeting_impose",
        "events:meeting_move",
        "events:meeting_lock",
        "events:meeting_outcome",
        "events:participant_no_show",
    ),
    **_declare("panel_a", "GET", "events:organisation_panel"),
    **_declare("public", "GET", "events:public_feed", "events:person_feed", "events:registration_manage"),
    **_declare("public", "GET", "events:survey"),
    **_declare("public", "POST", "events:registration_cancel_self"),
    **_declare("staff_only_object", "GET", "events:event_public", "events:event_ics"),
    **_declare(
        "member",
        "GET",
        "events:portal_events",
        "events:portal_profile",
        "events:portal_recommendations",
        "events:portal_requests",
        "events:portal_agenda",
        "events:portal_agenda_pdf",
    ),
    **_declare("member", "POST", "events:portal_request_create"),
    **_declare("member_b_target", "POST", "events:portal_request_decide"),
    # partnerships
    **_declare(
        "staff",
        "GET",
        "partnerships:collaboration_list",
        "partnerships:collaboration_create",
        "partnerships:collaboration_detail",
        "partnerships:collaboration_edit",
        "partnerships:introduction_list",
        "partnerships:introduction_create",
        "partnerships:introduction_detail",
        "partnerships:request_list",
        "partnerships:request_detail",
        "partnerships:organisation_interactions",
        "partnerships:follow_ups",
    ),
    **_declare(
        "staff",
        "POST",
        "partnerships:collaboration_add_partner",
        "partnerships:collaboration_remove_partner",
        "partnerships:collaboration_add_document",
        "partnerships:interaction_done",
    ),
    **_declare("panel_a", "GET", "partnerships:organisation_timeline"),
    **_declare("staff", "GET", "partnerships:interaction_edit"),
    **_declare("staff_only_object", "GET", "partnerships:document_download"),  # an internal document
    **_declare("member", "GET", "partnerships:portal_home", "partnerships:portal_request_create"),
    **_declare("member_a", "GET", "partnerships:portal_collaboration"),
    # showcase (public site)
    **_declare(
        "public",
        "GET",
        "showcase-sitemap",
        "showcase-robots",
        "showcase-opendata-csv",
        "showcase-opendata-json",
        "showcase:home",
        "showcase:directory",
        "showcase:profile",
        "showcase:value_chain",
        "showcase-dcat",
        "showcase:competences",
        "showcase:events",
        "showcase:opportunities",
        "showcase:opportunities_rss",
        "showcase:news",
        "showcase:news_rss",
        "showcase:news_atom",
        "showcase:stories",
        "showcase:stories_rss",
        "showcase:stories_atom",
        "showcase:widget",
        "showcase:widget_help",
    ),
    **_declare("public", "GET", "showcase:news_detail"),
    **_declare("nobody_without_secret", "GET", "showcase:stories_detail"),  # a draft is public to no one
    **_declare("member", "GET", "showcase_members:portal_opportunities"),
    **_declare("member_a_or_staff", "GET", "showcase_members:opportunity_edit", "showcase_members:opportunity_extend"),
    **_declare("member_a_or_staff", "POST", "showcase_members:opportunity_withdraw"),
    **_declare(
        "staff",
        "GET",
        "showcase_members:staff_opportunities",
        "showcase_members:staff_posts",
        "showcase_members:staff_post_create",
        "showcase_members:staff_post_edit",
    ),
    **_declare(
        "staff", "POST", "showcase_members:staff_opportunity_moderate", "showcase_members:staff_take_over_draft"
    ),
    **_declare("member_or_staff", "GET", "showcase_members:portal_profiles"),
    **_declare("member_a_or_staff", "GET", "showcase_members:portal_profile_edit"),
    **_declare(
        "staff",
        "GET",
        "showcase_members:staff_proposals",
        "showcase_members:staff_proposal",
        "showcase_members:promotion_list",
        "showcase_members:promotion_create",
    ),
    **_declare("staff", "GET", "showcase_members:promotion_edit"),  # an unknown id opens an empty form
    **_declare("staff_missing_object", "POST", "showcase_members:promotion_delete"),
    **_declare("member_a_or_staff", "GET", "showcase_members:portal_certifications"),
    **_declare("member_a_or_staff", "POST", "showcase_members:portal_certification_delete"),
    **_declare(
        "staff",
        "GET",
        "showcase_members:staff_certifications",
        "showcase_members:staff_organisation_certifications",
        "showcase_members:certifications_panel",
        "showcase_members:staff_certification_edit",
    ),
    **_declare(
        "staff", "POST", "showcase_members:staff_certification_review", "showcase_members:staff_certification_delete"
    ),
    # innovation
    **_declare("staff", "GET", "innovation:project_documents"),
    **_declare("panel_a", "GET", "innovation:document_download"),  # consortium members and staff
    **_declare("member_a", "GET", "innovation:portal_documents"),
    **_declare(
        "staff",
        "GET",
        "innovation:board",
        "innovation:project_create",
        "innovation:project_detail",
        "innovation:project_edit",
        "innovation:story_detail",
        "innovation:call_list",
        "innovation:call_create",
        "innovation:call_detail",
        "innovation:call_edit",
        "innovation:support_list",
    ),
    **_declare(
        "staff",
        "POST",
        "innovation:project_move",
        "innovation:partner_add",
        "innovation:partner_remove",
        "innovation:checklist_toggle",
        "innovation:checklist_add",
        "innovation:outcome_add",
        "innovation:story_create",
    ),
    **_declare("panel_a", "GET", "innovation:organisation_panel"),
    **_declare("staff_missing_object", "POST", "innovation:partner_invite"),  # no organisation posted: 404
    **_declare("member", "GET", "innovation:portal_home", "innovation:portal_submit"),
    **_declare("member_a", "GET", "innovation:portal_project"),
    # privacy (GDPR)
    **_declare("staff", "GET", "privacy:register", "privacy:person_export", "privacy:person_erase"),
    **_declare("member", "GET", "privacy:portal"),
    **_declare("staff", "POST", "privacy:request_refuse"),
    # insights
    **_declare(
        "reports",
        "GET",
        "insights:dashboard",
        "insights:representativeness",
        "insights:prospects",
        "insights:map",
        "insights:network",
    ),
    **_declare("staff", "POST", "insights:prospect_act"),
    **_declare("reports", "GET", "insights:perimeter"),
    **_declare("staff", "GET", "insights:perimeter_search", "insights:perimeter_segment"),
    **_declare("panel_a", "GET", "insights:organisation_map"),
    # objectives
    **_declare(
        "reports",
        "GET",
        "objectives:dashboard",
        "objectives:dashboard_csv",
        "objectives:indicator_detail",
        "objectives:drilldown",
        "objectives:report_download",
        "objectives:archive_list",
        "objectives:archive_detail",
    ),
    **_declare("reports_missing_file", "GET", "objectives:archive_file"),  # the world's archive has no file
    **_declare(
        "staff",
        "GET",
        "objectives:contract_list",
        "objectives:contract_create",
        "objectives:contract_detail",
        "objectives:contract_edit",
        "objectives:objective_create",
        "objectives:objective_edit",
        "objectives:indicator_create",
        "objectives:indicator_edit",
        "objectives:measurement_create",
        "objectives:measurement_edit",
    ),
    **_declare(
        "staff", "POST", "objectives:report_archive", "objectives:indicator_delete", "objectives:measurement_delete"
    ),
}

# The Django admin: only cluster admins (is_staff) get in; everyone else is sent to its login page.
ADMIN_EXCEPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "admin:login": ((OK, OK, OK, OK, OK, OK), "GET"),
    "admin:logout": ((OK, OK, OK, OK, OK, LOGIN), "POST"),
    "admin:jsi18n": (RULES["admin_site"], "GET"),
    # django-otp's QR code needs the optional qrcode library, which Grappe does not install: 503 for the admin.
    "admin:otp_totp_totpdevice_qrcode": ((LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, HEALTH), "GET"),
}


def expectation(route: Route) -> tuple[tuple[str, ...], str] | None:
    if route.key in ADMIN_EXCEPTIONS:
        return ADMIN_EXCEPTIONS[route.key]
    if route.key.startswith("admin:") or route.route.startswith("admin/"):
        return RULES["admin_site"], "GET"
    if route.key in TABLE:
        rule, method = TABLE[route.key]
        return RULES[rule], method
    return None


ROUTES = list(iter_routes())

# Failures found by the matrix and reported to the owning app; each one fails loudly once fixed (strict xfail).
KNOWN_BUGS: dict[str, str] = {}


def test_every_url_pattern_declares_its_rule():
    missing = [r.key for r in ROUTES if expectation(r) is None]
    assert not missing, (
        "These URL patterns have no declared permission rule. Declare each in TABLE of "
        "tests/trust/test_permission_matrix.py (rule and method) and give its URL kwargs real objects in K of "
        f"tests/trust/urlwalk.py: {missing}"
    )


def test_no_url_pattern_hides_behind_the_name_of_another():
    """Two routes under one name would be walked once: the second view would escape the matrix and the scans."""
    assert not shadowed_routes(), "Give each of these URL patterns its own name"


def test_the_table_declares_no_vanished_url():
    keys = {r.key for r in ROUTES}
    assert not sorted(set(TABLE) - keys), "Remove these entries from TABLE: their URL patterns are gone."


def _request(client: Any, method: str, path: str) -> HttpResponse:
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        elif path.startswith("/api/"):
            response = getattr(client, method.lower())(path, "{}", content_type="application/json")
        else:
            response = getattr(client, method.lower())(path, {})
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_permission_matrix(route, world, clients, db, settings):
    settings.MEDIA_ROOT = world.media_root
    if route.key in KNOWN_BUGS:
        pytest.xfail(KNOWN_BUGS[route.key])
    expected = expectation(route)
    try:
        path = path_for(route, world)
    except Exception as exc:
        pytest.fail(f"{route.key}: cannot build its path ({exc!r}); give its kwargs real objects in K (urlwalk.py).")
    if expected is None:
        observed = {role: classify(_request(clients[role], "GET", path)) for role in ROLES}
        pytest.fail(
            f"{route.key} ({route.route}) has no declared rule: add it to TABLE (and its kwargs to K in "
            f"urlwalk.py). A GET now answers: {observed}"
        )
    outcomes, method = expected
    problems = []
    for role, want in zip(ROLES, outcomes, strict=True):
        response = _request(clients[role], method, path)
        got = classify(response)
        accepted = want if isinstance(want, frozenset) else {want}
        if got.startswith("server error") or (got not in accepted and not _admin_tolerated(route, role, got)):
            problems.append(f"{role}: expected {want}, got {got} ({response.status_code})")
    assert not problems, f"{method} {path}\n" + "\n".join(problems)


def _admin_tolerated(route: Route, role: str, got: str) -> bool:
    """The admin may refuse a delete (protected rows) or miss a row the world does not create; it is still admin."""
    is_admin_url = route.key.startswith("admin:") or route.route.startswith("admin/")
    return is_admin_url and role == "admin" and got == DENY
