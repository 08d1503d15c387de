"""The browser every journey drives: Debian's Chromium through Playwright's sync API, one per test."""

import pytest

from tests.browser.axe import launch


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()
