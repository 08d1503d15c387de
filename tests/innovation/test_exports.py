"""What a member's own GDPR export (portal copy) carries of innovation: INNO-VIEW, never staff-only data."""

import datetime as dt
import io
import json
import zipfile

from grappe.innovation import services
from grappe.privacy.services import person_export


def _tables(user) -> dict:
    archive = zipfile.ZipFile(io.BytesIO(person_export(user.person, for_subject=True)))
    return json.loads(archive.read("donnees.json"))


def _submit(member, org):
    return services.portal_idea_submit(
        actor=member,
        organisation=org,
        title="Idée de granulats recyclés",
        summary="Des granulats issus de la démolition pour nos chapes, avec un partenaire.",
    )


def test_a_members_export_keeps_their_consortium_idea_without_staff_workflow(member_a, org_a, staff_user):
    project = _submit(member_a, org_a)
    services.project_update(actor=staff_user, project=project, internal_notes="NOTE-INTERNE")
    services.support_action_log(actor=staff_user, kind="coaching", date=dt.date(2026, 3, 2), hours=2, project=project)
    tables = _tables(member_a)
    assert [row["title"] for row in tables["innovation.InnovationProject"]] == ["Idée de granulats recyclés"]
    assert "NOTE-INTERNE" not in json.dumps(tables, ensure_ascii=False)
    assert all("internal_notes" not in row for row in tables["innovation.InnovationProject"])
    # The stage history the portal shows is there; the cluster's checklist and time log are not.
    assert tables["innovation.StageChange"]
    assert not tables.get("innovation.GateChecklistItem") and not tables.get("innovation.SupportAction")


def test_an_idea_made_staff_only_leaves_the_members_export(member_a, org_a, staff_user):
    project = _submit(member_a, org_a)
    services.project_update(
        actor=staff_user, project=project, title="Projet stratégique caché", confidentiality="staff"
    )
    tables = _tables(member_a)
    text = json.dumps(tables, ensure_ascii=False)
    assert "Projet stratégique caché" not in text and "granulats recyclés" not in text
    assert not tables.get("innovation.InnovationProject") and not tables.get("innovation.StageChange")
    assert not tables.get("innovation.ProjectPartner")


def test_the_staff_export_keeps_everything(member_a, org_a, staff_user):
    project = _submit(member_a, org_a)
    services.project_update(actor=staff_user, project=project, confidentiality="staff", internal_notes="NOTE-INTERNE")
    archive = zipfile.ZipFile(io.BytesIO(person_export(member_a.person)))
    tables = json.loads(archive.read("donnees.json"))
    assert tables["innovation.InnovationProject"][0]["internal_notes"] == "NOTE-INTERNE"
