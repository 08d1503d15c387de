"""Journey: a new staff user logs in with 2FA, imports organisations from a CSV, fixes a bad line,
merges a duplicate and sees the organisation on the map. axe-core runs on every page visited."""

import base64
from pathlib import Path

import pytest
from django_otp.oath import totp

from grappe.accounts.models import User
from grappe.ecosystem import services as eco
from grappe.ecosystem.models import Organisation, Site
from grappe.referential.models import PostalCode
from tests.browser.axe import CHROMIUM, assert_accessible, new_page

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]

HEADER = "Nom;Numéro d'entreprise;Rue;Code postal;Commune\n"
GOOD = "Menuiserie du Pont;;Rue du Pont 4;5000;Namur\n"
DUPLICATE = "Atelier Bois de Namur;;Rue de Fer 12;5000;Namur\n"
BAD = "Chaudronnerie Mosane;0123.456.788;Quai de Meuse 1;5000;Namur\n"
FIXED = "Chaudronnerie Mosane;;Quai de Meuse 1;5000;Namur\n"


def _code(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def _upload(page, live_server, path: Path) -> None:
    page.goto(f"{live_server.url}/staff/organisations/import/")
    assert_accessible(page)
    page.locator("#id_file").set_input_files(str(path))
    page.get_by_role("button", name="Envoyer et prévisualiser").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("aperçu")


@pytest.mark.django_db(transaction=True)
def test_staff_imports_fixes_merges_and_sees_the_map(browser, live_server, settings, tmp_path):
    settings.GRAPPE_REQUIRE_STAFF_2FA = True
    User.objects.create_user(email="nouvelle@cluster.test", password="Chantier-2026!", role=User.Role.STAFF)
    existing = eco.organisation_create(actor=None, name="Atelier Bois Namur", kind=Organisation.Kind.COMPANY)
    namur = PostalCode.objects.select_related("municipality").get(code="5000")
    Site.objects.create(
        organisation=existing, postal_code=namur, municipality=namur.municipality, street="Rue de Fer 10"
    )

    page = new_page(browser)
    # Log in, then set up the second factor (first login of a staff member).
    page.goto(f"{live_server.url}/accounts/login/?next=/staff/organisations/")
    assert_accessible(page)
    page.locator("#id_username").fill("nouvelle@cluster.test")
    page.locator("#id_password").fill("Chantier-2026!")
    page.locator("#id_password").press("Enter")
    secret = page.locator("#totp-secret")
    expect(secret).to_be_visible()
    assert_accessible(page)
    secret_text = secret.inner_text()
    page.locator("#id_token").fill(_code(secret_text))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/staff/organisations/")
    assert_accessible(page)

    # A file with a bad enterprise number: the error names the line, nothing is imported.
    bad = tmp_path / "organisations.csv"
    bad.write_text(HEADER + GOOD + BAD + DUPLICATE, encoding="utf-8")
    _upload(page, live_server, bad)
    errors = page.locator("ul.import-errors")
    expect(errors).to_contain_text("Ligne 3")
    expect(errors).to_contain_text("0123.456.788")
    expect(page.get_by_role("button", name="Importer", exact=True)).to_be_disabled()
    assert_accessible(page)

    # The fixed file: the probable duplicate waits for a decision, created anyway to merge it afterwards.
    fixed = tmp_path / "organisations-corrige.csv"
    fixed.write_text(HEADER + GOOD + FIXED + DUPLICATE, encoding="utf-8")
    _upload(page, live_server, fixed)
    expect(page.locator("ul.import-errors")).to_have_count(0)
    decision = page.locator("#decision-4")
    expect(decision).to_be_visible()
    assert_accessible(page)
    decision.select_option("create")
    page.get_by_role("button", name="Mettre à jour l’aperçu").click()
    importer = page.get_by_role("button", name="Importer", exact=True)
    expect(importer).to_be_enabled()
    importer.click()
    page.wait_for_url("**/done/")
    assert_accessible(page)
    assert Organisation.objects.filter(name__in=["Menuiserie du Pont", "Chaudronnerie Mosane"]).count() == 2
    duplicate = Organisation.objects.get(name="Atelier Bois de Namur")

    # Merge the duplicate into the existing organisation.
    page.goto(f"{live_server.url}/staff/organisations/{existing.pk}/merge/?q=Atelier")
    assert_accessible(page)
    page.get_by_role("link", name="Atelier Bois de Namur").click()
    expect(page.locator("table.merge-table")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Fusionner « Atelier Bois de Namur » dans « Atelier Bois Namur »").click()
    page.wait_for_url(f"**/staff/organisations/{existing.pk}/")
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    assert Site.objects.filter(organisation=existing).count() == 2

    # The organisation page shows its sites on the map panel.
    site_map = page.locator("svg.site-map:not(.insights-map)")  # the insights panel may load its own map too
    expect(site_map).to_be_visible()
    expect(site_map.locator("circle.map-site").first).to_be_attached()
    assert "5000" in (site_map.locator("desc").first.text_content() or "")
    assert_accessible(page)

    # ... and the ecosystem map shows them too (once the page's htmx panels have all answered:
    # leaving while they are in flight races the live server's writes to the shared test database).
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/staff/insights/map/")
    expect(page.locator("svg").first).to_be_visible()
    # Namur counts the three organisations now: the existing one (with the duplicate merged in) and the two new.
    namur = page.locator("section", has_text="Par commune").locator("tr", has=page.locator("th", has_text="Namur"))
    expect(namur.locator("td").nth(1)).to_have_text("3")
    assert_accessible(page)
