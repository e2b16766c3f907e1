"""The station screen's machine panel on a tablet: a running stop asks for its reason, the
operator picks one from the tree, the panel says so and stops asking; both sizes and languages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oee.models import DowntimeReason, StateChange, StopAssignment
from tests.browser.conftest import accessibility_violations, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "en-GB": ("Stopped since", "Stacker jam", "Save reason", "Reason recorded"),
    "zh-CN": ("起停机", "叠片机卡料", "保存原因", "已记录原因"),
}


@pytest.mark.parametrize("size", ["landscape", "portrait"])
@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_running_stop_asks_the_operator_for_its_reason(
    live_server, open_page, operator, plant, size, locale
):
    stacker = plant.station("stacking")
    now = timezone.now()
    StateChange.objects.create(
        station=stacker, at=now - timedelta(hours=1), plc_state="6", category="running"
    )
    StateChange.objects.create(
        station=stacker, at=now - timedelta(minutes=6), plc_state="11", category="down"
    )
    mech = DowntimeReason.objects.create(code="mech", name="Mechanical", name_zh="机械故障")
    DowntimeReason.objects.create(
        code="mech-jam", parent=mech, name="Stacker jam", name_zh="叠片机卡料"
    )
    asks, jam, save, recorded = WORDS[locale]
    page = open_page(size, locale)
    sign_in(page, live_server, operator.username)
    page.goto(f"{live_server.url}/station/{stacker.code}/")

    panel = page.locator("#machine-time")
    expect(panel.locator('[data-state="down"]')).to_be_visible()
    expect(panel.locator(".mt-stop-title")).to_contain_text(asks)
    assert accessibility_violations(page) == []
    screenshot(page, f"station-machine-asks-{locale}-{size}")

    panel.locator("select").select_option(label=f"— {jam}")
    panel.get_by_role("button", name=save).click()

    expect(page.locator("#machine-time [data-notice]")).to_contain_text(recorded)
    expect(page.locator("#machine-time .mt-stop")).to_have_count(0)
    assignment = StopAssignment.objects.get()
    assert (assignment.reason.code, assignment.assigned_by, assignment.until_stop_end) == (
        "mech-jam",
        operator,
        True,
    )
    screenshot(page, f"station-machine-recorded-{locale}-{size}")
