"""Browser journey (Playwright driving Debian's Chromium): register, fill the waitlist, cancel, see the promotion.
axe-core runs on every page visited (tests/browser/axe.py).

Run with ``pytest -m browser tests/browser``; skipped when /usr/bin/chromium or Playwright is missing.
"""

import datetime as dt

import pytest
from django.utils import timezone

from grappe.events import services
from grappe.events.models import Event, Registration
from tests.browser.axe import CHROMIUM, assert_accessible, login_as, new_page, violations

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]


@pytest.fixture
def full_event(transactional_db) -> Event:
    day = timezone.localdate() + dt.timedelta(days=14)
    tz = timezone.get_default_timezone()
    return services.event_create(
        actor=None,
        title="Visite d'un chantier de réemploi",
        start=dt.datetime.combine(day, dt.time(14), tzinfo=tz),
        end=dt.datetime.combine(day, dt.time(16), tzinfo=tz),
        venue_name="Chantier pilote",
        venue_address="Rue du Réemploi 3",
        capacity=1,
        status=Event.Status.PUBLISHED,
    )


def _register(page, live_server, event: Event, first: str, last: str, email: str) -> str:
    page.goto(f"{live_server.url}/events/{event.slug}/")
    assert_accessible(page)
    page.locator("#id_first_name").fill(first)
    page.locator("#id_last_name").fill(last)
    page.locator("#id_email").fill(email)
    page.locator("#id_organisation_name").fill("Menuiserie du Pont")
    page.get_by_label("J'accepte").check()
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url("**/events/manage/**")
    assert_accessible(page)
    return page.url


def test_registers_fills_the_waitlist_cancels_and_sees_the_promotion(browser, live_server, full_event):
    first = new_page(browser)
    first_url = _register(first, live_server, full_event, "Alice", "Aubry", "alice@example.test")
    assert "Inscription confirmée" in first.locator("#registration-status").inner_text()

    second = new_page(browser)
    second.goto(f"{live_server.url}/events/{full_event.slug}/")
    assert_accessible(second)  # the full event, offering its waiting list
    assert "liste d'attente" in second.locator("#seats-left").inner_text()
    second_url = _register(second, live_server, full_event, "Bruno", "Bastin", "bruno@example.test")
    assert "En liste d'attente, position 1" in second.locator("#registration-status").inner_text()

    first.goto(first_url)
    assert_accessible(first)
    first.get_by_role("button", name="Annuler mon inscription").click()
    first.wait_for_load_state()
    assert "Inscription annulée" in first.locator("#registration-status").inner_text()
    assert_accessible(first)

    second.goto(second_url)
    assert "Inscription confirmée" in second.locator("#registration-status").inner_text()
    assert_accessible(second)
    assert Registration.objects.get(email="bruno@example.test").status == Registration.Status.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_the_staff_organisation_page_with_its_events_panel_has_uniquely_named_landmarks(
    browser, live_server, staff_user, org_a
):
    """The panels (events, watch, innovation, timeline...) answer with their own named <section>; the page
    around them must not add a second region of the same name (axe's moderate landmark-unique rule)."""
    page = login_as(browser, live_server, staff_user)
    page.goto(f"{live_server.url}/staff/organisations/{org_a.pk}/")
    expect(page.locator(".panel-box", has_text="Chargement…")).to_have_count(0)  # every htmx panel answered
    expect(page.get_by_role("region", name="Événements et rendez-vous B2B")).to_have_count(1)
    assert [v["id"] for v in violations(page) if v["id"] == "landmark-unique"] == []
    assert_accessible(page)
    page.wait_for_load_state("networkidle")
