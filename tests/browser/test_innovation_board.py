"""Browser journey (Playwright driving Debian's Chromium): move a project across the pipeline board by keyboard
and by mouse.

Run with ``pytest -m browser tests/browser``; skipped when /usr/bin/chromium or Playwright is missing.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from grappe.accounts.models import User
from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Organisation
from grappe.innovation import services
from grappe.innovation.models import GateChecklistItem, InnovationProject

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]


@pytest.mark.django_db(transaction=True)
def test_moves_a_project_across_the_board_by_keyboard_and_mouse(browser, live_server):
    staff = User.objects.create_user(email="facilitatrice@cluster.test", password="x-pass-123", role=User.Role.STAFF)
    lead = eco.organisation_create(actor=None, name="Briqueterie du Hainaut", kind=Organisation.Kind.COMPANY)
    project = services.project_create(actor=staff, title="Réemploi de briques", lead_organisation=lead)
    GateChecklistItem.objects.filter(project=project, stage=InnovationProject.Stage.IDEA).update(done=True)

    client = Client()
    client.force_login(staff)
    context = browser.new_context(locale="fr-BE")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/innovation/")
    card = page.locator(f"#project-{project.pk}")
    assert card.get_attribute("data-stage") == "idea"

    # Tab through the page until the card has focus: the card is reachable by keyboard alone.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == f"project-{project.pk}":
            break
    else:
        pytest.fail("the project card never received keyboard focus")

    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"section[data-stage=emergence] #project-{project.pk}")
    status = page.locator(".board-status").inner_text()
    assert "émergence" in status
    # Focus follows the card into its new column; the next gate is not done, so the move is refused clearly.
    assert page.evaluate("document.activeElement.id") == f"project-{project.pk}"
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".board-status .message-error")
    assert "grille de passage" in page.locator(".board-status").inner_text()
    project.refresh_from_db()
    assert project.stage == InnovationProject.Stage.EMERGENCE

    # The same move by keyboard on the button itself (Tab to it, Enter), once the gate is done.
    GateChecklistItem.objects.filter(project=project, stage=InnovationProject.Stage.EMERGENCE).update(done=True)
    page.locator(f"#project-{project.pk}").focus()
    for _ in range(3):  # the card's title link, its "previous" link, then its "next" button
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.move || ''") == "next"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"section[data-stage=elaboration] #project-{project.pk}")
    project.refresh_from_db()
    assert project.stage == InnovationProject.Stage.ELABORATION
    assert list(project.stage_changes.values_list("to_stage", flat=True)) == ["idea", "emergence", "elaboration"]

    # And by mouse: a click on the card's "next" button.
    GateChecklistItem.objects.filter(project=project, stage=InnovationProject.Stage.ELABORATION).update(done=True)
    page.locator(f"#project-{project.pk} [data-move=next]").click()
    page.wait_for_selector(f"section[data-stage=submitted] #project-{project.pk}")
    project.refresh_from_db()
    assert project.stage == InnovationProject.Stage.SUBMITTED
    # Every move of the journey is in the history with who made it.
    assert set(project.stage_changes.exclude(from_stage="").values_list("by", flat=True)) == {staff.pk}
    context.close()
