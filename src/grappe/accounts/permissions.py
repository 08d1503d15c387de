"""Every permission rule of Grappe, in one place.

Roles (``User.Role``): admin and staff run the cluster; member users act for the organisations
where their person has a current affiliation; observers read dashboards and reports only;
anonymous visitors see the public site. Views call these helpers, templates never decide.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse


def is_staff(user: Any) -> bool:
    """Cluster admin or cluster staff."""
    return bool(getattr(user, "is_authenticated", False) and user.is_cluster_staff)


def is_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_cluster_admin)


def is_member_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_member_user)


def is_observer(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_observer)


def can_read_reports(user: Any) -> bool:
    """Dashboards and reports: staff, admins and observers."""
    return is_staff(user) or is_observer(user)


def member_organisation_ids(user: Any, *, on: dt.date | None = None) -> set[int]:
    """Organisations a member user acts for: current affiliations of the user's person."""
    if not is_member_user(user) or not user.person_id:
        return set()
    from grappe.ecosystem.models import Affiliation

    day = on or dt.date.today()
    return set(
        Affiliation.objects.filter(person_id=user.person_id)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .values_list("organisation_id", flat=True)
    )


def can_edit_organisation(user: Any, organisation: Model) -> bool:
    if is_staff(user):
        return True
    return organisation.pk in member_organisation_ids(user)


def can_view_organisation_private(user: Any, organisation: Model) -> bool:
    """Contacts, memberships and notes of an organisation: staff, and its own member users (not notes)."""
    return can_edit_organisation(user, organisation)


def can_edit_person(user: Any, person: Model) -> bool:
    if is_staff(user):
        return True
    return bool(is_member_user(user) and user.person_id == person.pk)


def restrict_organisations(queryset: QuerySet, user: Any) -> QuerySet:
    """Organisations a user may see in the workspace or the portal."""
    if is_staff(user):
        return queryset
    ids = member_organisation_ids(user)
    return queryset.filter(pk__in=ids) if ids else queryset.none()


def restrict_people(queryset: QuerySet, user: Any) -> QuerySet:
    if is_staff(user):
        return queryset
    if is_member_user(user) and user.person_id:
        return queryset.filter(pk=user.person_id)
    return queryset.none()


