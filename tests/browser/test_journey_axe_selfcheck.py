"""The accessibility helper itself: it really runs axe-core and fails on a serious violation."""

import pytest

from tests.browser.axe import CHROMIUM, assert_accessible, launch, new_page, violations

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not installed"),
]
PAGE = '<html lang="fr"><head><title>T</title></head><body><main>{img}</main></body></html>'


def test_assert_accessible_fails_on_an_image_without_alt_and_passes_when_fixed():
    with playwright_api.sync_playwright() as p:
        browser = launch(p)
        page = new_page(browser)
        page.set_content(
            '<html lang="fr"><head><title>T</title></head><body><main><img src="data:,"></main></body></html>'
        )
        assert "image-alt" in {v["id"] for v in violations(page)}
        with pytest.raises(AssertionError, match="image-alt"):
            assert_accessible(page)
        page.set_content(PAGE.format(img='<img src="data:," alt="Logo">'))
        assert_accessible(page)
        browser.close()
