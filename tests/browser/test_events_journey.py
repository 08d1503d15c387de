"""Browser journey (Playwright driving Debian's Chromium): register, fill the waitlist, cancel, see the promotion.

Run with ``pytest -m browser tests/browser``; skipped when /usr/bin/chromium or Playwright is missing.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from grappe.events import services
from grappe.events.models import Event, Registration

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox"])
        yield browser
        browser.close()


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
    page.locator("#id_first_name").fill(first)
    page.locator("#id_last_name").fill(last)
    page.locator("#id_email").fill(email)
    page.locator("#id_organisation_name").fill("Menuiserie du Pont")
    page.get_by_label("J'accepte").check()
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url("**/events/manage/**")
    return page.url


def test_registers_fills_the_waitlist_cancels_and_sees_the_promotion(browser, live_server, full_event):
    first = browser.new_context(locale="fr-BE").new_page()
    first_url = _register(first, live_server, full_event, "Alice", "Aubry", "alice@example.test")
    assert "Inscription confirmée" in first.locator("#registration-status").inner_text()

    second = browser.new_context(locale="fr-BE").new_page()
    second.goto(f"{live_server.url}/events/{full_event.slug}/")
    assert "liste d'attente" in second.locator("#seats-left").inner_text()
    second_url = _register(second, live_server, full_event, "Bruno", "Bastin", "bruno@example.test")
    assert "En liste d'attente, position 1" in second.locator("#registration-status").inner_text()

    first.goto(first_url)
    first.get_by_role("button", name="Annuler mon inscription").click()
    first.wait_for_load_state()
    assert "Inscription annulée" in first.locator("#registration-status").inner_text()

    second.goto(second_url)
    assert "Inscription confirmée" in second.locator("#registration-status").inner_text()
    assert Registration.objects.get(email="bruno@example.test").status == Registration.Status.CONFIRMED
