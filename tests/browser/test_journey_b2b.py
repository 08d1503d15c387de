"""Journey: an organiser creates a B2B event, three participants register and request meetings, the
organiser schedules and publishes, a participant downloads the agenda .ics. axe-core on every page."""

import datetime as dt
from urllib.parse import urlsplit

import icalendar
import pytest
from django.utils import timezone

from grappe.events.models import Event, MatchmakingSession, Meeting
from tests.browser.axe import CHROMIUM, assert_accessible, login_as
from tests.conftest import _member_user

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]
TITLE = "Journée B2B construction circulaire"


def _join(page, live_server, event: Event, session: MatchmakingSession, kind: str, offers: str) -> None:
    page.goto(f"{live_server.url}/events/{event.slug}/")
    assert_accessible(page)
    page.get_by_label("J'accepte").check()
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_url("**/events/manage/**")
    page.goto(f"{live_server.url}/portal/events/matchmaking/{session.pk}/")
    assert_accessible(page)
    page.locator("[name=type]").select_option(kind)
    page.locator("[name=offers]").fill(offers)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/suggestions/")


def _request(page, live_server, session, target: str) -> None:
    page.goto(f"{live_server.url}/portal/events/matchmaking/{session.pk}/suggestions/")
    form = page.locator("form.filters", has=page.locator("select[name=target]"))
    select = form.locator("select[name=target]")
    select.select_option(select.locator("option", has_text=target).first.get_attribute("value"))
    form.get_by_role("button", name="Demander un rendez-vous").click()
    page.wait_for_url("**/suggestions/")


def _accept_all(page, live_server, session) -> None:
    page.goto(f"{live_server.url}/portal/events/matchmaking/{session.pk}/requests/")
    assert_accessible(page)
    while (accept := page.get_by_role("button", name="Accepter")).count():
        accept.first.click()
        page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_b2b_event_from_creation_to_the_agenda_ics(
    browser, live_server, settings, staff_user, member_a, member_b, org_a
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    member_c = _member_user("carla@alpha.test", org_a, "Carla", "Chêne")
    day = timezone.localdate() + dt.timedelta(days=20)

    staff = login_as(browser, live_server, staff_user)
    staff.goto(f"{live_server.url}/staff/events/new/")
    assert_accessible(staff)
    staff.locator("[name=kind]").select_option("b2b")
    staff.locator("[name=title_fr]").fill(TITLE)
    staff.locator("[name=start]").fill(f"{day.isoformat()}T09:00")
    staff.locator("[name=end]").fill(f"{day.isoformat()}T17:00")
    staff.locator("[name=venue_name]").fill("Palais des congrès")
    staff.locator("[name=venue_address]").fill("Place de la Station 1")
    staff.locator("[name=postal_code]").fill("5000")
    staff.locator("form[method=post]:has([name=title_fr]) button[type=submit]").click()
    staff.wait_for_url("**/staff/events/*/")
    event = Event.objects.get(title=TITLE)
    assert event.kind == Event.Kind.B2B
    staff.get_by_role("button", name="Publier").click()
    expect(staff.get_by_role("button", name="Publier")).to_have_count(0)
    assert_accessible(staff)
    staff.get_by_role("link", name="Rendez-vous B2B").click()
    assert_accessible(staff)
    staff.locator("[name=name_fr]").fill("Matinée d'affaires")
    staff.locator("[name=tables]").fill("3")
    staff.locator("[name=meeting_minutes]").fill("30")
    staff.locator("[name=blocks]").fill("09:00-11:00 matin")
    staff.locator("[name=break_minutes]").fill("0")
    staff.locator("form[method=post]:has([name=blocks]) button[type=submit]").click()
    staff.wait_for_url("**/staff/events/matchmaking/*/")
    session = MatchmakingSession.objects.get(event=event)

    anna = login_as(browser, live_server, member_a)
    bruno = login_as(browser, live_server, member_b)
    carla = login_as(browser, live_server, member_c)
    _join(anna, live_server, event, session, "buyer", "Rénovation de bâtiments publics")
    _join(bruno, live_server, event, session, "supplier", "Béton recyclé sur mesure")
    _join(carla, live_server, event, session, "supplier", "Isolation en fibres de bois")
    assert_accessible(carla)
    _request(anna, live_server, session, "Bruno Bêta")
    _request(anna, live_server, session, "Carla Chêne")
    _request(bruno, live_server, session, "Carla Chêne")
    _accept_all(bruno, live_server, session)
    _accept_all(carla, live_server, session)
    assert Meeting.objects.filter(session=session).count() == 3

    staff.goto(f"{live_server.url}/staff/events/matchmaking/{session.pk}/")
    staff.get_by_role("button", name="Lancer le planificateur").click()
    staff.wait_for_load_state()
    assert Meeting.objects.filter(session=session, slot__isnull=False).count() == 3
    staff.get_by_role("button", name="Publier le planning").click()
    staff.wait_for_load_state()
    assert Meeting.objects.filter(session=session, published=True).count() == 3
    expect(staff.locator("main")).to_contain_text("Bruno Bêta")
    assert_accessible(staff)

    anna.goto(f"{live_server.url}/portal/events/matchmaking/{session.pk}/agenda/")
    expect(anna.locator("main")).to_contain_text("Carla Chêne")
    assert_accessible(anna)
    feed_url = anna.locator("code").filter(has_text=".ics").first.inner_text().strip()
    # The feed URL carries the configured site address; fetch its path from the test server.
    response = anna.request.get(live_server.url + urlsplit(feed_url).path)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body())
    summaries = " ".join(str(e.get("summary")) for e in calendar.walk("VEVENT"))
    assert "Bruno" in summaries and "Carla" in summaries, summaries
