"""The station screen in Simplified Chinese: an operator whose profile says zh-hans sees no
English, whatever the tablet's browser language. Identifiers, codes and units stay as they are."""

import re

import pytest
from playwright.sync_api import expect

from quality import services as quality_services
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.station_helpers import give_badge, scan, sign_in_with_badge, stacking_station
from tests.factories import make_cell

pytestmark = pytest.mark.django_db(transaction=True)

# Words that are the same in a Chinese plant: the brand's acronym, sign-in and spec terms, the
# language selector's own name for English, and units of measure.
NOT_TRANSLATED = {
    "MES",
    "PIN",
    "PLC",
    "LSL",
    "USL",
    "UTC",
    "English",
    "mm",
    "MPa",
    "Ah",
    "m",
    "kg",
    "pcs",
}


def english_words(text: str) -> list[str]:
    """Latin words left on screen, minus identifiers and codes (they hold digits, '_', '-', '.')
    and the whitelist above."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.:\-]*", text)
    return sorted({w for w in words if w not in NOT_TRANSLATED and not re.search(r"[0-9_.:\-]", w)})


def test_english_words_finds_what_it_should():
    assert english_words("开始 CELL-0001 alignment_mm 0.2 mm Start In spec") == [
        "In",
        "Start",
        "spec",
    ]


@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_the_zh_hans_station_screen_has_no_english_left(
    live_server, open_page, operator, quality_engineer, plant, size
):
    stacking_station(plant)
    plant.cell_product.name = "固态软包电芯 10 Ah"
    plant.cell_product.save()
    plant.line.name = "固态电池一号线"  # names are data, typed in the plant's language
    plant.line.save()
    make_cell(plant, "CELL-000201")
    held = make_cell(plant, "CELL-000202")
    quality_services.hold_place(unit=held, reason="隔膜批次被供应商召回", by=quality_engineer)
    give_badge(operator, language="zh-hans")
    page = open_page(size, locale="en-GB")  # the profile's language wins over the browser's
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")

    scan(page, "CELL-000201")
    page.get_by_role("button", name="开始").click()
    page.get_by_label("正负极对齐度").fill("0.35")
    expect(page.locator("#verdict-1")).to_have_text("超规格：高于上限 USL 0.2")
    page.get_by_label("正负极对齐度").fill("0.05")
    page.get_by_label("正负极对齐度").press("Enter")
    expect(page.get_by_text("已记录 正负极对齐度 = 0.05 mm：合格。")).to_be_visible()
    assert english_words(page.inner_text("body")) == []
    assert accessibility_violations(page) == []
    screenshot(page, f"station-zh-in-operation-{size}")

    scan(page, "CELL-000202")
    expect(page.locator("[data-refusal]")).to_have_text(
        "CELL-000202 已被扣留，不能开始。请联系质量部门评审该扣留。"
    )
    assert english_words(page.inner_text("body")) == []
    screenshot(page, f"station-zh-held-{size}")

    page.goto(f"{live_server.url}/station/")
    expect(page.get_by_role("heading", name="选择工位")).to_be_visible()
    assert english_words(page.inner_text("body")) == []
    screenshot(page, f"station-pick-zh-{size}")
