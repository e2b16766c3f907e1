"""Taps and networks are unreliable: a double tap on Complete completes once, and a measurement
typed while the network is down is kept on screen and recorded once when sent again."""

import pytest
from playwright.sync_api import expect

from lines.models import Operation, Sample
from mes.models import SubmissionReceipt
from tests.browser.conftest import screenshot
from tests.browser.station_helpers import give_badge, scan, sign_in_with_badge, stacking_station
from tests.factories import make_cell

pytestmark = pytest.mark.django_db(transaction=True)


def started(page, live_server, plant, operator, identifier):
    stacking_station(plant)
    cell = make_cell(plant, identifier)
    give_badge(operator)
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    scan(page, identifier)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("button", name="Complete: passed")).to_be_visible()
    return cell


def test_double_tap_on_complete_completes_once(live_server, open_page, operator, plant):
    page = open_page()
    cell = started(page, live_server, plant, operator, "CELL-000126")

    page.get_by_role("button", name="Complete: passed").dblclick()

    expect(page.get_by_text("CELL-000126 completed as passed.")).to_be_visible()
    cell.refresh_from_db()
    assert cell.current_step == plant.step("densification")
    assert Operation.objects.filter(unit=cell).count() == 1
    assert Operation.objects.get(unit=cell).result == "passed"
    assert SubmissionReceipt.objects.filter(action="complete", ok=False).count() == 0


def test_a_measurement_typed_offline_is_kept_and_recorded_once(
    live_server, open_page, operator, plant
):
    page = open_page()
    cell = started(page, live_server, plant, operator, "CELL-000127")
    field = page.get_by_label("Cathode-to-anode alignment")

    page.context.set_offline(True)
    field.fill("0.12")
    field.press("Enter")

    expect(page.locator("#offline-banner")).to_be_visible()
    expect(field).to_have_value("0.12")
    screenshot(page, "station-offline")
    assert not Sample.objects.filter(unit=cell).exists()

    page.context.set_offline(False)
    expect(page.locator("#offline-banner")).to_be_hidden()
    field.press("Enter")

    expect(
        page.get_by_text("Recorded Cathode-to-anode alignment = 0.12 mm: in spec.")
    ).to_be_visible()
    assert [s.value for s in Sample.objects.filter(unit=cell)] == [0.12]
