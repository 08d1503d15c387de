"""REST API of the partnerships app, mounted at /api/v1/partnerships/ (personal tokens with the ``partnerships:read``
scope, or the browser session: ``grappe.core.api_auth.ApiAuth``).

Staff see every row and the PRIVATE fields; member users see the non-internal rows of their own
organisations, through schemas that have no PRIVATE field at all; observers get 403, anonymous 401.
Reads carry a strong ETag (304 on If-None-Match), per role since staff and members see different payloads.
The OpenAPI document gives both schemas of each answer; lists take ``limit`` (page size) and ``page``.
"""

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import RootModel

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth, conditional
from grappe.partnerships import selectors
from grappe.partnerships.models import (
    Collaboration,
    CollaborationDocument,
    Interaction,
    Introduction,
    IntroductionRequest,
)

READ = ApiAuth("partnerships:read")
router = Router(auth=READ, tags=["partnerships"])

MAX_LIMIT = 500
# Ids are BIGINT: larger values would overflow in PostgreSQL instead of simply matching nothing (422, not 500).
MAX_ID = 2**63 - 1


class CollaborationPartnerOut(Schema):  # (innovation has its own PartnerOut: one OpenAPI component per name)
    organisation_id: int
    organisation: str
    role: str


class DocumentOut(Schema):
    id: int
    title: str
    url: str  # the external link, or the download page of the file (browser session)


class DocumentStaffOut(DocumentOut):
    is_internal: bool


class CollaborationOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    cluster_role: str
    outcomes: str
    missions: list[str]
    transitions: list[str]
    foreign_countries: list[str]
    partners: list[CollaborationPartnerOut]
    documents: list[DocumentOut]


class CollaborationStaffOut(CollaborationOut):
    documents: list[DocumentStaffOut]
    is_internal: bool
    internal_notes: str


class IntroductionOut(Schema):
    id: int
    organisation_a_id: int
    organisation_a: str
    organisation_b_id: int
    organisation_b: str
    reason: str
    channel: str
    introduced_on: dt.date
    status: str
    outcome: str
    collaboration_id: int | None


class IntroductionStaffOut(IntroductionOut):
    owner: str | None
    follow_up_on: dt.date | None
    is_internal: bool
    notes: str


def _reader(request: HttpRequest) -> bool:
    """True for staff; False for member users; 403 for anyone else."""
    if permissions.can_manage_partnerships(request.auth):
        return True
    if permissions.is_member_user(request.auth):
        return False
    raise HttpError(403, _("Accès réservé à l'équipe du cluster et aux membres."))


def _choice(value: str, choices: Any, name: str) -> str:
    """An empty filter, or one of the model's choices; anything else is a 422 naming the parameter."""
    if value and value not in choices.values:
        raise HttpError(422, _("%(name)s : valeur inconnue.") % {"name": name})
    return value


def _with_documents(rows: Any) -> Any:
    return rows.prefetch_related(Prefetch("documents", queryset=CollaborationDocument.objects.order_by("-created_at")))


def _limit(limit: int) -> int:
    if limit < 1 or limit > MAX_LIMIT:
        raise HttpError(422, _("limit : entre 1 et %(max)s.") % {"max": MAX_LIMIT})
    return limit


def _window(page: int, limit: int) -> slice:
    """Page ``page`` of ``limit`` rows (page pagination, as in the innovation API: a short or empty page is the
    last). The selectors order every list with the id last, so pages never overlap nor skip a row."""
    size = _limit(limit)
    return slice((page - 1) * size, page * size)


class _Payload(RootModel[Any]):
    """Any JSON payload already shaped by the role's schema (for the ETag of ``conditional``)."""


def _send(request: HttpRequest, response: HttpResponse, data: Any) -> Any:
    """``core.api_auth.conditional``: a strong ETag on every read, 304 (no body) when the client has it."""
    result = conditional(request, response, _Payload, data)
    if isinstance(result, Status):
        not_modified = HttpResponse(status=304)
        not_modified["ETag"], not_modified["Vary"] = response["ETag"], response["Vary"]
        return not_modified
    return result


