"""The OEE page on a tablet, both sizes and languages: the jam is the top Pareto bar, the timeline
and the table are readable (text never below 12 px, nothing wider than the screen but the
scrolling parts), and axe finds nothing."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.oee.line_history import stacker_history

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {"en-GB": ("Stacker jam", "Availability"), "zh-CN": ("叠片机卡料", "可用率")}


@pytest.mark.parametrize("size", ["landscape", "portrait"])
@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_oee_page_shows_the_jam_first_and_is_readable(
    live_server, open_page, operator, plant, size, locale
):
    stacker_history(plant)
    page = open_page(size, locale)
    sign_in(page, live_server, operator.username)
    page.goto(f"{live_server.url}/oee/T-LINE/?range=8h")

    jam, availability = WORDS[locale]
    expect(page.locator(".oee-bar-label").first).to_contain_text(jam)
    expect(page.get_by_role("columnheader", name=availability)).to_be_visible()
    expect(page.locator('tr[data-station="T-STACKING"] [data-state="running"]')).to_be_visible()
    assert page.locator('.oee-timeline rect[data-state="down"]').count() == 2
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('main *')]
            .filter(el => el.getClientRects().length && el.childNodes.length
                    && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(el => el.getBoundingClientRect().height ? parseFloat(getComputedStyle(el).fontSize) : 99))"""
    )
    assert smallest >= 12, smallest
    # an SVG's text is scaled with its viewBox: measure what is drawn
    drawn = page.evaluate(
        "() => Math.min(...[...document.querySelectorAll('svg text')]"
        ".map(t => t.getBoundingClientRect().height))"
    )
    assert drawn >= 12, drawn
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the screen"
    assert accessibility_violations(page) == []
    screenshot(page, f"oee-line-{locale}-{size}")
