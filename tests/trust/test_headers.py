"""Clickjacking and CSP on the public site: only the members widget may be framed (by partners' sites)."""

from django.urls import reverse


def test_public_pages_refuse_framing_and_carry_the_policy(client, db):
    response = client.get(reverse("showcase:directory"))
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]


def test_the_members_widget_can_be_framed(client, db):
    response = client.get(reverse("showcase:widget"))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