def _document(d: CollaborationDocument, staff: bool) -> dict:
    data = {"id": d.pk, "title": d.title, "url": d.url or reverse("partnerships:document_download", args=[d.pk])}
    if staff:
        data["is_internal"] = d.is_internal
    return data


def _collaboration(c: Collaboration, staff: bool) -> dict:
    data = {
        "id": c.pk,
        "kind": c.kind,
        "title": c.title,
        "description": c.description,
        "status": c.status,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "cluster_role": c.cluster_role,
        "outcomes": c.outcomes,
        "missions": list(c.missions or []),
        "transitions": c.transition_tags,
        "foreign_countries": [str(country) for country in c.foreign_countries],
        "partners": [
            {"organisation_id": p.organisation_id, "organisation": p.organisation.name, "role": p.role}
            for p in c.partners.all()
        ],
        # Prefetched (``_with_documents``); a member never receives an internal document.
        "documents": [_document(d, staff) for d in c.documents.all() if staff or not d.is_internal],
    }
    if staff:
        data.update(is_internal=c.is_internal, internal_notes=c.internal_notes)
    return data


def _introduction(i: Introduction, staff: bool) -> dict:
    data = {
        "id": i.pk,
        "organisation_a_id": i.organisation_a_id,
        "organisation_a": i.organisation_a.name,
        "organisation_b_id": i.organisation_b_id,
        "organisation_b": i.organisation_b.name,
        "reason": i.reason,
        "channel": i.channel,
        "introduced_on": i.introduced_on,
        "status": i.status,
        "outcome": i.outcome,
        # A member is not told the id of a collaboration flagged internal (``introduction_list`` joins it).
        "collaboration_id": i.collaboration_id
        if staff or not (i.collaboration and i.collaboration.is_internal)
        else None,
    }
    if staff:
        data.update(
            owner=str(i.owner) if i.owner_id else None,
            follow_up_on=i.follow_up_on,
            is_internal=i.is_internal,
            notes=i.notes,
        )
    return data


PAGE = Query(1, ge=1, le=100_000, description="page of `limit` rows (a short or empty page is the last)")


# The schema is chosen per role (a member's has no PRIVATE field) and the payload shaped before ``_send``; the
# ``response=`` unions document both shapes in OpenAPI (as in the innovation API): a member's payload, lacking the
# staff fields, can only validate as the member schema, and a staff payload validates as the staff one (more
# fields set). Unknown filter values stay a 422 naming the parameter (``_choice``), checked in the view.
@router.get(
    "/collaborations",
    response={200: list[CollaborationStaffOut] | list[CollaborationOut], 304: None},
    summary="Collaborations visible to the user",
)
def list_collaborations(
    request: HttpRequest,
    response: HttpResponse,
    kind: str = "",
    status: str = "",
    organisation: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = 100,
    page: int = PAGE,
):
    staff = _reader(request)
    filters = {
        "kind": _choice(kind, Collaboration.Kind, "kind"),
        "status": _choice(status, Collaboration.Status, "status"),
        "organisation": organisation,
    }
    rows = selectors.collaboration_list(request.auth, {k: v for k, v in filters.items() if v})
    rows = _with_documents(rows)[_window(page, limit)]
    schema = CollaborationStaffOut if staff else CollaborationOut
    return _send(request, response, [schema(**_collaboration(c, staff)).model_dump(mode="json") for c in rows])


@router.get(
    "/collaborations/{pk}",
    response={200: CollaborationStaffOut | CollaborationOut, 304: None},
    summary="One collaboration visible to the user",
)
def get_collaboration(request: HttpRequest, response: HttpResponse, pk: int = Path(..., ge=1, le=MAX_ID)):
    staff = _reader(request)
    collaboration = _with_documents(selectors.collaboration_list(request.auth).filter(pk=pk)).first()
    if collaboration is None:
        raise HttpError(404, _("Collaboration introuvable."))
    schema = CollaborationStaffOut if staff else CollaborationOut
    return _send(request, response, schema(**_collaboration(collaboration, staff)).model_dump(mode="json"))


