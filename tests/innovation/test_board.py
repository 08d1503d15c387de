"""The board's figures on hand-built histories: funnel (reached, conversion, median days), filters."""

import datetime as dt

from django.urls import reverse

from grappe.innovation import selectors, services
from grappe.innovation.models import InnovationProject

from ..conftest import client_for
from .conftest import make_org, tick_gates

Stage = InnovationProject.Stage
T0 = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC)


def _day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def _project(actor, org, title: str, *, stage: str = Stage.IDEA, **fields) -> InnovationProject:
    project = services.project_create(actor=actor, title=title, lead_organisation=org, at=T0, stage=stage, **fields)
    tick_gates(project, *InnovationProject.PIPELINE)
    return project


def _move(actor, project, stage: str, day: int, reason: str = "") -> None:
    services.project_move_stage(actor=actor, project=project, to_stage=stage, at=_day(day), reason=reason)


def test_the_funnel_counts_reached_stages_conversion_and_median_days(staff_user, org_a):
    p1 = _project(staff_user, org_a, "P1")
    _move(staff_user, p1, Stage.EMERGENCE, 10)
    _move(staff_user, p1, Stage.ELABORATION, 30)
    p2 = _project(staff_user, org_a, "P2")
    _move(staff_user, p2, Stage.EMERGENCE, 20)
    _move(staff_user, p2, Stage.ABANDONED, 25, reason="Pas de partenaire industriel")
    _project(staff_user, org_a, "P3")
    _project(staff_user, org_a, "P4", stage=Stage.ELABORATION)  # created at a later stage (import)

    rows = {row["stage"]: row for row in selectors.funnel(InnovationProject.objects.all())}

    assert [rows[s]["reached"] for s in InnovationProject.PIPELINE] == [3, 2, 2, 0, 0, 0, 0, 0]
    assert rows[Stage.IDEA]["conversion"] is None
    assert rows[Stage.EMERGENCE]["conversion"] == 66.7
    assert rows[Stage.ELABORATION]["conversion"] == 100.0
    assert rows[Stage.SUBMITTED]["conversion"] == 0.0
    assert rows[Stage.FUNDED]["conversion"] is None  # nothing reached the stage before
    # Completed stays only: idea 10 and 20 days, emergence 20 and 5 days; elaboration stays are still open.
    assert (rows[Stage.IDEA]["median_days"], rows[Stage.IDEA]["stays"]) == (15.0, 2)
    assert (rows[Stage.EMERGENCE]["median_days"], rows[Stage.EMERGENCE]["stays"]) == (12.5, 2)
    assert rows[Stage.ELABORATION]["median_days"] is None


def test_the_funnel_follows_the_board_filters(staff_user, org_a, org_b):
    p1 = _project(staff_user, org_a, "P1")
    _move(staff_user, p1, Stage.EMERGENCE, 4)
    _project(staff_user, org_b, "P2")
    rows = selectors.funnel(selectors.project_list(staff_user, {"organisation": org_b.pk}))
    assert [r["reached"] for r in rows[:2]] == [1, 0]
    html = client_for(staff_user).get(reverse("innovation:board"), {"organisation": org_a.pk}).content.decode()
    funnel = html.split('id="funnel-h"')[1].split("</table>")[0]
    assert "100,0 %" in funnel and "4,0" in funnel  # French number format


def test_the_board_filters_by_staff_owner_and_s3_domain(staff_user, admin_user, org_a):
    mine = _project(staff_user, org_a, "Chape recyclée", owner=staff_user, domains=["circular_materials"])
    other = _project(staff_user, org_a, "Toiture solaire", owner=admin_user, domains=["energy_transition"])
    client = client_for(staff_user)
    html = client.get(reverse("innovation:board"), {"owner": admin_user.pk}).content.decode()
    assert other.title in html and mine.title not in html
    html = client.get(reverse("innovation:board"), {"domain": "circular_materials"}).content.decode()
    assert mine.title in html and other.title not in html
    # An unknown domain is ignored rather than answering an empty board or an error.
    html = client.get(reverse("innovation:board"), {"domain": "nope"}).content.decode()
    assert mine.title in html and other.title in html


def test_a_member_organisation_filter_lists_only_consortium_organisations(staff_user, org_a, org_b):
    outsider = make_org("Hors consortium SA")
    project = _project(staff_user, org_a, "Béton")
    services.partner_add(actor=staff_user, project=project, organisation=org_b, role="sme")
    html = client_for(staff_user).get(reverse("innovation:board")).content.decode()
    options = html.split('name="organisation"')[1].split("</select>")[0]
    assert org_a.name in options and org_b.name in options and outsider.name not in options
