"""Journey: a visitor searches the public directory with a typo, filters by province, opens a profile.
axe-core runs on every page visited."""

import datetime as dt
from decimal import Decimal

import pytest

from grappe.ecosystem import services
from grappe.ecosystem.models import Organisation
from tests.browser.axe import CHROMIUM, assert_accessible, new_page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]


def _public(name: str, postal_code: str, description: str) -> Organisation:
    org = services.organisation_create(
        actor=None,
        name=name,
        kind=Organisation.Kind.COMPANY,
        public_profile_consent=True,
        description_fr=description,
    )
    services.site_add(actor=None, organisation=org, postal_code=postal_code, street="Rue de l'Industrie", number="1")
    services.membership_create(actor=None, organisation=org, start_date=dt.date(2022, 1, 1), yearly_fee=Decimal("500"))
    return org


@pytest.mark.django_db(transaction=True)
def test_visitor_searches_with_a_typo_filters_by_province_opens_a_profile(browser, live_server):
    hainaut = _public("Solvay Carbonates", "7000", "Carbonate de sodium et bicarbonate pour le bâtiment.")
    _public("Solvay Liège Polymères", "4000", "Polymères techniques pour l'isolation.")
    _public("Carrières du Condroz", "5000", "Granulats calcaires.")

    page = new_page(browser)
    page.goto(f"{live_server.url}/fr/directory/")
    expect(page.locator(".directory-results li")).to_have_count(3)
    assert_accessible(page)

    page.locator("#directory-q").fill("Solvey")
    page.get_by_role("button", name="Filtrer").click()
    results = page.locator(".directory-results li")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("Solvay")
    assert_accessible(page)

    province = page.locator("#facet-province")
    value = province.locator("option", has_text="Hainaut").first.get_attribute("value")
    province.select_option(value)
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Solvay Carbonates")
    assert "province=" in page.url
    assert_accessible(page)

    results.first.get_by_role("link", name="Solvay Carbonates").click()
    page.wait_for_url(f"**/fr/directory/{hainaut.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Solvay Carbonates")
    expect(page.locator("main")).to_contain_text("Mons")
    assert_accessible(page)
