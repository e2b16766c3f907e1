"""Getting around the station screens on a tablet: the live values in reach on a portrait tablet,
the unit kept across a change of language, the badge kept after a wrong PIN, an operator's home
without the API, stations in the order material flows."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.browser.station_helpers import (
    BADGE,
    PIN,
    give_badge,
    scan,
    sign_in_with_badge,
    stacking_station,
)
from tests.factories import make_cell

pytestmark = pytest.mark.django_db(transaction=True)


def test_portrait_live_values_come_before_a_long_unit_card(live_server, open_page, operator, plant):
    stacking_station(plant)
    make_cell(plant, "CELL-000401")
    give_badge(operator)
    page = open_page("portrait")
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    scan(page, "CELL-000401")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#complete-passed")).to_be_visible()
    # No gate on this step: the card says Complete: passed does not wait for measurements.
    expect(page.locator("[data-rule]")).to_contain_text("This step has no quality gate")

    live = page.locator("#live-title").bounding_box()
    card = page.locator("#unit-title").bounding_box()
    history = page.get_by_role("heading", name="Last operations here").bounding_box()
    assert live and card and history
    # Under the scan field (it was ~1,590 px down, below the whole card), the history last.
    assert live["y"] < 400 < card["y"] < history["y"]
    assert page.locator("#live").bounding_box()["width"] > 700  # the full column, not shrunk
    assert accessibility_violations(page) == []
    screenshot(page, "station-portrait-live-first")


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_changing_language_keeps_the_unit_on_the_card(
    live_server, open_page, operator, plant, size
):
    stacking_station(plant)
    make_cell(plant, "CELL-000402")
    give_badge(operator)
    page = open_page(size)
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    scan(page, "CELL-000402")

    page.locator("#language-select").select_option("zh-hans")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#unit-title")).to_have_text("CELL-000402")
    expect(page.get_by_role("button", name="开始")).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, f"station-language-kept-unit-{size}")

    page.locator("#language-select").select_option("en")
    expect(page.locator("#unit-title")).to_have_text("CELL-000402")
    expect(page.get_by_role("button", name="Start")).to_be_visible()


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_wrong_pin_keeps_the_badge_and_asks_for_the_pin_again(
    live_server, open_page, operator, locale
):
    give_badge(operator)
    page = open_page("portrait", locale=locale)
    page.goto(f"{live_server.url}/signin/badge/")
    page.fill("#id_badge_number", BADGE)
    page.fill("#id_pin", "0000")
    page.press("#id_pin", "Enter")

    expect(page.locator("[role=alert]")).to_be_visible()
    expect(page.locator("#id_badge_number")).to_have_value(BADGE)
    expect(page.locator("#id_pin")).to_have_value("")
    expect(page.locator("#id_pin")).to_be_focused()
    assert accessibility_violations(page) == []
    screenshot(page, f"signin-badge-wrong-pin-{locale}")

    page.keyboard.type(PIN)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/signin/" not in url)


def test_the_operators_home_has_no_api_documentation(
    live_server, open_page, operator, quality_engineer
):
    page = open_page("portrait")
    sign_in(page, live_server, operator.username)
    page.goto(f"{live_server.url}/")

    expect(page.get_by_role("link", name="Station screens")).to_be_visible()
    expect(page.get_by_role("link", name="API documentation")).to_have_count(0)
    assert accessibility_violations(page) == []
    screenshot(page, "home-operator")

    engineer = open_page("portrait")
    sign_in(engineer, live_server, quality_engineer.username)
    engineer.goto(f"{live_server.url}/")
    expect(engineer.get_by_role("link", name="API documentation")).to_be_visible()


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_stations_are_listed_in_process_order(
    live_server, open_page, operator, plant, size, locale
):
    page = open_page(size, locale=locale)
    sign_in(page, live_server, operator.username)
    page.goto(f"{live_server.url}/station/")

    codes = [text.split("\xa0")[0] for text in page.locator("ul.choices a").all_inner_texts()]

    assert codes == [
        "T-MIXING",
        "T-COATING",
        "T-CALENDERING",
        "T-SLITTING",
        "T-STACKING",
        "T-DENSIFICATION",
        "T-SEALING",
        "T-FORMATION",
        "T-EOL",
        "T-DRY_ROOM",
    ]
    assert accessibility_violations(page) == []
    screenshot(page, f"station-pick-order-{locale}-{size}")
