"""Helpers of the quality engineer's browser tests: a signed-in page in a language, and the
screenshots and axe check every changed screen gets at both tablet sizes."""

from tests.browser.conftest import SIZES, accessibility_violations, screenshot, sign_in

# The browser's language picks the screen's (LocaleMiddleware; the engineer has no profile).
LOCALES = {"en": "en-GB", "zh": "zh-CN"}


def qe_signed_in(live_server, open_page, user, lang: str = "en"):
    page = open_page(locale=LOCALES[lang])
    sign_in(page, live_server, user.username)
    return page


def shots_and_axe(page, name: str) -> None:
    """Screenshots at 1280x800 and 800x1280 (named with the page's language), axe and no
    sideways page scrolling at each."""
    lang = page.evaluate("document.documentElement.lang")
    for size in ("landscape", "portrait"):
        page.set_viewport_size(SIZES[size])
        assert accessibility_violations(page) == [], size
        # Wide tables scroll in their own region; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), size
        screenshot(page, f"{name}-{lang}")
    page.set_viewport_size(SIZES["landscape"])
