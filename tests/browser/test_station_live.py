"""The live panel follows the PLC: samples stored while the page is open appear without a
reload, an out-of-spec value in red with its alarm text."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.station_helpers import give_badge, scan, sign_in_with_badge, stacking_station
from tests.factories import add_samples, make_cell

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_live_values_update_while_the_page_is_open(live_server, open_page, operator, plant, size):
    station = stacking_station(plant)
    give_badge(operator)
    page = open_page(size)
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    row = page.locator('tr[data-parameter="alignment_mm"]')
    expect(row.locator("[data-state]")).to_have_text("No value yet")
    page.locator("#scan").fill("CELL-")  # half a scan: a refresh must not take it away

    add_samples(station, "alignment_mm", [0.04])
    add_samples(station, "stack_pressure_mpa", [1.01])

    expect(row.locator("[data-value]")).to_have_text("0.04 mm")
    expect(row.locator("[data-state]")).to_have_text("In spec")
    expect(row).not_to_have_class("alarm")

    add_samples(station, "alignment_mm", [0.27])

    expect(row.locator("[data-value]")).to_have_text("0.27 mm")
    expect(row.locator("[data-state]")).to_have_text("Out of spec: above USL 0.2")
    expect(row).to_have_class("alarm")
    assert row.locator("[data-value]").evaluate("el => getComputedStyle(el).color") == (
        "rgb(164, 0, 29)"  # --bad
    )
    expect(page.locator("#scan")).to_be_focused()
    expect(page.locator("#scan")).to_have_value("CELL-")
    assert accessibility_violations(page) == []
    screenshot(page, f"station-live-alarm-{size}")


def test_a_live_refresh_leaves_the_focus_in_the_field_being_typed(
    live_server, open_page, operator, plant
):
    station = stacking_station(plant)
    make_cell(plant, "CELL-000130")
    give_badge(operator)
    page = open_page()
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    scan(page, "CELL-000130")
    page.get_by_role("button", name="Start").click()
    field = page.get_by_label("Stack pressure")
    field.click()
    page.keyboard.type("1.0")

    add_samples(station, "stack_pressure_mpa", [1.02])

    expect(page.locator('tr[data-parameter="stack_pressure_mpa"] [data-value]')).to_have_text(
        "1.02 MPa"
    )
    expect(field).to_be_focused()
    page.keyboard.type("3")
    expect(field).to_have_value("1.03")
