"""A held cell stops the operator at the scan, with the hold's reason and whom to call; nothing
about the cell changes, and no action button is offered."""

import pytest
from playwright.sync_api import expect

from lines.models import Operation, UnitHistory
from quality import services as quality_services
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.station_helpers import give_badge, scan, sign_in_with_badge, stacking_station
from tests.factories import make_cell

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_a_held_cell_is_refused_at_the_scan_with_its_reason(
    live_server, open_page, operator, quality_engineer, plant, size
):
    stacking_station(plant)
    cell = make_cell(plant, "CELL-000124")
    quality_services.hold_place(
        unit=cell, reason="SE lot LPSCl-2211 recalled by the supplier", by=quality_engineer
    )
    history = UnitHistory.objects.filter(unit=cell).count()
    give_badge(operator)
    page = open_page(size)
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")

    scan(page, "CELL-000124")

    hold = page.locator("[data-hold]")
    expect(hold).to_contain_text("ON HOLD: do not process this unit.")
    expect(hold).to_contain_text("SE lot LPSCl-2211 recalled by the supplier")
    expect(hold).to_contain_text("call quality")
    expect(page.locator("[data-refusal]")).to_have_text(
        "CELL-000124 is on hold and cannot be started. Call quality to review the hold."
    )
    expect(page.get_by_role("button", name="Start")).to_have_count(0)
    expect(page.get_by_role("button", name="Complete: passed")).to_have_count(0)
    expect(page.locator("#scan")).to_be_focused()
    assert accessibility_violations(page) == []
    screenshot(page, f"station-held-{size}")
    cell.refresh_from_db()
    assert cell.status == "on_hold"
    assert UnitHistory.objects.filter(unit=cell).count() == history
    assert not Operation.objects.filter(unit=cell).exists()


def test_a_cell_due_at_another_station_is_told_its_next_step_as_information(
    live_server, open_page, operator, plant
):
    stacking_station(plant)
    make_cell(plant, "CELL-000125")
    give_badge(operator)
    page = open_page()
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-SEALING/")

    scan(page, "CELL-000125")

    expect(page.locator("[data-next-step]")).to_contain_text(
        "Next step: 10 · Stacking. Take the unit to a Stacking station (T-STACKING)."
    )
    expect(page.locator("[data-next-step]")).to_have_class("banner banner-info")
    expect(page.locator("[data-refusal]")).to_have_count(0)
    expect(page.get_by_role("button", name="Start")).to_have_count(0)
