"""An operator's shift at the stacker, in a real browser: sign in (badge and PIN, or password),
pick the station, scan a cell, start, record a measurement, consume roll metres, complete."""

import pytest
from playwright.sync_api import expect

from lines.models import GenealogyEdge, Operation, Sample
from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.browser.station_helpers import give_badge, scan, sign_in_with_badge, stacking_station
from tests.factories import make_cell, make_roll

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_badge_sign_in_pick_station_scan_start_measure_consume_complete(
    live_server, open_page, operator, plant, size
):
    stacking_station(plant)
    cell = make_cell(plant, "CELL-000123")
    make_roll("MR-7-A", "1200")
    give_badge(operator)
    page = open_page(size)

    page.goto(f"{live_server.url}/signin/badge/")
    expect(page.locator("#id_badge_number")).to_be_focused()
    assert accessibility_violations(page) == []
    screenshot(page, f"signin-badge-{size}")
    sign_in_with_badge(page, live_server)

    page.get_by_role("link", name="Station screens").click()
    assert accessibility_violations(page) == []
    screenshot(page, f"station-pick-{size}")
    page.get_by_role("link", name="T-STACKING").click()
    expect(page.locator("#station-title")).to_contain_text("T-STACKING")

    scan(page, "CELL-000123")
    expect(page.locator("[data-status]")).to_have_text("Created")
    assert accessibility_violations(page) == []
    screenshot(page, f"station-scanned-{size}")

    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("status").filter(has_text="CELL-000123 started")).to_be_visible()
    expect(page.locator("#scan")).to_be_focused()

    field = page.get_by_label("Cathode-to-anode alignment")
    field.fill("0.35")
    expect(page.locator("#verdict-1")).to_have_text("Out of spec: above USL 0.2")
    field.fill("0.05")
    expect(page.locator("#verdict-1")).to_have_text("In spec")
    field.press("Enter")
    expect(
        page.get_by_text("Recorded Cathode-to-anode alignment = 0.05 mm: in spec.")
    ).to_be_visible()

    page.get_by_label("Lot or roll (scan)").fill("MR-7-A")
    page.get_by_label("From metre (rolls)").fill("400")
    page.get_by_label("To metre (rolls)").fill("401.2")
    page.get_by_role("button", name="Consume").click()
    expect(page.get_by_text("CELL-000123 consumed 1.2 m of MR-7-A.")).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, f"station-in-operation-{size}")

    page.get_by_role("button", name="Complete: passed").click()
    expect(page.get_by_text("CELL-000123 completed as passed.")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("In process")
    expect(page.get_by_role("button", name="Start")).to_have_count(0)  # next step is elsewhere
    screenshot(page, f"station-completed-{size}")

    operation = Operation.objects.get(unit=cell)
    assert (operation.result, operation.started_by, operation.completed_by) == (
        "passed",
        operator,
        operator,
    )
    assert Sample.objects.get(unit=cell, source="manual").value == 0.05
    edge = GenealogyEdge.objects.get(child=cell)
    assert (edge.parent.identifier, edge.operation) == ("MR-7-A", operation)


def test_password_sign_in_lands_on_the_tablets_station(live_server, open_page, operator, plant):
    stacking_station(plant)
    page = open_page()
    sign_in(page, live_server, operator.username)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    page.get_by_role("button", name="Sign out").click()

    expect(page.locator("#id_badge_number")).to_be_visible()  # this tablet has a station now
    page.get_by_role("link", name="Sign in with user name and password").click()
    page.fill("#id_username", operator.username)
    page.fill("#id_password", "correct-horse-battery-staple")
    page.press("#id_password", "Enter")

    expect(page.locator("#station-title")).to_contain_text("T-STACKING")
    assert accessibility_violations(page) == []
    screenshot(page, "signin-password")
