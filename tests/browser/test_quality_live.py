"""The quality screens' partial updates: the SPC chart picks up new samples by itself (htmx
polling), and the queue's filters narrow the list in place."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import add_samples
from tests.quality.web_scenario import THICKNESS, build_scenario

pytestmark = pytest.mark.django_db(transaction=True)
POLL_WAIT_MS = 25_000  # the chart polls every 10 s


@pytest.fixture
def qe_page(live_server, open_page, quality_engineer, plant):
    scenario = build_scenario(plant)
    page = open_page()
    sign_in(page, live_server, quality_engineer.username)
    page.scenario, page.plant = scenario, plant
    return page


def test_the_spc_chart_shows_a_new_sample_without_a_reload(live_server, qe_page):
    page = qe_page
    page.goto(f"{live_server.url}/quality/spc/T-CALENDERING/{THICKNESS}/")
    expect(page.locator("svg#spc-location circle.marked")).to_have_count(1)
    page.evaluate("window.notReloaded = true")

    add_samples(
        page.plant.station("calendering"),
        THICKNESS,
        [81.3],
        at=timezone.now() - timedelta(minutes=1),
    )

    expect(page.locator("svg#spc-location circle.marked")).to_have_count(2, timeout=POLL_WAIT_MS)
    assert page.evaluate("window.notReloaded") is True


def test_the_queue_filter_narrows_the_list_in_place(live_server, qe_page):
    page = qe_page
    flag = page.scenario.segment_flag
    page.goto(f"{live_server.url}/quality/queue/")
    row = page.locator(f'tr[data-flag="{flag.pk}"]')
    expect(row).to_be_visible()

    page.select_option('select[name="severity"]', "minor")

    expect(row).to_have_count(0)
    assert "severity=minor" in page.url
