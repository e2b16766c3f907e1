"""Session lost under a station screen (cookies cleared): the page goes to sign-in as a whole page,
never into a panel, and signing in brings the operator back to the station (issue #18, item 1)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in
from tests.browser.station_helpers import stacking_station
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_cookies_cleared_under_the_live_panel_go_to_sign_in_and_back(
    live_server, open_page, operator, plant, size
):
    stacking_station(plant)
    page = open_page(size)
    sign_in(page, live_server, operator.username)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    expect(page.locator("#scan")).to_be_focused()

    page.context.clear_cookies()  # the live panel polls every second

    page.wait_for_url(re.compile(r"/signin/.*next=%2Fstation%2FT-STACKING%2F"))
    expect(page.locator("#id_username")).to_have_count(1)
    expect(page.locator("#unit-card")).to_have_count(0)  # a page of its own, not a swapped panel
    screenshot(page, f"session-lost-{size}")
    page.fill("#id_username", operator.username)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")

    page.wait_for_url(re.compile(r"/station/T-STACKING/$"))
    expect(page.locator("#scan")).to_be_focused()
