"""The station forms when something is wrong, in a real browser, in English and Simplified
Chinese at both tablet sizes: a measurement that holds the unit is a warning that names the hold
and the rule (never the green confirmation); a number in another notation ("8,000") is refused
with the field marked and what was typed kept; a refused consumption (held lot, used metres)
keeps every field, marks the one to correct and says which metres are free next."""

import pytest
from playwright.sync_api import expect

from lines import services
from lines.models import GenealogyEdge, Sample
from quality import services as quality_services
from quality.models import Hold
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.station_helpers import give_badge, scan, sign_in_with_badge, stacking_station
from tests.browser.test_station_zh import english_words
from tests.factories import make_cell, make_roll, receive

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = ["landscape", "portrait"]
LANGUAGES = ["en", "zh-hans"]
START = {"en": "Start", "zh-hans": "开始"}


def open_station(page, live_server, cell: str, language: str) -> None:
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    scan(page, cell)
    page.get_by_role("button", name=START[language]).click()
    expect(page.locator("[data-notice=ok]")).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_a_measurement_that_holds_the_unit_is_a_warning_naming_the_rule(
    live_server, open_page, operator, plant, size, language
):
    stacking_station(plant)
    cell = make_cell(plant, "CELL-000301")
    give_badge(operator, language=language)
    page = open_page(size)
    open_station(page, live_server, "CELL-000301", language)

    page.locator("#measure-1").fill("0.35")
    page.locator("#measure-1").press("Enter")

    notice = page.locator("[data-notice]")
    expect(notice).to_have_attribute("data-notice", "warning")
    expect(notice).to_have_attribute("role", "alert")
    expect(notice).to_have_class("banner banner-hold")
    hold = Hold.objects.get(unit=cell)
    expected = {
        "en": f"CELL-000301 is now ON HOLD (hold {hold.pk}): Cathode-to-anode alignment = 0.35 mm is above "
        "USL 0.2 mm of spec alignment_mm v1. Put it in the hold rack and call quality.",
        "zh-hans": f"CELL-000301 现已扣留（扣留单 {hold.pk}）：正负极对齐度 = 0.35 mm，高于规格 "
        "alignment_mm v1 的上限 USL 0.2 mm。请将其放入扣留品货架并联系质量部门。",
    }[language]
    expect(notice).to_have_text(expected)
    expect(page.locator(".banner-ok")).to_have_count(0)
    expect(page.locator("[data-hold]")).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, f"station-measure-held-{language}-{size}")
    cell.refresh_from_db()
    assert cell.status == "on_hold"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_a_grouped_number_is_refused_with_the_field_marked_and_nothing_stored(
    live_server, open_page, operator, plant, size, language
):
    stacking_station(plant)
    cell = make_cell(plant, "CELL-000302")
    give_badge(operator, language=language)
    page = open_page(size)
    open_station(page, live_server, "CELL-000302", language)
    field = page.locator("#measure-1")

    field.fill("8,000")
    field.press("Enter")

    expect(page.locator("[data-notice]")).to_have_attribute("data-notice", "refused")
    field = page.locator("#measure-1")
    expect(field).to_have_value("8,000")
    expect(field).to_have_attribute("aria-invalid", "true")
    error = page.locator("#measure-1-error")
    expect(error).to_be_visible()
    expected = {
        "en": "Cathode-to-anode alignment: “8,000” is not a plain number. Write it without digit "
        "grouping and with “.” as the decimal separator, e.g. 8000 or 300.1.",
        "zh-hans": "正负极对齐度：“8,000” 不是一个规范的数字。请不要使用千位分隔符，并以“.”作为小数点，"
        "例如 8000 或 300.1。",
    }[language]
    expect(error).to_have_text(expected)
    assert field.get_attribute("aria-describedby") == "verdict-1 state-1 measure-1-error"
    expect(page.locator("#measure-2")).not_to_have_attribute("aria-invalid", "true")
    if language == "zh-hans":
        # The product's name is data, in English in the test plant.
        left = english_words(page.inner_text("#unit-card"))
        assert [word for word in left if word not in {"Test", "cell"}] == []
    assert accessibility_violations(page) == []
    screenshot(page, f"station-number-refused-{language}-{size}")
    assert not Sample.objects.filter(unit=cell).exists()

    # Corrected in place, it is recorded and the mark is gone.
    field.fill("0.05")
    field.press("Enter")
    expect(page.locator("[data-notice]")).to_have_attribute("data-notice", "ok")
    expect(page.locator("[aria-invalid]")).to_have_count(0)
    assert Sample.objects.get(unit=cell).value == 0.05


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_a_refused_consumption_keeps_every_field_and_marks_the_one_to_correct(
    live_server, open_page, operator, quality_engineer, plant, size, language
):
    stacking_station(plant)
    make_cell(plant, "CELL-000303")
    roll = make_roll("MR-9-A", "100")
    services.unit_consume(
        child=make_cell(plant, "CELL-000300"), parent=roll, position_from_m="0", position_to_m="20"
    )
    lot = receive(plant, "LOT-SE-7", "50")
    quality_services.hold_place(unit=lot, reason="supplier recall", by=quality_engineer)
    give_badge(operator, language=language)
    page = open_page(size)
    open_station(page, live_server, "CELL-000303", language)
    edges = GenealogyEdge.objects.count()

    # A held lot: the lot field is marked, the quantity typed stays.
    page.locator("#consume-parent").fill("LOT-SE-7")
    page.locator("#consume-quantity").fill("1.5")
    page.locator("#consume-quantity").press("Enter")
    parent = page.locator("#consume-parent")
    expect(parent).to_have_attribute("aria-invalid", "true")
    expect(parent).to_have_value("LOT-SE-7")
    expect(page.locator("#consume-quantity")).to_have_value("1.5")
    expect(page.locator("#consume-quantity")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#consume-parent-error")).to_contain_text("LOT-SE-7")

    # Used metres: the from-metre field is marked, the message says where the roll is free.
    parent.fill("MR-9-A")
    page.locator("#consume-quantity").fill("")
    page.locator("#consume-from").fill("15")
    page.locator("#consume-to").fill("16.2")
    page.locator("#consume-to").press("Enter")
    start = page.locator("#consume-from")
    expect(start).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#consume-parent")).not_to_have_attribute("aria-invalid", "true")
    for field, typed in (("#consume-parent", "MR-9-A"), ("#consume-from", "15")):
        expect(page.locator(field)).to_have_value(typed)
    expect(page.locator("#consume-to")).to_have_value("16.2")
    expected = {
        "en": "Metres 15..16.2 of MR-9-A overlap metres 0..20 already used. "
        "The next free metres are 20..100.",
        "zh-hans": "MR-9-A 的米数 15..16.2 与已使用的 0..20 重叠。下一段可用米数为 20..100。",
    }[language]
    expect(page.locator("#consume-from-error")).to_have_text(expected)
    assert accessibility_violations(page) == []
    screenshot(page, f"station-consume-refused-{language}-{size}")
    assert GenealogyEdge.objects.count() == edges
