"""The battery passport as a page: reached from the cell's unit history (which shows the EOL
grade), with the grade, its figures, the as-built composition, a server-made QR code of the
digital link and a print layout; a cell that is not finished gets no passport."""

import re

import pytest
from playwright.sync_api import expect

from finishing.passport import qr_svg
from finishing.web.views import QR_SCALE
from lines.demo import load_demo_line
from tests.browser.quality_helpers import qe_signed_in, shots_and_axe

pytestmark = pytest.mark.django_db(transaction=True)
CELL = "CELL-DEMO-GR-001"
LINK = f"https://id.example.com/01/09506000134352/21/{CELL}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_passport_page_is_linked_from_the_unit_history(
    live_server, open_page, quality_engineer, lang
):
    load_demo_line()
    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.goto(f"{live_server.url}/quality/units/{CELL}/")
    expect(page.locator("#eol-grade")).to_have_attribute("data-grade", "A")
    shots_and_axe(page, "quality-unit-graded")

    page.locator("[data-passport-link]").click()

    page.wait_for_url(f"**/quality/units/{CELL}/passport/")
    expect(page.locator(".passport-grade")).to_have_attribute("data-grade", "A")
    expect(page.locator('[data-figure="capacity"]')).to_have_text("10.12 Ah")
    expect(page.locator('[data-figure="acir"]')).to_have_text("1.18 mΩ")
    expect(page.locator('[data-figure="k"]')).to_have_text("0.08 mV/d")
    expect(page.locator('#passport-composition tr[data-material="NMC811"]')).to_contain_text(
        "LOT-NMC811-0001"
    )
    expect(page.locator('#passport-composition tr[data-material="NMC811"] td.num')).to_have_text(
        "20.0"
    )
    qr = page.locator("[data-qr] svg")
    expect(qr).to_have_count(1)
    made = re.search(r' d="([^"]+)"', qr_svg(LINK, scale=QR_SCALE))
    assert made is not None  # the modules of the link's QR code, drawn on the server
    expect(qr.locator("path")).to_have_attribute("d", made.group(1))
    shots_and_axe(page, "quality-passport")

    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator(".passport .no-print")).to_be_hidden()
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and 100 < box["width"] < 140  # 32 mm at 96 dpi: about 121 px


def test_an_unfinished_cell_has_no_passport_and_no_link(live_server, open_page, quality_engineer):
    load_demo_line()
    page = qe_signed_in(live_server, open_page, quality_engineer)
    page.goto(f"{live_server.url}/quality/units/CELL-DEMO-GR-010/")
    expect(page.locator("[data-passport-link]")).to_have_count(0)

    response = page.goto(f"{live_server.url}/quality/units/CELL-DEMO-GR-010/passport/")

    assert response is not None and response.status == 409
    expect(page.locator("[data-passport-refused]")).to_contain_text("is not finished")
    assert page.locator("[data-qr]").count() == 0
