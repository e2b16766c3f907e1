"""The tag map as the integration engineer reads it in the admin: every column, the per-tag
health included, reachable at both tablet sizes in both languages (the list was clipped at
1280 px: its last columns lay outside the page with no way to scroll to them)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from lines.models import Line, Station, Tag
from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tag_map():
    line = Line.objects.create(code="LINE-1", name="Line 1")
    coater = Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    for n, parameter in enumerate(("areal_loading_mg_cm2", "dry_thickness_um",
                                   "coating_width_mm", "web_speed_m_min")):  # fmt: skip
        Tag.objects.create(
            node_id=f'ns=3;s="DB_Coater_Line_1"."ProcessValues"."{parameter}"[{n}]',
            station=coater, parameter=parameter, description="beta gauge",
        )  # fmt: skip
    return get_user_model().objects.create_superuser("root", "root@example.com", PASSWORD)


@pytest.mark.parametrize("size", ["landscape", "portrait"])
@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_every_column_of_the_tag_list_can_be_reached(live_server, open_page, tag_map, size,
                                                      locale):  # fmt: skip
    page = open_page(size, locale)
    sign_in(page, live_server, "root")
    page.goto(f"{live_server.url}/admin/lines/tag/")
    last = page.locator("#result_list thead th").last
    expect(last).to_be_visible()
    screenshot(page, f"admin-tags-{size}-{locale}")
    width = page.viewport_size["width"]
    box = last.bounding_box()
    results = page.locator("#changelist .results").bounding_box()
    if size == "landscape":  # every column on the page, none cut off by the list's box
        assert box["x"] + box["width"] <= min(width, results["x"] + results["width"]), (box, width)
    else:  # narrower: the list scrolls sideways in its own box to the last column
        last.scroll_into_view_if_needed()
        box = last.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= width + 1, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no clipped page
    assert accessibility_violations(page) == []
