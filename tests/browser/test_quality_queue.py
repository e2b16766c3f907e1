"""The queue's filters apply as soon as they change (htmx), with the Filter button kept for a
browser without scripts; the quality top bar stays two rows high in portrait."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SIZES, sign_in
from tests.browser.quality_helpers import qe_signed_in, shots_and_axe
from tests.quality.web_scenario import build_scenario

pytestmark = pytest.mark.django_db(transaction=True)
TWO_ROWS_PX = 2 * 48 + 32  # two rows of 48 px touch targets, their gap and the bar's padding


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_filter_applies_on_change_without_a_button(
    live_server, open_page, quality_engineer, plant, lang
):
    flag = build_scenario(plant).segment_flag
    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.goto(f"{live_server.url}/quality/queue/")
    row = page.locator(f'tr[data-flag="{flag.pk}"]')
    expect(row).to_be_visible()
    expect(page.locator("form.filters button")).to_have_count(0)  # only inside <noscript>
    shots_and_axe(page, "quality-queue")

    page.select_option('select[name="severity"]', "minor")

    expect(row).to_have_count(0)
    assert "severity=minor" in page.url


def test_without_scripts_the_filter_button_applies_the_filters(
    live_server, browser, quality_engineer, plant
):
    flag = build_scenario(plant).segment_flag
    context = browser.new_context(viewport=SIZES["landscape"], java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, quality_engineer.username)
        page.goto(f"{live_server.url}/quality/queue/")
        expect(page.locator(f'tr[data-flag="{flag.pk}"]')).to_be_visible()

        page.select_option('select[name="severity"]', "minor")
        page.locator("form.filters button[type=submit]").click()

        page.wait_for_url("**severity=minor**")
        expect(page.locator(f'tr[data-flag="{flag.pk}"]')).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_top_bar_stays_two_rows_high_in_portrait(
    live_server, open_page, quality_engineer, lang
):
    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.set_viewport_size(SIZES["portrait"])
    page.goto(f"{live_server.url}/quality/")

    bar = page.locator("header.topbar").bounding_box()
    assert bar is not None and bar["height"] <= TWO_ROWS_PX
    for link in page.locator("nav.topnav a").all():
        box = link.bounding_box()
        assert box is not None and box["height"] < 60, link.inner_text()  # one line each
    nav = page.locator("nav.topnav")
    assert nav.evaluate("el => el.scrollWidth <= el.clientWidth + 1")  # every link in view
