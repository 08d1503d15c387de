"""Journey: a member edits the public profile in Dutch from the portal, staff approve it, the anonymous
visitor sees it on /nl/. axe-core runs on every page visited."""

import pytest
from django.utils import translation

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
from grappe.showcase.models import ProfileProposal
from tests.browser.axe import CHROMIUM, assert_accessible, login_as, new_page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]
DUTCH = "Gerecycleerde granulaten en koolstofarm beton uit Namen."


@pytest.mark.django_db(transaction=True)
def test_member_edits_dutch_profile_staff_approve_visitor_sees_it(browser, live_server, org_a, member_a, staff_user):
    with translation.override("fr"):
        services.organisation_update(
            actor=None, organisation=org_a, public_profile_consent=True, description_fr="Granulats recyclés."
        )
    org = Organisation.objects.get(pk=org_a.pk)

    visitor = new_page(browser, locale="nl-BE")
    visitor.goto(f"{live_server.url}/nl/directory/{org.slug}/")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Alpha Matériaux")
    expect(visitor.locator("main")).not_to_contain_text("Gerecycleerde")

    # The member, browsing in Dutch, proposes a Dutch description from the portal.
    member = login_as(browser, live_server, member_a, locale="nl-BE")
    member.goto(f"{live_server.url}/portal/public-profile/")
    assert_accessible(member)
    member.locator(f"a[href$='/portal/public-profile/{org.pk}/']").click()
    dutch = member.locator("textarea[name=description_nl]")
    expect(dutch).to_have_attribute("lang", "nl")
    assert_accessible(member)
    dutch.fill(DUTCH)
    member.locator("form:has(textarea[name=description_nl]) button[type=submit]").click()
    member.wait_for_url("**/portal/public-profile/")
    assert_accessible(member)
    proposal = ProfileProposal.objects.get(organisation=org)
    assert proposal.status == ProfileProposal.Status.PENDING

    # Not public before staff approve it.
    visitor.reload()
    expect(visitor.locator("main")).not_to_contain_text("Gerecycleerde")

    staff = login_as(browser, live_server, staff_user)
    staff.goto(f"{live_server.url}/staff/showcase/proposals/")
    assert_accessible(staff)
    staff.goto(f"{live_server.url}/staff/showcase/proposals/{proposal.pk}/")
    expect(staff.locator("ins").first).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("button", name="Publier").click()
    staff.wait_for_url("**/staff/showcase/proposals/**")
    proposal.refresh_from_db()
    assert proposal.status == ProfileProposal.Status.APPROVED

    visitor.reload()
    described = visitor.locator("[lang=nl]", has_text="Gerecycleerde granulaten")
    expect(described.first).to_be_visible()
    assert_accessible(visitor)
