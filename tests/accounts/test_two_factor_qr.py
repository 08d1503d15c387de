"""The two-factor enrolment page shows the otpauth:// link as an inline SVG QR code (segno, server-side).

The SVG is read back module by module (segno draws each row's dark runs as relative "h" strokes) and compared
with the QR matrix segno makes from the device's own otpauth:// URI: the code on the page encodes that URI.
"""

import html
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import client_for

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
BORDER = 4  # quiet zone drawn by grappe.accounts.two_factor.qr_svg


def _svg(page: str) -> ET.Element:
    found = SVG.findall(page)
    assert len(found) == 1, "exactly one inline SVG (the QR code) on the enrolment page"
    return ET.fromstring(found[0])


def _modules(svg: ET.Element) -> set[tuple[int, int]]:
    """The dark modules (column, row) drawn by the SVG path, quiet zone removed."""
    (path,) = [p for p in svg.iter("path") if p.get("stroke")]  # the other path is the white background
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHhVv])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path.get("d", "")):
        n = float(a)
        if command == "M":
            x, y = n, float(b)
        elif command == "m":
            x, y = x + n, y + float(b)
        elif command == "h":
            dark.update((int(x + i) - BORDER, int(y) - BORDER) for i in range(int(n)))
            x += n
        else:  # pragma: no cover - segno's line paths only use M, m and h
            raise AssertionError(f"unexpected path command {command}")
    return dark


def _expected(uri: str) -> set[tuple[int, int]]:
    matrix = segno.make(uri, error="m", micro=False).matrix
    return {(col, row) for row, line in enumerate(matrix) for col, bit in enumerate(line) if bit}


def _config_url(page: str) -> str:
    match = re.search(r'<code id="totp-url">(.*?)</code>', page, re.S)
    assert match, "the otpauth:// link stays on the page as a text fallback"
    return html.unescape(match.group(1))


@pytest.mark.parametrize("persona", ["staff_user", "admin_user", "observer_user", "member_a", "member_b"])
def test_the_enrolment_page_shows_a_qr_code_of_the_users_own_link(persona, request, db):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("accounts:two_factor"))
    assert response.status_code == 200
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert _config_url(page) == device.config_url
    svg = _svg(page)
    assert _modules(svg) == _expected(device.config_url)
    # the key stays as a fallback for those who cannot scan
    assert 'id="totp-secret"' in page


def test_the_qr_code_has_an_accessible_name_and_passes_the_content_security_policy(staff_user):
    response = client_for(staff_user).get(reverse("accounts:two_factor"))
    policy = response["Content-Security-Policy"]
    script_src = policy.split("script-src", 1)[1].split(";")[0]
    assert "'nonce-" in script_src and "'unsafe-inline'" not in script_src
    raw = SVG.search(response.content.decode()).group(0)
    svg = ET.fromstring(raw)
    assert svg.get("role") == "img" and svg.get("aria-label")
    assert (svg.findtext("title") or "").strip() == svg.get("aria-label")
    # nothing the policy would block or that needs a nonce: no script, no style element, no event handler,
    # no external reference
    assert svg.find(".//script") is None and svg.find(".//style") is None
    assert not re.search(r"\son\w+=|href=|<image|<foreignObject", raw, re.I)


def test_each_user_sees_only_their_own_code(member_a, member_b):
    page_a = client_for(member_a).get(reverse("accounts:two_factor")).content.decode()
    page_b = client_for(member_b).get(reverse("accounts:two_factor")).content.decode()
    device_a = TOTPDevice.objects.get(user=member_a, confirmed=False)
    device_b = TOTPDevice.objects.get(user=member_b, confirmed=False)
    assert _modules(_svg(page_a)) == _expected(device_a.config_url)
    assert _modules(_svg(page_a)) != _expected(device_b.config_url)
    assert device_b.config_url not in html.unescape(page_a) and device_a.config_url not in html.unescape(page_b)
    # reloading shows the same pending device, not a new secret
    again = client_for(member_a).get(reverse("accounts:two_factor")).content.decode()
    assert _modules(_svg(again)) == _expected(device_a.config_url)


def test_no_qr_code_once_the_device_is_confirmed(staff_user):
    TOTPDevice.objects.create(user=staff_user, name="authenticator", confirmed=True)
    page = client_for(staff_user).get(reverse("accounts:two_factor")).content.decode()
    assert "<svg" not in page and "otpauth" not in page


def test_anonymous_visitors_get_no_qr_code(client, db):
    response = client.get(reverse("accounts:two_factor"))
    assert response.status_code == 302 and "<svg" not in response.content.decode()
    assert not TOTPDevice.objects.exists()
