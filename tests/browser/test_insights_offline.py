"""Browser check: the ecosystem map and the collaboration network render with no network at all.

Every request that does not go to the live server is aborted (and recorded): the pages must draw
their SVG from the server alone. Run with ``pytest -m browser tests/browser``; skipped when
/usr/bin/chromium or Playwright is missing.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

from grappe.accounts.models import User
from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
from tests.browser.axe import assert_accessible

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]


def _offline_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
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
    blocked: list[str] = []
    host = urlparse(live_server.url).hostname

    def guard(route):
        if urlparse(route.request.url).hostname in (host, "localhost", "127.0.0.1"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context.new_page(), blocked


@pytest.mark.django_db(transaction=True)
def test_map_and_network_render_offline(browser, live_server):
    staff = User.objects.create_user(email="directrice@cluster.test", password="x-pass-123", role=User.Role.STAFF)
    a = services.organisation_create(actor=None, name="Alpha Réemploi", kind=Organisation.Kind.COMPANY)
    services.site_add(actor=None, organisation=a, postal_code="5000", street="Rue", number="1")
    services.membership_create(actor=None, organisation=a, start_date=dt.date(2022, 1, 1), yearly_fee=Decimal("1"))
    b = services.organisation_create(actor=None, name="Université de Namur", kind=Organisation.Kind.UNIVERSITY)
    services.site_add(actor=None, organisation=b, postal_code="5000", street="Rue de Bruxelles", number="61")
    services.relationship_create(actor=None, source=a, target=b, kind="partner")
    c = services.organisation_create(actor=None, name="Gamma Isolée", kind=Organisation.Kind.COMPANY)
    services.membership_create(actor=None, organisation=c, start_date=dt.date(2022, 1, 1), yearly_fee=Decimal("1"))

    page, blocked = _offline_page(browser, live_server, staff)
    page.goto(f"{live_server.url}/staff/insights/map/")
    svg = page.locator("svg.insights-map")
    assert svg.is_visible()
    assert svg.bounding_box()["width"] > 200
    assert page.locator("svg.insights-map circle.layer-members").count() == 1
    assert page.locator("svg.insights-map circle.layer-research").count() == 1
    assert_accessible(page)

    page.goto(f"{live_server.url}/staff/insights/network/")
    graph = page.locator("svg.network")
    assert graph.is_visible()
    assert page.locator("svg.network circle").count() == 3  # the isolated member shows too
    assert page.locator("svg.network line").count() == 1
    assert_accessible(page)  # the organisations are links: the graph is a group, not an image
    alpha = page.locator(f'svg.network circle[data-node="{a.pk}"]')
    assert "Alpha Réemploi" in alpha.locator("title").text_content()
    # Interactive (the vendored insights/network.js): hovering an organisation keeps its neighbourhood only.
    alpha.hover()
    assert page.locator("svg.network.focused").count() == 1
    near = page.locator("svg.network circle.near")
    assert sorted(near.nth(i).get_attribute("data-node") for i in range(near.count())) == sorted([str(a.pk), str(b.pk)])
    assert page.locator("svg.network line.near").count() == 1
    page.wait_for_timeout(400)  # the fade's transition
    dimmed = page.locator(f'svg.network circle[data-node="{c.pk}"]').evaluate("e => getComputedStyle(e).opacity")
    assert float(dimmed) < 0.5
    page.mouse.move(1, 1)
    assert page.locator("svg.network.focused").count() == 0
    page.locator("#network-find").fill("gamma")
    assert page.locator("svg.network circle.match").count() == 1
    assert page.locator(f'svg.network circle.match[data-node="{c.pk}"]').count() == 1
    assert page.locator("#network-find-status").text_content() == "Organisations trouvées : 1"

    # The organisation page loads its map panel (htmx, vendored) and draws the site offline.
    page.goto(f"{live_server.url}/staff/organisations/{a.pk}/")
    panel = page.locator("svg.organisation-map")
    panel.wait_for(state="visible", timeout=15000)
    assert page.locator("svg.organisation-map circle.org-site").count() == 1
    assert blocked == []  # nothing tried to leave the machine
