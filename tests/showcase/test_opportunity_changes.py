"""Posters edit, extend and withdraw their opportunities from the portal; staff from the moderation page.

A member's edit goes back to moderation (like a new post); an extension keeps the same limits as posting
(today at the earliest, a year ahead at most); a withdrawn opportunity leaves every public page, the feed,
the sitemap and the organisation's profile at once. Every change is audited.
"""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from grappe.core.models import AuditEntry
from grappe.showcase import opportunity_reminders
from grappe.showcase.models import Opportunity

PORTAL = "/portal/opportunities/"
STAFF_OPP = "/staff/showcase/opportunities/"


@pytest.fixture
def public_a(org_a):
    org_a.public_profile_consent = True
    org_a.save()
    return org_a


@pytest.fixture
def published(public_a, member_a) -> Opportunity:
    return Opportunity.objects.create(
        kind=Opportunity.Kind.JOB,
        status=Opportunity.Status.PUBLISHED,
        title="Conducteur de travaux",
        description="CDI à Namur.",
        organisation=public_a,
        expires_on=timezone.localdate() + dt.timedelta(days=5),
        published_at=timezone.now(),
        posted_by=member_a,
        contact_email="jobs@alpha.example",
    )


def _edit_data(opportunity: Opportunity, **overrides) -> dict:
    data = {
        "kind": opportunity.kind,
        "title": opportunity.title,
        "description": opportunity.description,
        "language": "fr",
        "organisation": opportunity.organisation_id or "",
        "link": "",
        "contact_email": opportunity.contact_email,
        "expires_on": opportunity.expires_on.isoformat(),
    }
    data.update(overrides)
    return data


def _url(opportunity: Opportunity, action: str) -> str:
    return f"{PORTAL}{opportunity.pk}/{action}/"


def _actions() -> set[str]:
    return set(AuditEntry.objects.values_list("action", flat=True))


def _day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# --- member of the poster's organisation -------------------------------------------------------------


def test_portal_list_links_to_edit_extend_withdraw(member_a_client, published):
    body = member_a_client.get(PORTAL).content.decode()
    for action in ("edit", "extend", "withdraw"):
        assert _url(published, action) in body


def test_member_edit_goes_back_to_moderation(member_a_client, client, published, staff_client):
    assert member_a_client.get(_url(published, "edit")).status_code == 200
    response = member_a_client.post(_url(published, "edit"), _edit_data(published, title="Conductrice de travaux"))
    assert response.status_code == 302 and response["Location"] == PORTAL
    published.refresh_from_db()
    assert published.title == "Conductrice de travaux"
    assert published.status == Opportunity.Status.PENDING and published.published_at is None
    assert "Conductrice de travaux" not in client.get("/fr/opportunities/").content.decode()
    assert "Conductrice de travaux" in staff_client.get(STAFF_OPP).content.decode()  # in the moderation queue
    entry = AuditEntry.objects.get(action="showcase.opportunity.updated")
    assert entry.changes["title"] == ["Conducteur de travaux", "Conductrice de travaux"]
    assert entry.changes["status"] == ["published", "pending"]


def test_member_edit_cannot_move_to_another_organisation(member_a_client, published, org_b):
    response = member_a_client.post(_url(published, "edit"), _edit_data(published, organisation=org_b.pk))
    assert response.status_code == 200  # the form refuses an organisation the member does not act for
    published.refresh_from_db()
    assert published.organisation_id != org_b.pk and published.status == Opportunity.Status.PUBLISHED


def test_member_extends_within_the_posting_limits(member_a_client, client, published):
    assert member_a_client.get(_url(published, "extend")).status_code == 200
    response = member_a_client.post(_url(published, "extend"), {"expires_on": _day(60)})
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.expires_on == timezone.localdate() + dt.timedelta(days=60)
    assert published.status == Opportunity.Status.PUBLISHED  # no new moderation: the text is unchanged
    assert "Conducteur de travaux" in client.get("/fr/opportunities/").content.decode()
    assert AuditEntry.objects.get(action="showcase.opportunity.extended").changes["expires_on"][1] == _day(60)


def test_extension_in_the_past_or_beyond_a_year_is_refused(member_a_client, published):
    before = published.expires_on
    response = member_a_client.post(_url(published, "extend"), {"expires_on": _day(-1)})
    assert response.status_code == 200
    assert "La date d&#x27;expiration est passée" in response.content.decode()
    response = member_a_client.post(_url(published, "extend"), {"expires_on": _day(400)})
    assert response.status_code == 200 and "un an au plus" in response.content.decode()
    assert member_a_client.post(_url(published, "extend"), {"expires_on": "pas une date"}).status_code == 200
    published.refresh_from_db()
    assert published.expires_on == before
    assert "showcase.opportunity.extended" not in _actions()


