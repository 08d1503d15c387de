"""Journey: a person downloads their data export from the portal, then asks there for erasure, which the
cluster's staff carry out. axe-core runs on every page visited."""

import io
import zipfile

import pytest

from grappe.ecosystem.models import Person
from tests.browser.axe import CHROMIUM, assert_accessible, login_as

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]


def _zip_text(path: str) -> str:
    with open(path, "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


@pytest.mark.django_db(transaction=True)
def test_person_downloads_the_export_then_is_erased(browser, live_server, member_a, staff_user):
    person = member_a.person
    member = login_as(browser, live_server, member_a)
    member.goto(f"{live_server.url}/portal/privacy/")
    assert_accessible(member)
    with member.expect_download() as download:
        member.get_by_role("link", name="Télécharger mes données").click()
    assert "anna@alpha.test" in _zip_text(download.value.path())

    # The person asks for erasure from the portal.
    member.get_by_label("Motif (facultatif)").fill("Je quitte le secteur.")
    member.get_by_label("Je demande l'effacement de mes données").check()
    member.get_by_role("button", name="Envoyer la demande").click()
    expect(member.get_by_role("heading", name="Mes demandes")).to_be_visible()
    assert_accessible(member)

    # Staff see the pending request, download the full export, then anonymise the person.
    staff = login_as(browser, live_server, staff_user)
    staff.goto(f"{live_server.url}/staff/privacy/")
    request_row = staff.locator("tr", has_text="Je quitte le secteur.")
    expect(request_row).to_be_visible()
    assert_accessible(staff)
    request_row.get_by_role("link", name="Effacer").click()
    staff.wait_for_url(f"**/staff/privacy/people/{person.pk}/erase/")
    assert_accessible(staff)
    with staff.expect_download() as download:
        staff.get_by_role("link", name="Télécharger l'export (ZIP)").click()
    assert "Alpha" in _zip_text(download.value.path())
    staff.get_by_role("button", name="Anonymiser").click()
    expect(staff.locator("[role=alert], .message-error").first).to_be_visible()  # the confirmation box is required
    staff.get_by_label("Je confirme l'effacement").check()
    staff.get_by_role("button", name="Anonymiser").click()
    staff.wait_for_url("**/staff/privacy/")
    assert_accessible(staff)

    person.refresh_from_db()
    assert person.erased_at is not None and "anna@alpha.test" not in (person.email or "")
    assert not Person.objects.filter(email__iexact="anna@alpha.test").exists()
    member_a.refresh_from_db()
    assert not member_a.is_active
    member.goto(f"{live_server.url}/portal/privacy/")
    assert "/accounts/login/" in member.url
