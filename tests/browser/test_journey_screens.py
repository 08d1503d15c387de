"""Screenshots of the main screens for the README's tour, on the demo cluster (``grappe demo``).

Runs only with GRAPPE_SCREENSHOTS=1 (PNG files in docs/screenshots/, 1280x800); axe-core checks each screen.
"""

import io
import os

import pytest
from django.core.management import call_command

from grappe.accounts.models import User
from grappe.ecosystem.models import Organisation
from grappe.events.models import MatchmakingSession
from grappe.showcase.selectors import public_organisations
from tests.browser.axe import CHROMIUM, assert_accessible, login_as, new_page, screenshot

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
    pytest.mark.skipif(
        os.environ.get("GRAPPE_SCREENSHOTS") != "1", reason="screenshots only with GRAPPE_SCREENSHOTS=1"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_screenshots_of_the_main_screens(browser, live_server):
    call_command("demo", stdout=io.StringIO())
    staff_user = User.objects.create_user(email="tour@cluster.test", password="x-pass-123", role=User.Role.STAFF)
    staff = login_as(browser, live_server, staff_user)

    def shoot(page, path: str, name: str, ready: str = "main") -> None:
        page.goto(f"{live_server.url}{path}")
        target = page.locator(ready).first
        expect(target).to_be_visible()
        if ready.startswith("svg"):
            target.scroll_into_view_if_needed()
        assert_accessible(page)
        screenshot(page, name)

    shoot(staff, "/staff/organisations/", "staff-organisations")
    organisation = (
        Organisation.objects.filter(sites__isnull=False, memberships__isnull=False).distinct().order_by("name").first()
    )
    shoot(staff, f"/staff/organisations/{organisation.pk}/", "organisation-map", "svg.site-map")
    session = MatchmakingSession.objects.filter(meetings__slot__isnull=False).distinct().first()
    if session is not None:
        shoot(staff, f"/staff/events/matchmaking/{session.pk}/", "event-schedule")
    shoot(staff, "/staff/innovation/", "innovation-board")
    shoot(staff, "/reports/objectives/", "objectives-dashboard")
    shoot(staff, "/staff/insights/", "insights-dashboard")
    shoot(staff, "/staff/insights/map/", "insights-map", "svg.insights-map")
    shoot(staff, "/staff/insights/network/", "insights-network", "svg.network")
    shoot(staff, "/staff/insights/prospects/", "insights-prospects")
    shoot(staff, "/staff/watch/items/", "watch-items")
    shoot(staff, "/staff/partnerships/", "partnerships")
    shoot(staff, "/staff/privacy/", "privacy-register")

    visitor = new_page(browser)
    shoot(visitor, "/fr/directory/", "public-directory", ".directory-results")
    public = public_organisations().order_by("name").first()
    shoot(visitor, f"/fr/directory/{public.slug}/", "public-profile")