def test_member_withdraws(member_a_client, published):
    assert member_a_client.get(_url(published, "withdraw")).status_code == 405  # POST only
    response = member_a_client.post(_url(published, "withdraw"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Opportunity.Status.WITHDRAWN
    assert "showcase.opportunity.withdrawn" in _actions()
    # Withdrawn: no more edit nor extension nor reminder.
    assert member_a_client.post(_url(published, "extend"), {"expires_on": _day(30)}).status_code == 302
    published.refresh_from_db()
    assert published.status == Opportunity.Status.WITHDRAWN and "showcase.opportunity.extended" not in _actions()
    assert member_a_client.get(_url(published, "edit")).status_code == 302
    assert opportunity_reminders.send_reminders() == 0


def test_withdrawn_is_gone_from_public_pages_feed_sitemap_and_profile(member_a_client, client, published, public_a):
    urls = ["/fr/opportunities/", "/fr/opportunities/rss.xml", "/sitemap.xml", f"/fr/directory/{public_a.slug}/"]
    before = {url: client.get(url).content.decode() for url in urls}
    assert "Conducteur de travaux" in before["/fr/opportunities/"]
    assert "Conducteur de travaux" in before["/fr/opportunities/rss.xml"]
    assert "Conducteur de travaux" in before[f"/fr/directory/{public_a.slug}/"]
    member_a_client.post(_url(published, "withdraw"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "Conducteur de travaux" not in body, url
        assert f"opportunity-{published.pk}" not in body, url
    for language in ("en", "nl", "de"):
        assert "Conducteur de travaux" not in client.get(f"/{language}/opportunities/").content.decode()


def test_rejected_can_be_edited_and_resubmitted_not_extended(member_a_client, published):
    Opportunity.objects.filter(pk=published.pk).update(status=Opportunity.Status.REJECTED, published_at=None)
    response = member_a_client.post(_url(published, "extend"), {"expires_on": _day(30)})
    assert response.status_code == 200 and "refusée" in response.content.decode()
    member_a_client.post(_url(published, "edit"), _edit_data(published, description="CDI à Namur, permis B."))
    published.refresh_from_db()
    assert published.status == Opportunity.Status.PENDING


# --- other roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["edit", "extend"])
def test_anonymous_goes_to_login(client, published, action):
    response = client.get(_url(published, action))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(_url(published, "withdraw")).status_code == 302


def test_another_organisations_member_gets_404(member_b_client, published):
    assert member_b_client.get(_url(published, "edit")).status_code == 404
    assert member_b_client.get(_url(published, "extend")).status_code == 404
    assert member_b_client.post(_url(published, "extend"), {"expires_on": _day(60)}).status_code == 404
    assert member_b_client.post(_url(published, "edit"), _edit_data(published, title="Piraté")).status_code == 404
    assert member_b_client.post(_url(published, "withdraw")).status_code == 404
    published.refresh_from_db()
    assert published.status == Opportunity.Status.PUBLISHED and published.title == "Conducteur de travaux"
    assert not _actions() & {"showcase.opportunity.updated", "showcase.opportunity.withdrawn"}


def test_observer_gets_403(observer_client, published):
    assert observer_client.get(_url(published, "edit")).status_code == 403
    assert observer_client.get(_url(published, "extend")).status_code == 403
    assert observer_client.post(_url(published, "withdraw")).status_code == 403
    published.refresh_from_db()
    assert published.status == Opportunity.Status.PUBLISHED


def test_unknown_opportunity_is_404(member_a_client):
    assert member_a_client.get(f"{PORTAL}999999/edit/").status_code == 404


@pytest.mark.parametrize("fixture", ["staff_client", "admin_client_"])
def test_staff_and_admin_do_all_from_the_moderation_page(request, fixture, published, client):
    staff = request.getfixturevalue(fixture)
    body = staff.get(STAFF_OPP).content.decode()
    for action in ("edit", "extend", "withdraw"):
        assert _url(published, action) in body
    response = staff.post(_url(published, "edit"), _edit_data(published, title="Conducteur·rice de travaux"))
    assert response.status_code == 302 and response["Location"] == STAFF_OPP
    published.refresh_from_db()
    assert published.status == Opportunity.Status.PUBLISHED  # staff's edit is published as it is
    assert "Conducteur·rice de travaux" in client.get("/fr/opportunities/").content.decode()
    assert staff.post(_url(published, "extend"), {"expires_on": _day(100)}).status_code == 302
    assert staff.post(_url(published, "withdraw")).status_code == 302
    published.refresh_from_db()
    assert published.status == Opportunity.Status.WITHDRAWN
    assert published.expires_on == timezone.localdate() + dt.timedelta(days=100)
    assert {
        "showcase.opportunity.updated",
        "showcase.opportunity.extended",
        "showcase.opportunity.withdrawn",
    } <= _actions()


def test_staff_can_change_an_opportunity_posted_without_organisation(staff_client, staff_user):
    opportunity = Opportunity.objects.create(
        kind=Opportunity.Kind.TENDER,
        status=Opportunity.Status.PUBLISHED,
        title="Appel d'offres",
        description="Rénovation.",
        expires_on=timezone.localdate() + dt.timedelta(days=10),
        published_at=timezone.now(),
        posted_by=staff_user,
    )
    assert staff_client.post(_url(opportunity, "extend"), {"expires_on": _day(20)}).status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.expires_on == timezone.localdate() + dt.timedelta(days=20)


# --- the reminder e-mail -------------------------------------------------------------------------------


def test_reminder_links_to_the_extend_page(published, member_a_client, settings):
    assert opportunity_reminders.send_reminders() == 1
    body = mail.outbox[0].body
    extend = settings.SITE_URL.rstrip("/") + _url(published, "extend")
    assert extend in body
    assert "publiez-la à nouveau" not in body
    # The link works for the poster, and an extension is reminded again near the new date.
    assert member_a_client.post(_url(published, "extend"), {"expires_on": _day(40)}).status_code == 302
    assert opportunity_reminders.send_reminders(timezone.localdate() + dt.timedelta(days=35)) == 1