def _guard(test: Callable[[Any], bool]) -> Callable:
    """Decorator factory: anonymous users go to the login page, others failing ``test`` get a 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _guard(is_staff)
admin_required = _guard(is_admin)
member_required = _guard(is_member_user)
reports_required = _guard(can_read_reports)
login_required = _guard(lambda user: user.is_active)


# --- Ecosystem: staff workspace and member self-service -------------------------------------------
# Rules (each one is a helper below; the ecosystem views call nothing else):
# - ORG-VIEW: staff see every organisation; a member user sees the organisations of their current
#   affiliations (never another one: 404 outside that set); observers see none (403).
# - ORG-EDIT-ALL: only staff change kind, enterprise number, source, internal notes, memberships,
#   sites, activities, merges; a member user edits only MEMBER_ORGANISATION_FIELDS of their own.
# - ORG-PRIVATE: internal notes, fees, membership notes and the audit history are staff-only.
# - PERSON: staff see and edit everyone; a member user sees and edits their own person
#   (MEMBER_PERSON_FIELDS, never notes) and reads their colleagues' professional card (name,
#   function, professional e-mail and phone of current affiliations to a shared organisation).
# - CERTIFICATE: staff, and member users of the membership's organisation.
# - TAXONOMY: staff only.

# The profile of an organisation its member users may keep current (portal).
MEMBER_ORGANISATION_FIELDS = (
    "acronym",
    "website",
    "email",
    "phone",
    "description_fr",
    "description_en",
    "description_nl",
    "description_de",
    "headcount_band",
    "turnover_band",
    "competences",
    "export_markets",
    "transition_digital",
    "transition_environmental",
    "transition_economic",
    "logo",
    "public_profile_consent",
)

# What a member user may change on their own person record (never the internal notes).
MEMBER_PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "languages", "interests")


def can_view_organisation(user: Any, organisation: Model) -> bool:
    """ORG-VIEW."""
    return is_staff(user) or organisation.pk in member_organisation_ids(user)


def can_edit_organisation_profile(user: Any, organisation: Model) -> bool:
    """ORG-EDIT-ALL for staff; the MEMBER_ORGANISATION_FIELDS subset for its member users."""
    return can_edit_organisation(user, organisation)


def can_edit_organisation_all_fields(user: Any) -> bool:
    return is_staff(user)


def can_see_organisation_private(user: Any) -> bool:
    """ORG-PRIVATE: internal notes, fees, membership notes, audit history."""
    return is_staff(user)


def colleague_ids(user: Any) -> set[int]:
    """People with a current affiliation to an organisation the member user acts for (themselves included)."""
    organisation_ids = member_organisation_ids(user)
    if not organisation_ids:
        return set()
    from grappe.ecosystem.models import Affiliation

    today = dt.date.today()
    return set(
        Affiliation.objects.filter(organisation_id__in=organisation_ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("person_id", flat=True)
    )


def can_view_person(user: Any, person: Model) -> bool:
    """PERSON: staff, the person themselves, or a colleague (professional card only)."""
    return can_edit_person(user, person) or (is_member_user(user) and person.pk in colleague_ids(user))


def can_download_membership_certificate(user: Any, membership: Model) -> bool:
    """CERTIFICATE."""
    return is_staff(user) or membership.organisation_id in member_organisation_ids(user)


def can_edit_taxonomies(user: Any) -> bool:
    """TAXONOMY."""
    return is_staff(user)


taxonomy_required = _guard(can_edit_taxonomies)


# --- Events and B2B matchmaking (grappe.events) ---------------------------------------------------
# - EVENT-MANAGE: staff create and edit events, see registrations, check people in, print lists and
#   badges, read statistics, run matchmaking sessions. Observers and members: 403.
# - EVENT-VIEW: a published or cancelled event with a public or members-only audience is visible to
#   everyone; invitation-only events and drafts only to staff (404 for the others, so their existence
#   does not leak).
# - EVENT-SELF: self-service cancel/edit and the survey need the signed link, whoever holds it; the
#   private calendar feed needs the person's secret token. No login is involved.
# - EVENT-PORTAL: a member user sees their own registrations; in a matchmaking session they act only
#   through their own participant profile (requests they sent or received, their agenda).
# - EVENT-ORG-PANEL: the events panel of an organisation follows ORG-VIEW.


def can_manage_events(user: Any) -> bool:
    """EVENT-MANAGE."""
    return is_staff(user)


def can_view_event(user: Any, event: Model) -> bool:
    """EVENT-VIEW."""
    if is_staff(user):
        return True
    return event.status in ("published", "cancelled") and event.audience in ("public", "members_only")


def can_act_as_participant(user: Any, participant: Model) -> bool:
    """EVENT-PORTAL: the member user whose person the participant profile is."""
    return bool(is_member_user(user) and user.person_id and participant.person_id == user.person_id)


events_staff_required = _guard(can_manage_events)


# --- objectives: contract, indicators, reports ----------------------------------------------------
# Staff configure the contract and enter manual values; observers (Region, board) read dashboards,
# drill-downs and reports but never write, and see no person names nor evidence files.


def can_read_objectives(user: Any) -> bool:
    return can_read_reports(user)


def can_edit_objectives(user: Any) -> bool:
    return is_staff(user)


def can_see_objectives_evidence_details(user: Any) -> bool:
    """Names of people, links to records, evidence files and notes in drill-downs: staff only."""
    return is_staff(user)


objectives_read_required = _guard(can_read_objectives)
objectives_edit_required = _guard(can_edit_objectives)


# --- watch (veille): sources, triage, topics, subscriptions, digests --------------------------------
# Staff run the watch (sources, triage, annotations, topic rules). Member users with a person manage
# their own subscriptions and read their own digests. A topic's feed is public when staff said so;
# otherwise it needs a personal token, valid for active staff and member users only.


def can_curate_watch(user: Any) -> bool:
    return is_staff(user)


def can_subscribe_watch(user: Any) -> bool:
    return is_member_user(user) and bool(user.person_id)


def can_read_private_topic_feed(user: Any) -> bool:
    """Holder of a private feed token: staff, or a member user (the token names the user)."""
    return bool(user is not None and user.is_active and (is_staff(user) or is_member_user(user)))


def can_view_watch_organisation_panel(user: Any, organisation: Model) -> bool:
    """The watch panel of an organisation page follows ORG-VIEW: staff see items still in triage too,
    the organisation's own member users only the items staff kept (with their annotation)."""
    return can_view_organisation(user, organisation)


def can_use_watch_api(user: Any) -> bool:
    """The watch API and the ecosystem agenda: staff (everything) and member users (kept items only,
    topics, their own subscriptions)."""
    return is_staff(user) or is_member_user(user)


watch_curate_required = _guard(can_curate_watch)
watch_reader_required = _guard(can_use_watch_api)
watch_subscriber_required = _guard(can_subscribe_watch)


# --- partnerships: collaborations, introductions, requests, interactions ---------------------------
# - PART-MANAGE: staff (and admins) see and write everything, notes included. Observers: 403.
# - PART-MEMBER: a member user sees, for the organisations they act for, the collaborations where one
#   of them is a partner, the introductions where one of them is A or B, their requests and the
#   interactions with them — only rows not flagged internal, and never the PRIVATE fields
#   (internal notes, introduction notes, request staff notes, interaction notes) nor internal documents.
# - PART-REQUEST: a member user submits introduction requests for the organisations they act for.
# - PART-ORG-PANEL: the timeline and engagement panel of an organisation follows ORG-VIEW.


