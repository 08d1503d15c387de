"""Helpers of the browser journeys: Debian's Chromium, logging in, and axe-core accessibility checks.

axe-core (MPL-2.0, vendored in ``vendor/``, see ``vendor/PROVENANCE.md``) is evaluated in the page through
the DevTools protocol, which the site's Content-Security-Policy (nonce scripts only) does not block, so the
page is checked with its real CSP in force.
"""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
BLOCKING_IMPACTS = ("serious", "critical")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
_source: list[str] = []


def launch(playwright: Any) -> Any:
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)


def new_page(browser: Any, *, locale: str = "fr-BE", **options: Any) -> Any:
    context = browser.new_context(locale=locale, viewport=VIEWPORT, **options)
    context.set_default_timeout(15_000)
    return context.new_page()


def login_as(browser: Any, live_server: Any, user: Any, *, locale: str = "fr-BE") -> Any:
    """A page whose context carries a session of ``user`` (no login form, no second factor)."""
    client = Client()
    client.force_login(user)
    page = new_page(browser, locale=locale)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def _axe_source() -> str:
    if not _source:
        _source.append(AXE_JS.read_text(encoding="utf-8"))
    return _source[0]


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the current page (all impacts)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return result["violations"]


def format_violations(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more element(s)")
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    found = violations(page)
    if os.environ.get("GRAPPE_AXE_VERBOSE") and found:  # minor and moderate ones too, for a review
        print(f"\naxe-core on {page.url}:\n{format_violations(found)}")
    blocking = [v for v in found if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        report = format_violations(blocking)
        print(f"\naxe-core violations on {page.url}:\n{report}")
        raise AssertionError(f"axe-core: serious or critical violations on {page.url}:\n{report}")


def screenshot(page: Any, name: str) -> None:
    """Save the main screens for the README's tour, only when GRAPPE_SCREENSHOTS=1."""
    if os.environ.get("GRAPPE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
