"""Projects: creation, stage moves with gates and history, money rules, consortium, support, stories."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grappe.core.models import AuditEntry
from grappe.innovation import services
from grappe.innovation.models import (
    FundingCall,
    GateChecklistItem,
    InnovationProject,
    ProjectPartner,
    StageChange,
    StoryDraft,
    SupportAction,
)

from .conftest import tick_gates

Stage = InnovationProject.Stage


def test_a_new_project_has_its_lead_as_partner_its_gates_and_a_first_history_line(project, org_a, staff_user):
    assert project.stage == Stage.IDEA
    assert list(project.partners.values_list("organisation_id", "role")) == [(org_a.pk, "lead")]
    assert project.checklist.filter(stage=Stage.IDEA, mandatory=True).count() == 2
    change = project.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.by) == ("", Stage.IDEA, staff_user)
    assert AuditEntry.objects.filter(action="innovation.project.created", object_id=str(project.pk)).exists()


def test_a_project_without_a_lead_organisation_is_refused(staff_user):
    with pytest.raises(ValidationError) as error:
        services.project_create(actor=staff_user, title="Sans porteur", lead_organisation=None)
    assert "lead_organisation" in error.value.message_dict
    assert not InnovationProject.objects.exists()


def test_moving_forward_with_an_unchecked_mandatory_gate_is_refused_with_the_missing_items(project, staff_user):
    with pytest.raises(ValidationError) as error:
        services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.EMERGENCE)
    message = error.value.message_dict["to_stage"][0]
    assert "Idée reformulée avec le porteur" in message and "« idée »" in message
    project.refresh_from_db()
    assert project.stage == Stage.IDEA
    assert project.stage_changes.count() == 1


def test_a_stage_jump_that_skips_a_mandatory_gate_is_refused_even_when_the_current_gate_is_done(project, staff_user):
    tick_gates(project, Stage.IDEA)
    with pytest.raises(ValidationError) as error:
        services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.ELABORATION)
    message = error.value.message_dict["to_stage"][0]
    assert "émergence" in message and "Besoins en compétences" in message
    assert "Idée reformulée" not in message


def test_optional_items_do_not_block_and_each_move_is_recorded_with_who_and_when(project, staff_user):
    tick_gates(project, Stage.IDEA)
    GateChecklistItem.objects.filter(project=project, stage=Stage.EMERGENCE, mandatory=True).update(done=True)
    services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.ELABORATION)
    project.refresh_from_db()
    assert project.stage == Stage.ELABORATION
    history = list(project.stage_changes.values_list("from_stage", "to_stage"))
    assert history == [("", Stage.IDEA), (Stage.IDEA, Stage.ELABORATION)]
    assert StageChange.objects.filter(project=project, by=staff_user).count() == 2


def test_abandoning_needs_a_reason_and_reopening_goes_back_only_to_the_stage_left(project, staff_user):
    with pytest.raises(ValidationError) as error:
        services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.ABANDONED, reason="  ")
    assert "reason" in error.value.message_dict
    services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.ABANDONED, reason="Porteur parti")
    assert project.stage_changes.last().reason == "Porteur parti"
    with pytest.raises(ValidationError) as error:
        services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.FUNDED, reason="Retour")
    assert "idée" in error.value.message_dict["to_stage"][0]
    services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.IDEA, reason="Nouveau porteur")
    project.refresh_from_db()
    assert project.stage == Stage.IDEA


def test_moving_back_needs_a_reason(project, staff_user):
    tick_gates(project, Stage.IDEA)
    services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.EMERGENCE)
    with pytest.raises(ValidationError):
        services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.IDEA)
    services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.IDEA, reason="Idée à revoir")
    assert project.stage == Stage.IDEA


def test_funded_needs_the_amount_obtained(project, staff_user):
    tick_gates(project, Stage.IDEA, Stage.EMERGENCE, Stage.ELABORATION, Stage.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.FUNDED)
    assert "financement obtenu" in error.value.message_dict["to_stage"][0]
    services.project_update(
        actor=staff_user, project=project, budget=Decimal("100000"), funding_obtained=Decimal("60000")
    )
    services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.FUNDED)
    assert project.stage == Stage.FUNDED


def test_an_amount_obtained_above_the_budget_is_refused_and_nothing_changes(project, staff_user):
    services.project_update(actor=staff_user, project=project, budget=Decimal("50000"))
    with pytest.raises(ValidationError) as error:
        services.project_update(actor=staff_user, project=project, funding_obtained=Decimal("50000.01"))
    assert error.value.message_dict["funding_obtained"] == ["Le financement obtenu dépasse le budget du projet."]
    project.refresh_from_db()
    assert project.funding_obtained is None


def test_unknown_tags_are_refused(project, staff_user):
    with pytest.raises(ValidationError) as error:
        services.project_update(actor=staff_user, project=project, transitions=["digital", "spatial"], sdgs=[18])
    assert {"transitions", "sdgs"} <= set(error.value.message_dict)


def test_a_call_closing_before_it_opens_is_refused(staff_user):
    with pytest.raises(ValidationError) as error:
        services.call_create(
            actor=staff_user,
            title="Appel test",
            programme="Programme",
            funder="Région",
            opens_on=dt.date(2026, 5, 1),
            closes_on=dt.date(2026, 4, 1),
        )
    assert "closes_on" in error.value.message_dict
    assert not FundingCall.objects.exists()


def test_a_partner_without_an_organisation_is_refused(project, staff_user):
    with pytest.raises(ValidationError) as error:
        services.partner_add(actor=staff_user, project=project, organisation=None, role=ProjectPartner.Role.SME)
    assert error.value.message_dict["organisation"] == ["Choisissez l'organisation partenaire."]


def test_partners_are_added_once_and_the_lead_cannot_be_removed(project, org_a, org_b, staff_user):
    partner = services.partner_add(actor=staff_user, project=project, organisation=org_b, role="sme")
    with pytest.raises(ValidationError):
        services.partner_add(actor=staff_user, project=project, organisation=org_b, role="end_user")
    with pytest.raises(ValidationError):
        services.partner_remove(actor=staff_user, partner=project.partners.get(organisation=org_a))
    services.partner_remove(actor=staff_user, partner=partner)
    assert list(project.partners.values_list("organisation_id", flat=True)) == [org_a.pk]


def test_support_actions_go_to_the_projects_lead_and_need_positive_hours(project, org_a, staff_user):
    action = services.support_action_log(
        actor=staff_user, kind="coaching", date=dt.date(2026, 1, 5), hours="2.5", project=project
    )
    assert (action.organisation, action.staff, action.hours) == (org_a, staff_user, Decimal("2.5"))
    for bad in ("0", "-1", "abc"):
        with pytest.raises(ValidationError) as error:
            services.support_action_log(
                actor=staff_user, kind="coaching", date=dt.date(2026, 1, 5), hours=bad, project=project
            )
        assert "hours" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.support_action_log(actor=staff_user, kind="coaching", date=dt.date(2026, 1, 5), hours=1)
    assert SupportAction.objects.count() == 1


def test_a_story_draft_is_written_from_a_funded_project_but_never_from_a_staff_only_one(project, org_b, staff_user):
    with pytest.raises(ValidationError):
        services.story_from_project(actor=staff_user, project=project)
    services.partner_add(actor=staff_user, project=project, organisation=org_b, role="sme")
    services.project_update(
        actor=staff_user, project=project, budget=Decimal("200000"), funding_obtained=Decimal("120000")
    )
    tick_gates(project, Stage.IDEA, Stage.EMERGENCE, Stage.ELABORATION, Stage.SUBMITTED)
    services.project_move_stage(actor=staff_user, project=project, to_stage=Stage.FUNDED)
    services.valorisation_record(
        actor=staff_user,
        project=project,
        kind="product",
        title="Brique requalifiée",
        date=dt.date(2026, 2, 1),
        jobs_created=3,
    )
    draft = services.story_from_project(actor=staff_user, project=project)
    assert draft.title == project.title
    assert "Béton Bêta" in draft.body and "Brique requalifiée" in draft.body and "3 emplois" in draft.body
    services.project_update(actor=staff_user, project=project, confidentiality="staff")
    with pytest.raises(ValidationError):
        services.story_from_project(actor=staff_user, project=project)
    # The draft written while the project was shareable is withdrawn before the showcase can publish it.
    assert not StoryDraft.objects.filter(pk=draft.pk).exists()
    entry = AuditEntry.objects.filter(action="innovation.project.updated").order_by("-pk").first()
    assert entry.changes["story_drafts_withdrawn"] == [draft.pk]


def test_making_a_project_staff_only_leaves_drafts_the_showcase_already_took_over(project, staff_user):
    taken = StoryDraft.objects.create(project=project, title="Repris", body="x", taken_over_at=dt.datetime.now(dt.UTC))
    services.project_update(actor=staff_user, project=project, confidentiality="staff")
    assert StoryDraft.objects.filter(pk=taken.pk).exists()
