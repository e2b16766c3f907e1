"""Browser tests: Playwright drives Debian's chromium (settings.MES_CHROMIUM) against the live
server. Every test here is marked `browser` (see tests/conftest.py for when they are deselected).

Screenshots go to artifacts/screenshots/ (git-ignored) at the two tablet sizes.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD

LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}
SIZES = {"landscape": LANDSCAPE, "portrait": PORTRAIT}
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
    # Browser tests run last (a stable sort): they are the slowest, and no Playwright event loop
    # is then ever alive while other tests call asyncio.run() (see the fixture's scope).
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# Per module, not per session: Playwright's sync API keeps an asyncio loop running in the main
# thread while it is open, and every later test that calls asyncio.run() (the OPC UA bridge and
# simulator tests) would fail with "cannot be called from a running event loop".
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(settings.MES_CHROMIUM, os.X_OK):
        pytest.fail(f"No chromium at {settings.MES_CHROMIUM}: apt-get install chromium")
    # Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
    # between browser steps are ordinary blocking calls, which Django would otherwise refuse
    # there. Only while the browser runs: subprocesses of other tests must not inherit it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=settings.MES_CHROMIUM)
            yield instance
            instance.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def open_page(browser):
    """open_page(size="landscape", locale="en-GB") -> a new page in its own browser context."""
    contexts = []

    def make(size: str = "landscape", locale: str = "en-GB"):
        context = browser.new_context(viewport=SIZES[size], locale=locale, has_touch=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/signin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/signin/" not in url)


def screenshot(page, name: str) -> Path:
    """Save the page as artifacts/screenshots/<name>-<width>x<height>.png."""
    size = page.viewport_size
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page) -> list[str]:
    """axe-core (from its PyPI package) on the page: WCAG 2 A/AA rules, labels and contrast
    included. Returns one line per violation, empty when the page passes."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} element(s), e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
