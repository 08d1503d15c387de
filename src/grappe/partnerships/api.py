"""REST API of the partnerships app, mounted at /api/v1/partnerships/ (personal tokens with the ``partnerships:read``
scope, or the browser session: ``grappe.core.api_auth.ApiAuth``).

Staff see every row and the PRIVATE fields; member users see the non-internal rows of their own
organisations, through schemas that have no PRIVATE field at all; observers get 403, anonymous 401.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from grappe.accounts import permissions
from grappe.core.api_auth import ApiAuth
from grappe.partnerships import selectors
from grappe.partnerships.models import Collaboration, Introduction

READ = ApiAuth("partnerships:read")
router = Router(auth=READ, tags=["partnerships"])

MAX_LIMIT = 500


class PartnerOut(Schema):
    organisation_id: int
    organisation: str
    role: str


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
    partners: list[PartnerOut]


class CollaborationStaffOut(CollaborationOut):
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
    raise HttpError(403, "Accès réservé à l'équipe du cluster et aux membres.")


def _limit(limit: int) -> int:
    if limit < 1 or limit > MAX_LIMIT:
        raise HttpError(422, f"limit: entre 1 et {MAX_LIMIT}.")
    return limit


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
        "partners": [
            {"organisation_id": p.organisation_id, "organisation": p.organisation.name, "role": p.role}
            for p in c.partners.all()
        ],
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
        "collaboration_id": i.collaboration_id,
    }
    if staff:
        data.update(
            owner=str(i.owner) if i.owner_id else None,
            follow_up_on=i.follow_up_on,
            is_internal=i.is_internal,
            notes=i.notes,
        )
    return data


# No ``response=`` union: the schema is chosen per role, and a member's schema has no PRIVATE field.
@router.get("/collaborations", summary="Collaborations visible to the user")
def list_collaborations(
    request: HttpRequest, kind: str = "", status: str = "", organisation: int | None = None, limit: int = 100
):
    staff = _reader(request)
    filters = {"kind": kind, "status": status, "organisation": organisation}
    rows = selectors.collaboration_list(request.auth, {k: v for k, v in filters.items() if v})[: _limit(limit)]
    schema = CollaborationStaffOut if staff else CollaborationOut
    return [schema(**_collaboration(c, staff)).model_dump(mode="json") for c in rows]


@router.get("/collaborations/{pk}", summary="One collaboration visible to the user")
def get_collaboration(request: HttpRequest, pk: int):
    staff = _reader(request)
    collaboration = selectors.collaboration_list(request.auth).filter(pk=pk).first()
    if collaboration is None:
        raise HttpError(404, "Collaboration introuvable.")
    schema = CollaborationStaffOut if staff else CollaborationOut
    return schema(**_collaboration(collaboration, staff)).model_dump(mode="json")


@router.get("/introductions", summary="Introductions visible to the user")
def list_introductions(
    request: HttpRequest, status: str = "", outcome: str = "", organisation: int | None = None, limit: int = 100
):
    staff = _reader(request)
    filters = {"status": status, "outcome": outcome, "organisation": organisation}
    rows = selectors.introduction_list(request.auth, {k: v for k, v in filters.items() if v})[: _limit(limit)]
    schema = IntroductionStaffOut if staff else IntroductionOut
    return [schema(**_introduction(i, staff)).model_dump(mode="json") for i in rows]