def can_manage_partnerships(user: Any) -> bool:
    """PART-MANAGE."""
    return is_staff(user)


def can_see_partnership_notes(user: Any) -> bool:
    """PRIVATE fields and internal rows of the partnerships app: staff only."""
    return is_staff(user)


def can_request_introduction(user: Any, organisation: Model | None = None) -> bool:
    """PART-REQUEST."""
    if not is_member_user(user):
        return False
    ids = member_organisation_ids(user)
    return bool(ids) if organisation is None else organisation.pk in ids


def restrict_partnership_rows(queryset: QuerySet, user: Any, *organisation_paths: str) -> QuerySet:
    """PART-MEMBER: rows linked (through any of ``organisation_paths``) to the user's organisations, not internal."""
    if is_staff(user):
        return queryset
    ids = member_organisation_ids(user)
    if not ids:
        return queryset.none()
    condition = Q()
    for path in organisation_paths:
        condition |= Q(**{f"{path}__in": ids})
    return queryset.filter(condition).exclude(is_internal=True).distinct()


partnerships_staff_required = _guard(can_manage_partnerships)
partnerships_request_required = _guard(can_request_introduction)


# --- innovation: projects, calls, support actions, valorisation ------------------------------------
# - INNO-MANAGE: staff (and admins) see every project and write everything (board, calls, support
#   actions, outcomes, story drafts, internal notes). Observers read mission-4 numbers through the
#   objectives app only: the innovation pages and API answer 403.
# - INNO-VIEW: a member user sees a project only when it is at "consortium" confidentiality AND one of
#   the organisations they act for is its lead or a partner; a "staff" project is invisible to every
#   member (404, so its existence does not leak). Never the internal notes.
# - INNO-SUBMIT: a member user submits ideas or help requests for the organisations they act for.
# - INNO-ORG-PANEL: the projects panel of an organisation follows ORG-VIEW, then INNO-VIEW per project.
# - INNO-STAFF-ONLY: a staff-only project shows in shared views (collaboration network, its exports and
#   API, read by observers too) only to staff: even a link between two partners tells it exists.


def can_manage_innovation(user: Any) -> bool:
    """INNO-MANAGE."""
    return is_staff(user)


def can_see_staff_only_projects(user: Any) -> bool:
    """INNO-STAFF-ONLY."""
    return is_staff(user)


def restrict_innovation_projects(queryset: QuerySet, user: Any) -> QuerySet:
    """INNO-VIEW for lists: every project for staff; consortium projects of the user's organisations for members."""
    if is_staff(user):
        return queryset
    ids = member_organisation_ids(user)
    if not ids:
        return queryset.none()
    return queryset.filter(
        Q(lead_organisation_id__in=ids) | Q(partners__organisation_id__in=ids), confidentiality="consortium"
    ).distinct()


def can_view_innovation_project(user: Any, project: Model) -> bool:
    """INNO-VIEW."""
    if is_staff(user):
        return True
    if project.confidentiality != "consortium":
        return False
    ids = member_organisation_ids(user)
    if not ids:
        return False
    if project.lead_organisation_id in ids:
        return True
    return project.partners.filter(organisation_id__in=ids).exists()


def can_submit_innovation_idea(user: Any, organisation: Model | None = None) -> bool:
    """INNO-SUBMIT."""
    if not is_member_user(user):
        return False
    ids = member_organisation_ids(user)
    return bool(ids) if organisation is None else organisation.pk in ids


innovation_staff_required = _guard(can_manage_innovation)
innovation_member_required = _guard(can_submit_innovation_idea)


# --- register (KBO/BCE universe, links, changes feed, imports) -------------------------------------
# - REG-MANAGE: staff (and admins) search the register, see enterprise sheets, the changes feed and the
#   candidate queue, link and enrich organisations, add enterprises to the ecosystem, run imports.
#   Member users and observers: 403 (the register view of an organisation is a staff-only panel).


def can_use_register(user: Any) -> bool:
    """REG-MANAGE."""
    return is_staff(user)


register_staff_required = _guard(can_use_register)


# --- insights: strategic view (representativeness, prospects, map, network, dashboard) -------------
# Rules (the insights views call nothing else):
# - INSIGHTS-READ: staff, admins and observers read every insights page, chart, table and export
#   (aggregates, register data that is public, ecosystem names); member users and visitors: none.
# - INSIGHTS-ACT: only staff add a register enterprise to the ecosystem or mark it as a prospect.
# - INSIGHTS-PERIMETER: readers see the perimeter (segments' NACE codes); only staff edit it.


