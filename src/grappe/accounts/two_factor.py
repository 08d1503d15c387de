"""TOTP devices of users (django-otp): setup with an authenticator app, verification, reset by an admin."""

from typing import Any

import segno
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from grappe.core.audit import audit_log

DEVICE_NAME = "authenticator"


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up (one per user), created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(config_url: str, *, label: str) -> SafeString:
    """The otpauth:// link as an inline SVG QR code (segno, server-side): no script, no style attribute or
    element, so it passes the CSP; role="img" with an aria-label and a <title> give it an accessible name.
    Dark modules on a white quiet zone so it scans in a dark theme too."""
    code = segno.make(config_url, error="m", micro=False)
    svg = code.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=label, svgclass="totp-qr", lineclass=None, omitsize=True
    )
    width, height = code.symbol_size(scale=4, border=4)
    # segno escapes the <title>; the attributes are added here, with the label escaped for an attribute.
    attributes = f'role="img" aria-label="{escape(label)}" width="{width}" height="{height}"'
    return mark_safe(svg.replace("<svg ", f"<svg {attributes} ", 1))  # segno output, label escaped above


@transaction.atomic
def confirm(*, request: Any, device: TOTPDevice, token: str) -> bool:
    """Confirm a new device with a first code from the app; the session is then verified."""
    if not device.verify_token((token or "").strip().replace(" ", "")):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    audit_log(actor=request.user, action="accounts.2fa.enabled", obj=device.user)
    otp_login(request, device)
    return True


def verify(*, request: Any, token: str) -> bool:
    device = confirmed_device(request.user)
    if device is None or not device.verify_token((token or "").strip().replace(" ", "")):
        return False
    otp_login(request, device)
    return True


@transaction.atomic
def reset(*, actor: Any, user: Any) -> int:
    """Remove a user's devices (lost phone): they set up a new one at their next login."""
    count, _rows = TOTPDevice.objects.filter(user=user).delete()
    audit_log(actor=actor, action="accounts.2fa.reset", obj=user)
    return count
