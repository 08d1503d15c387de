"""Services: validation with clear messages, nothing changed on bad input, audit entries."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.ecosystem import services as eco
from grappe.partnerships import services
from grappe.partnerships.models import Collaboration, Interaction, Introduction, IntroductionRequest, Partner


def messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def test_collaboration_needs_two_partners(org_a, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.collaboration_create(actor=staff_user, title="Seule", kind="rd_project", partners=[org_a])
    assert "au moins deux partenaires" in messages(exc.value)
    assert Collaboration.objects.count() == 0


def test_collaboration_with_a_partner_that_does_not_exist_names_it(org_a, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.collaboration_create(
            actor=staff_user, title="Fantôme", kind="rd_project", partners=[(org_a, "lead"), (999999, "partner")]
        )
    assert "999999" in messages(exc.value)
    assert "partners" in exc.value.message_dict
    assert Collaboration.objects.count() == 0


def test_collaboration_twice_the_same_partner_is_refused(org_a, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.collaboration_create(actor=staff_user, title="X", kind="rd_project", partners=[org_a, org_a.pk])
    assert "deux fois" in messages(exc.value)


def test_collaboration_create_records_partners_and_audits_each_organisation(org_a, university, staff_user):
    collaboration = services.collaboration_create(
        actor=staff_user,
        title="Béton recyclé",
        kind="rd_project",
        partners=[(org_a, "lead"), (university, "research")],
        status="active",
        start_date=dt.date(2025, 3, 1),
        missions=["m2", "m4"],
    )
    assert set(collaboration.partners.values_list("organisation_id", "role")) == {
        (org_a.pk, "lead"),
        (university.pk, "research"),
    }
    entries = AuditEntry.objects.filter(action="partnerships.collaboration.created")
    assert set(entries.values_list("organisation_id", flat=True)) == {org_a.pk, university.pk}


def test_active_collaboration_needs_a_start_date_and_known_missions(org_a, org_b, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.collaboration_create(
            actor=staff_user, title="X", kind="rd_project", partners=[org_a, org_b], status="active"
        )
    assert "start_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.collaboration_create(
            actor=staff_user, title="X", kind="rd_project", partners=[org_a, org_b], missions=["m9"]
        )
    assert "missions" in exc.value.message_dict


def test_removing_a_partner_never_leaves_a_single_one(org_a, org_b, company_c, staff_user):
    collaboration = services.collaboration_create(
        actor=staff_user, title="Trio", kind="joint_action", partners=[org_a, org_b, company_c]
    )
    services.collaboration_remove_partner(actor=staff_user, partner=collaboration.partners.get(organisation=company_c))
    with pytest.raises(ValidationError) as exc:
        services.collaboration_remove_partner(actor=staff_user, partner=collaboration.partners.get(organisation=org_b))
    assert "au moins deux partenaires" in messages(exc.value)
    assert Partner.objects.filter(collaboration=collaboration).count() == 2


def test_adding_an_existing_partner_or_an_unknown_one_is_refused(org_a, org_b, staff_user):
    collaboration = services.collaboration_create(
        actor=staff_user, title="Duo", kind="commercial", partners=[org_a, org_b]
    )
    with pytest.raises(ValidationError, match="déjà partenaire"):
        services.collaboration_add_partner(actor=staff_user, collaboration=collaboration, organisation=org_b)
    with pytest.raises(ValidationError, match="n° 424242"):
        services.collaboration_add_partner(actor=staff_user, collaboration=collaboration, organisation=424242)


def test_documents_are_checked_for_type_size_and_content(org_a, org_b, staff_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    collaboration = services.collaboration_create(
        actor=staff_user, title="Duo", kind="commercial", partners=[org_a, org_b]
    )
    with pytest.raises(ValidationError, match="Type de fichier refusé"):
        services.collaboration_add_document(
            actor=staff_user, collaboration=collaboration, title="x", file=SimpleUploadedFile("x.exe", b"MZ....")
        )
    with pytest.raises(ValidationError, match="ne correspond pas"):
        services.collaboration_add_document(
            actor=staff_user, collaboration=collaboration, title="x", file=SimpleUploadedFile("x.pdf", b"PK\x03\x04")
        )
    with pytest.raises(ValidationError, match="code exécutable"):
        services.collaboration_add_document(
            actor=staff_user, collaboration=collaboration, title="x", file=SimpleUploadedFile("x.pdf", b"<html>")
        )
    with pytest.raises(ValidationError, match="code exécutable"):
        services.collaboration_add_document(
            actor=staff_user, collaboration=collaboration, title="x", file=SimpleUploadedFile("x.txt", b"#!/bin/sh\n")
        )
    with pytest.raises(ValidationError, match="vide"):
        services.collaboration_add_document(
            actor=staff_user, collaboration=collaboration, title="x", file=SimpleUploadedFile("x.pdf", b"")
        )
    with pytest.raises(ValidationError, match="taille maximale"):
        big = SimpleUploadedFile("x.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024))
        services.collaboration_add_document(actor=staff_user, collaboration=collaboration, title="x", file=big)
    document = services.collaboration_add_document(
        actor=staff_user, collaboration=collaboration, title="Convention", file=SimpleUploadedFile("c.pdf", b"%PDF-1.7")
    )
    assert document.file.name.endswith("c.pdf")
    assert collaboration.documents.count() == 1
    with pytest.raises(ValidationError) as refused:
        services.collaboration_add_document(
            actor=staff_user, collaboration=collaboration, title="x", file=SimpleUploadedFile("x.docx", b"%PDF-1.7")
        )
    assert "file" in refused.value.message_dict  # the form shows it on the file field


def test_introduction_follow_up_in_the_past_is_refused(org_a, org_b, staff_user):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.introduction_create(
            actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="Réemploi", follow_up_on=yesterday
        )
    assert "follow_up_on" in exc.value.message_dict
    assert "dans le passé" in messages(exc.value)
    assert Introduction.objects.count() == 0


def test_introduction_of_an_organisation_to_itself_or_to_nobody_is_refused(org_a, staff_user):
    with pytest.raises(ValidationError, match="différentes"):
        services.introduction_create(actor=staff_user, organisation_a=org_a, organisation_b=org_a, reason="x")
    with pytest.raises(ValidationError, match="n° 77777"):
        services.introduction_create(actor=staff_user, organisation_a=org_a, organisation_b=77777, reason="x")


def test_introduction_person_must_work_for_that_organisation(org_a, org_b, member_b, staff_user):
    with pytest.raises(ValidationError) as exc:
        services.introduction_create(
            actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="x", person_a=member_b.person
        )
    assert "person_a" in exc.value.message_dict


def test_outcome_collaboration_started_creates_a_collaboration_of_both(org_a, org_b, staff_user):
    introduction = services.introduction_create(
        actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="Béton de démolition"
    )
    assert introduction.owner == staff_user
    services.introduction_record_outcome(
        actor=staff_user,
        introduction=introduction,
        outcome="collaboration_started",
        new_collaboration={"title": "Filière granulats recyclés"},
    )
    introduction.refresh_from_db()
    assert introduction.status == Introduction.Status.CLOSED
    assert introduction.collaboration.title == "Filière granulats recyclés"
    assert set(introduction.collaboration.partners.values_list("organisation_id", flat=True)) == {org_a.pk, org_b.pk}
    assert introduction.collaboration.missions == ["m2"]  # brokered by the cluster
    assert introduction.collaboration.cluster_role == "facilitated"


def test_outcome_linking_a_collaboration_without_both_partners_is_refused(org_a, org_b, company_c, staff_user):
    other = services.collaboration_create(
        actor=staff_user, title="Autre", kind="commercial", partners=[org_a, company_c]
    )
    introduction = services.introduction_create(
        actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="x"
    )
    with pytest.raises(ValidationError, match="partenaires de cette collaboration"):
        services.introduction_record_outcome(
            actor=staff_user, introduction=introduction, outcome="collaboration_started", collaboration=other
        )
    with pytest.raises(ValidationError):
        services.introduction_record_outcome(actor=staff_user, introduction=introduction, outcome="married")
    introduction.refresh_from_db()
    assert introduction.outcome == Introduction.Outcome.UNKNOWN


def test_request_needs_a_real_description(org_a, member_a):
    with pytest.raises(ValidationError) as exc:
        services.introduction_request_submit(actor=member_a, organisation=org_a, needs="un gars")
    assert "needs" in exc.value.message_dict
    assert IntroductionRequest.objects.count() == 0


def test_request_resolution_rules(org_a, org_b, member_a, staff_user, observer_user):
    request = services.introduction_request_submit(
        actor=member_a, organisation=org_a, needs="Un bureau d'études qui maîtrise le réemploi des briques."
    )
    assert request.person == member_a.person
    with pytest.raises(ValidationError, match="équipe du cluster"):
        services.introduction_request_assign(actor=staff_user, request=request, owner=observer_user)
    services.introduction_request_assign(actor=staff_user, request=request, owner=staff_user)
    assert request.status == IntroductionRequest.Status.IN_PROGRESS
    with pytest.raises(ValidationError, match="Aucune mise en relation"):
        services.introduction_request_resolve(actor=staff_user, request=request, status="done")
    with pytest.raises(ValidationError, match="pourquoi"):
        services.introduction_request_resolve(actor=staff_user, request=request, status="declined")
    services.introduction_create(
        actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="Briques", request=request
    )
    services.introduction_request_resolve(actor=staff_user, request=request, status="done", response="Fait.")
    assert request.status == IntroductionRequest.Status.DONE
    assert AuditEntry.objects.filter(action__startswith="partnerships.request.", organisation_id=org_a.pk).count() == 3


def test_interaction_next_action_in_the_past_or_without_text_is_refused(org_a, staff_user):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.interaction_log(
            actor=staff_user,
            organisation=org_a,
            kind="call",
            date=today,
            summary="Appel",
            next_action="Rappeler",
            next_action_due=today - dt.timedelta(days=3),
        )
    assert "next_action_due" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.interaction_log(
            actor=staff_user, organisation=org_a, kind="call", date=today, summary="Appel", next_action_due=today
        )
    assert "next_action" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.interaction_log(actor=staff_user, organisation=org_a, kind="telepathy", date=today, summary="x")
    assert Interaction.objects.count() == 0


def test_an_old_follow_up_may_stay_when_other_fields_change(org_a, org_b, staff_user, travel):
    travel(dt.date(2025, 1, 10))
    introduction = services.introduction_create(
        actor=staff_user, organisation_a=org_a, organisation_b=org_b, reason="x", follow_up_on=dt.date(2025, 1, 20)
    )
    travel(dt.date(2025, 2, 1))
    services.introduction_update(actor=staff_user, introduction=introduction, channel="phone")
    with pytest.raises(ValidationError):
        services.introduction_update(actor=staff_user, introduction=introduction, follow_up_on=dt.date(2025, 1, 25))
    introduction.refresh_from_db()
    assert introduction.follow_up_on == dt.date(2025, 1, 20)


def test_person_of_interaction_must_be_affiliated(org_a, member_b, staff_user):
    eco.person_update(actor=None, person=member_b.person, first_name="Bruno")
    with pytest.raises(ValidationError) as exc:
        services.interaction_log(
            actor=staff_user,
            organisation=org_a,
            kind="visit",
            date=timezone.localdate(),
            summary="x",
            person=member_b.person,
        )
    assert "person" in exc.value.message_dict