def can_read_insights(user: Any) -> bool:
    return can_read_reports(user)


def can_act_on_prospects(user: Any) -> bool:
    return is_staff(user)


def can_edit_perimeter(user: Any) -> bool:
    """INSIGHTS-PERIMETER (the segments' NACE codes are a taxonomy: same rule)."""
    return can_edit_taxonomies(user)


insights_required = _guard(can_read_insights)


# --- showcase: public profile proposals (grappe.showcase.profiles) ---------------------------------
# - PROFILE-PROPOSE: a member user proposes changes to the public profile of the organisations of
#   their current affiliations; staff may too. Observers and anonymous visitors may not.
#   PROFILE-PORTAL: the list of those organisations (/portal/profiles/) is open to member users and
#   staff; observers get a 403, anonymous visitors the login page.
# - PROFILE-REVIEW: staff (and admins) see the diff and approve or reject.
# - PROMOTION: the promotion log (communication actions) is staff-only; observers read its figures.
# - OPPORTUNITY-POST: a member user posts opportunities for the organisations of their current
#   affiliations (pending until moderated); staff post published ones.
# - PUBLIC-CONTENT: staff moderate opportunities and write news and stories.
# - COLLEAGUES (grappe.ecosystem.portal_colleagues): a member user invites, lists and revokes the
#   logins of their organisation's colleagues; staff may for any organisation.
# - PORTAL-SELF (grappe.ecosystem: /portal/me/, /portal/me/consents/): a member user whose login is
#   tied to a person reads and edits that person's own record and consents. Staff, observers and a
#   member login without a person: 403 (staff edit people in the workspace).


def can_propose_public_profile(user: Any, organisation: Model) -> bool:
    """PROFILE-PROPOSE."""
    return is_staff(user) or organisation.pk in member_organisation_ids(user)


def can_manage_colleagues(user: Any, organisation: Model) -> bool:
    """COLLEAGUES: staff, or a member user acting for the organisation (invite, list, revoke access)."""
    return is_staff(user) or organisation.pk in member_organisation_ids(user)


def can_use_own_person_record(user: Any) -> bool:
    """PORTAL-SELF."""
    return is_member_user(user) and bool(getattr(user, "person_id", None))


def can_list_public_profile_proposals(user: Any) -> bool:
    """PROFILE-PORTAL."""
    return is_staff(user) or is_member_user(user)


profile_portal_required = _guard(can_list_public_profile_proposals)


def can_review_public_profiles(user: Any) -> bool:
    """PROFILE-REVIEW."""
    return is_staff(user)


def can_manage_promotion(user: Any) -> bool:
    """PROMOTION."""
    return is_staff(user)


def can_post_opportunity(user: Any, organisation: Model | None) -> bool:
    """OPPORTUNITY-POST."""
    if is_staff(user):
        return True
    return organisation is not None and organisation.pk in member_organisation_ids(user)


def can_manage_public_content(user: Any) -> bool:
    """PUBLIC-CONTENT."""
    return is_staff(user)


# --- API tokens (grappe.accounts.tokens, grappe.core.api_auth) ------------------------------------
# - TOKEN-OWN: staff and member users create, list and revoke their own personal API tokens
#   (/account/tokens/); observers and anonymous visitors have none. A token never grants more than
#   its user's role: the API applies the rules above to the token's user.


def can_have_api_tokens(user: Any) -> bool:
    """TOKEN-OWN."""
    return is_staff(user) or is_member_user(user)


api_tokens_required = _guard(can_have_api_tokens)


# --- Platform: background jobs and webhooks (grappe.core.jobs, grappe.core.webhooks) --------------
# - JOBS: staff and admins see the background work page (periodic jobs, tasks and their errors,
#   workers), retry a failed task and make a periodic job run now; others get a 403.
# - WEBHOOKS: staff and admins register outgoing webhooks and read their delivery log.


def can_manage_jobs(user: Any) -> bool:
    """JOBS."""
    return is_staff(user)


def can_manage_webhooks(user: Any) -> bool:
    """WEBHOOKS."""
    return is_staff(user)


jobs_required = _guard(can_manage_jobs)
webhooks_required = _guard(can_manage_webhooks)


# --- privacy (GDPR): register of processing activities, subject-access export, erasure ----------------
# - PRIVACY-MANAGE: staff (and admins) read the register, export and erase any person.
# - PRIVACY-SELF: a member user downloads the export of their own person and asks for erasure (portal);
#   staff erase or refuse with a reason the person reads.


def can_manage_privacy(user: Any) -> bool:
    """PRIVACY-MANAGE."""
    return is_staff(user)


privacy_staff_required = _guard(can_manage_privacy)