@router.get(
    "/introductions",
    response={200: list[IntroductionStaffOut] | list[IntroductionOut], 304: None},
    summary="Introductions visible to the user",
)
def list_introductions(
    request: HttpRequest,
    response: HttpResponse,
    status: str = "",
    outcome: str = "",
    organisation: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = 100,
    page: int = PAGE,
):
    staff = _reader(request)
    filters = {
        "status": _choice(status, Introduction.Status, "status"),
        "outcome": _choice(outcome, Introduction.Outcome, "outcome"),
        "organisation": organisation,
    }
    rows = selectors.introduction_list(request.auth, {k: v for k, v in filters.items() if v})[_window(page, limit)]
    schema = IntroductionStaffOut if staff else IntroductionOut
    return _send(request, response, [schema(**_introduction(i, staff)).model_dump(mode="json") for i in rows])


class InteractionOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    kind: str
    date: dt.date
    summary: str
    next_action: str
    next_action_due: dt.date | None
    next_action_done: bool


class InteractionStaffOut(InteractionOut):
    person: str | None
    owner: str | None
    is_internal: bool
    notes: str


class RequestOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    needs: str
    status: str
    response: str
    created_at: dt.datetime


class RequestStaffOut(RequestOut):
    owner: str | None
    staff_notes: str


def _interaction(i: Interaction, staff: bool) -> dict:
    data = {
        "id": i.pk,
        "organisation_id": i.organisation_id,
        "organisation": i.organisation.name,
        "kind": i.kind,
        "date": i.date,
        "summary": i.summary,
        "next_action": i.next_action,
        "next_action_due": i.next_action_due,
        "next_action_done": i.next_action_done,
    }
    if staff:
        data.update(
            person=str(i.person) if i.person_id else None,
            owner=str(i.owner) if i.owner_id else None,
            is_internal=i.is_internal,
            notes=i.notes,
        )
    return data


def _request(r: IntroductionRequest, staff: bool) -> dict:
    data = {
        "id": r.pk,
        "organisation_id": r.organisation_id,
        "organisation": r.organisation.name,
        "needs": r.needs,
        "status": r.status,
        "response": r.response,
        "created_at": r.created_at,
    }
    if staff:
        data.update(owner=str(r.owner) if r.owner_id else None, staff_notes=r.staff_notes)
    return data


@router.get(
    "/interactions",
    response={200: list[InteractionStaffOut] | list[InteractionOut], 304: None},
    summary="Interactions (calls, visits, meetings, e-mails) visible to the user",
)
def list_interactions(
    request: HttpRequest,
    response: HttpResponse,
    organisation: int | None = Query(None, ge=1, le=MAX_ID),
    kind: str = "",
    limit: int = 100,
    page: int = PAGE,
):
    staff = _reader(request)
    if kind and kind not in Interaction.Kind.values:
        raise HttpError(422, _("kind: type d'échange inconnu."))
    rows = selectors.interaction_list(request.auth, organisation)
    if kind:
        rows = rows.filter(kind=kind)
    schema = InteractionStaffOut if staff else InteractionOut
    return _send(
        request,
        response,
        [schema(**_interaction(i, staff)).model_dump(mode="json") for i in rows[_window(page, limit)]],
    )


@router.get(
    "/requests",
    response={200: list[RequestStaffOut] | list[RequestOut], 304: None},
    summary="Introduction requests: the staff queue, or a member's own requests",
)
def list_requests(request: HttpRequest, response: HttpResponse, status: str = "", limit: int = 100, page: int = PAGE):
    staff = _reader(request)
    if status and status not in IntroductionRequest.Status.values:
        raise HttpError(422, _("status: statut inconnu."))
    rows = selectors.request_list(request.auth, {"status": status} if status else {})
    schema = RequestStaffOut if staff else RequestOut
    return _send(
        request, response, [schema(**_request(r, staff)).model_dump(mode="json") for r in rows[_window(page, limit)]]
    )
