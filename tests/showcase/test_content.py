"""Opportunities posted by members (moderated) or staff; news and stories written by staff; story drafts taken over."""

import datetime as dt

import pytest
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.showcase.models import Opportunity, Post

PORTAL = "/portal/opportunities/"
STAFF_OPP = "/staff/showcase/opportunities/"
STAFF_POSTS = "/staff/showcase/posts/"


def opportunity_data(org, **overrides):
    data = {
        "kind": "job",
        "title": "Technicien·ne de chantier",
        "description": "CDI, permis B.",
        "language": "fr",
        "organisation": org.pk,
        "link": "https://jobs.example/1",
        "contact_email": "jobs@alpha.example",
        "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def test_member_posts_staff_publishes_public_sees(client, member_a_client, staff_client, org_a):
    assert member_a_client.post(PORTAL, opportunity_data(org_a)).status_code == 302
    opportunity = Opportunity.objects.get()
    assert opportunity.status == Opportunity.Status.PENDING
    assert "Technicien·ne de chantier" not in client.get("/fr/opportunities/").content.decode()
    assert "Technicien·ne de chantier" in staff_client.get(STAFF_OPP).content.decode()
    staff_client.post(f"{STAFF_OPP}{opportunity.pk}/moderate/", {"decision": "publish", "note": "ok"})
    assert "Technicien·ne de chantier" in client.get("/fr/opportunities/").content.decode()
    assert {"showcase.opportunity.posted", "showcase.opportunity.published"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_member_cannot_post_for_another_organisation_or_with_bad_dates(member_a_client, org_b, org_a):
    response = member_a_client.post(PORTAL, opportunity_data(org_b))
    assert response.status_code == 200 and not Opportunity.objects.exists()
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert member_a_client.post(PORTAL, opportunity_data(org_a, expires_on=past)).status_code == 200
    far = (timezone.localdate() + dt.timedelta(days=800)).isoformat()
    assert member_a_client.post(PORTAL, opportunity_data(org_a, expires_on=far)).status_code == 200
    assert member_a_client.post(PORTAL, opportunity_data(org_a, link="javascript:x")).status_code == 200
    assert not Opportunity.objects.exists()


def test_staff_opportunity_is_published_at_once_and_rejection(staff_client, org_a, member_a_client, client):
    staff_client.post(STAFF_OPP, opportunity_data(org_a, title="Appel d'offres façades"))
    assert Opportunity.objects.get().status == Opportunity.Status.PUBLISHED
    member_a_client.post(PORTAL, opportunity_data(org_a, title="À refuser"))
    pending = Opportunity.objects.get(title="À refuser")
    staff_client.post(f"{STAFF_OPP}{pending.pk}/moderate/", {"decision": "reject", "note": "SENTINEL-NOTE"})
    pending.refresh_from_db()
    assert pending.status == Opportunity.Status.REJECTED
    html = client.get("/fr/opportunities/").content.decode()
    assert "offres façades" in html and "À refuser" not in html and "SENTINEL-NOTE" not in html


def test_staff_writes_and_publishes_a_translated_post(staff_client, client):
    response = staff_client.post(
        f"{STAFF_POSTS}new/",
        {
            "kind": "news",
            "status": "published",
            "title_fr": "Salon Batibouw",
            "title_nl": "Beurs Batibouw",
            "body_fr": "Texte.",
            "body_nl": "Tekst.",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.slug == "salon-batibouw" and post.published_at is not None
    assert "Beurs Batibouw" in client.get("/nl/news/").content.decode()
    assert "Salon Batibouw" in client.get("/de/news/salon-batibouw/").content.decode()  # visible fallback
    response = staff_client.post(f"{STAFF_POSTS}new/", {"kind": "news", "status": "draft"})
    assert response.status_code == 200 and Post.objects.count() == 1


def test_story_draft_from_innovation_is_taken_over(staff_client, staff_user, org_a, client):
    from grappe.innovation import services as innovation_services
    from grappe.innovation.models import StoryDraft

    project = innovation_services.project_create(
        actor=staff_user, title="Briques de réemploi", summary="Résumé.", lead_organisation=org_a, owner=staff_user
    )
    draft = StoryDraft.objects.create(project=project, title="Des briques qui revivent", body="Texte du récit.")
    assert "Des briques qui revivent" in staff_client.get(STAFF_POSTS).content.decode()
    response = staff_client.post(f"/staff/showcase/story-drafts/{draft.pk}/take-over/")
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.kind == Post.Kind.STORY and post.status == Post.Status.DRAFT and post.source_draft_id == draft.pk
    draft.refresh_from_db()
    assert draft.taken_over_at is not None
    assert "Des briques qui revivent" not in client.get("/fr/stories/").content.decode()  # a draft until published
    again = staff_client.post(f"/staff/showcase/story-drafts/{draft.pk}/take-over/")
    assert again.status_code == 302 and Post.objects.count() == 1
    assert staff_client.post("/staff/showcase/story-drafts/999999/take-over/").status_code == 302


def test_a_staff_only_project_draft_is_not_taken_over(staff_client, staff_user, org_a):
    from grappe.innovation import services as innovation_services
    from grappe.innovation.models import InnovationProject, StoryDraft

    project = innovation_services.project_create(
        actor=staff_user, title="Procédé confidentiel", lead_organisation=org_a, owner=staff_user
    )
    draft = StoryDraft.objects.create(project=project, title="Récit confidentiel", body="Texte.")
    # Made staff-only behind the service's back (the service deletes open drafts when it does this).
    InnovationProject.objects.filter(pk=project.pk).update(confidentiality=InnovationProject.Confidentiality.STAFF)
    response = staff_client.post(f"/staff/showcase/story-drafts/{draft.pk}/take-over/", follow=True)
    assert "confidentiel (équipe uniquement)" in response.content.decode()
    assert not Post.objects.exists()
    draft.refresh_from_db()
    assert draft.taken_over_at is None


@pytest.mark.parametrize("url", [STAFF_OPP, STAFF_POSTS, f"{STAFF_POSTS}new/"])
def test_staff_pages_per_role(client, member_a_client, observer_client, staff_client, admin_client_, url):
    assert client.get(url).status_code == 302
    assert member_a_client.get(url).status_code == 403
    assert observer_client.get(url).status_code == 403
    assert staff_client.get(url).status_code == 200
    assert admin_client_.get(url).status_code == 200


def test_portal_page_per_role(client, member_a_client, observer_client, staff_client):
    assert client.get(PORTAL).status_code == 302
    assert observer_client.get(PORTAL).status_code == 403
    assert staff_client.get(PORTAL).status_code == 403  # staff post from the staff page
    assert member_a_client.get(PORTAL).status_code == 200
