"""CSP on the rendered pages: every HTML page Grappe serves carries a policy with a nonce, and every inline
script in it carries that very nonce; no inline event handler, no ``javascript:`` link.

The template scan (``tests/accounts/test_security.py``) reads the template files; this one reads what is
actually served, so scripts written by Python code (widgets, ``format_html``, template tags, the admin) are
checked too. The walk is the permission matrix's list of URL patterns, for the anonymous visitor, a member
and an administrator (who also reaches the staff pages and the Django admin).
"""

import re
from html.parser import HTMLParser

import pytest
from django.db import transaction

from tests.trust.test_permission_matrix import ROUTES, expectation
from tests.trust.urlwalk import path_for

NONCE = re.compile(r"'nonce-([^']+)'")
# Data blocks are not run; an import map is checked against script-src, so it needs the nonce like code.
DATA_SCRIPTS = {"application/json", "application/ld+json", "text/template"}


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline_nonces: list[str | None] = []
        self.handlers: list[str] = []
        self.javascript_links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.javascript_links.append(f"<{tag} {name}={value[:40]}>")
        if tag == "script" and not attributes.get("src"):
            if (attributes.get("type") or "").lower() in DATA_SCRIPTS:
                return  # data blocks are never executed
            self.inline_nonces.append(attributes.get("nonce"))


def problems_of(response) -> list[str]:
    if "text/html" not in response.get("Content-Type", ""):
        return []
    policy = response.get("Content-Security-Policy", "")
    if not policy:
        return ["no Content-Security-Policy header"]
    script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
    if "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        return [f"script-src allows unsafe code: {script_src.strip()}"]
    match = NONCE.search(script_src)
    parser = _Scripts()
    parser.feed(response.content.decode("utf-8", errors="replace"))
    found = [*parser.handlers, *parser.javascript_links]
    for nonce in parser.inline_nonces:
        if match is None or nonce != match.group(1):
            found.append(f"inline <script> with nonce {nonce!r}, the policy's is {match.group(1) if match else None!r}")
    return found


def test_the_check_sees_a_script_without_the_nonce():
    from django.http import HttpResponse

    response = HttpResponse('<p>ok</p><script nonce="abc">1</script>', content_type="text/html")
    response["Content-Security-Policy"] = "script-src 'self' 'nonce-abc'"
    assert problems_of(response) == []
    for bad in ("<script>1</script>", '<script nonce="old">1</script>', '<a href="javascript:x()">', '<b onclick="x">'):
        response.content = bad.encode()
        assert problems_of(response), bad
    del response["Content-Security-Policy"]
    response.content = b"<p>ok</p>"
    assert problems_of(response) == ["no Content-Security-Policy header"]


@pytest.mark.parametrize("role", ["anonymous", "member_a", "admin"])
def test_every_served_page_runs_only_scripts_with_the_nonce(role, world, clients, db, settings):
    settings.MEDIA_ROOT = world.media_root
    client = clients[role]
    found, pages = [], 0
    for route in ROUTES:
        expected = expectation(route)
        if expected is None or expected[1] != "GET":
            continue
        path = path_for(route, world)
        with transaction.atomic():
            response = client.get(path)
            transaction.set_rollback(True)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        if "text/html" in response.get("Content-Type", ""):
            pages += 1
        found.extend(f"{path}: {problem}" for problem in problems_of(response))
    assert pages > 10, f"only {pages} HTML pages fetched: is the walk blind?"
    assert not found, "\n".join(found)
