"""The unit card as the operator works through it: the measurements the step's gate requires,
where each came from and whether it is in; Complete after them with the rule said; the next step
as information once done; names with units in both languages; an unknown scan explained."""

import pytest
from playwright.sync_api import expect

from lines.models import RouteStep, Tag
from quality.models import GateRequirement, Spec
from tests.browser.conftest import accessibility_violations, screenshot
from tests.browser.station_helpers import give_badge, scan, sign_in_with_badge, stacking_station
from tests.factories import add_samples, make_cell, make_spec

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = {"en": "", "zh": "zh-hans"}


def gated_stacker(plant):
    """The stacker, its stacking step gated on alignment (typed by hand) and sheet count (from
    the PLC), as the demo gates it."""
    station = stacking_station(plant)
    Tag.objects.create(node_id="ns=2;s=T-STACK.sheets", station=station, parameter="sheet_count")
    sheets = make_spec("sheet_count", "stacking", lsl=21, usl=21, target=21, uom="-")
    step = RouteStep.objects.get(route=plant.cell_route, station_kind="stacking")
    for spec in (Spec.objects.get(parameter="alignment_mm"), sheets):
        GateRequirement.objects.create(step=step, spec=spec)
    return station


def check(page, parameter):
    return page.locator(f'[data-check="{parameter}"]')


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_the_card_lists_required_measurements_with_source_and_state_before_complete(
    live_server, open_page, operator, plant, size, language
):
    station = gated_stacker(plant)
    cell = make_cell(plant, "CELL-000301")
    give_badge(operator, language=LANGUAGES[language])
    page = open_page(size)
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    scan(page, "CELL-000301")
    page.locator(".unit-card form.actions button").click()  # Start
    expect(page.locator("#complete-passed")).to_be_visible()

    # The PLC reports this cell's sheet count; the gate counts it, and the card says so.
    add_samples(station, "sheet_count", [21], unit=cell)
    scan(page, "CELL-000301")

    expect(check(page, "alignment_mm")).to_have_attribute("data-state", "missing")
    expect(check(page, "sheet_count")).to_have_attribute("data-state", "in")
    expect(check(page, "stack_pressure_mpa")).to_have_attribute("data-state", "missing")
    if language == "en":
        expect(check(page, "sheet_count")).to_contain_text("Sheet count")
        expect(check(page, "sheet_count")).to_contain_text("Required")
        expect(check(page, "sheet_count")).to_contain_text("In spec: 21 (from the PLC")
        expect(check(page, "alignment_mm")).to_contain_text("Cathode-to-anode alignment (mm)")
        expect(check(page, "alignment_mm")).to_contain_text("Not measured yet")
        expect(check(page, "stack_pressure_mpa")).to_contain_text("For the record")
        expect(page.locator("[data-rule]")).to_contain_text("Complete: passed needs every")
        expect(page.locator("[data-gate-waiting]")).to_contain_text("Cathode-to-anode alignment")
    else:
        expect(check(page, "sheet_count")).to_contain_text("极片层数")
        expect(check(page, "sheet_count")).to_contain_text("合格：21")
        expect(check(page, "sheet_count")).to_contain_text("PLC 采集")
        expect(check(page, "alignment_mm")).to_contain_text("正负极对齐度 (mm)")
        expect(page.locator("[data-gate-waiting]")).to_contain_text("正负极对齐度")
    # Complete comes after the checklist, not above it.
    checklist = page.locator(".checklist").bounding_box()
    complete = page.locator("#complete-passed").bounding_box()
    assert checklist and complete and complete["y"] > checklist["y"] + checklist["height"]
    assert accessibility_violations(page) == []
    screenshot(page, f"station-card-checklist-{language}-{size}")

    field = check(page, "alignment_mm").locator("input[name=value]")
    field.fill("0.05")
    field.press("Enter")
    expect(check(page, "alignment_mm")).to_have_attribute("data-state", "in")
    expect(page.locator("[data-gate-waiting]")).to_have_count(0)
    if language == "en":
        expect(check(page, "alignment_mm")).to_contain_text("In spec: 0.05 mm (entered by hand")

    page.locator("#complete-passed").click()
    info = page.locator("[data-next-step]")
    expect(info).to_be_visible()
    expect(info).to_have_class("banner banner-info")
    expect(info).to_have_attribute("role", "status")
    expect(page.locator("[data-refusal]")).to_have_count(0)
    expect(info).to_contain_text("T-DENSIFICATION")
    if language == "en":
        expect(info).to_contain_text("Next step: 20 · Densification")
    else:
        expect(info).to_contain_text("下一工序：20")
    assert accessibility_violations(page) == []
    screenshot(page, f"station-card-next-step-{language}-{size}")


def test_complete_passed_is_refused_while_a_required_measurement_is_missing(
    live_server, open_page, operator, plant
):
    gated_stacker(plant)
    cell = make_cell(plant, "CELL-000302")
    give_badge(operator)
    page = open_page()
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")
    scan(page, "CELL-000302")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("[data-gate-waiting]")).to_contain_text(
        "Cathode-to-anode alignment, Sheet count"
    )

    page.locator("#complete-passed").click()

    expect(page.locator("[data-notice]")).to_contain_text("quality gate")
    cell.refresh_from_db()
    assert cell.current_step.station_kind == "stacking"


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("size", ["landscape", "portrait"])
def test_live_names_carry_units_and_never_break_inside_a_word(
    live_server, open_page, operator, plant, size, language
):
    coater = plant.station("coating")
    for parameter in ("areal_loading_mg_cm2", "dryer_zone_1_c", "web_speed_m_min"):
        Tag.objects.create(
            node_id=f"ns=2;s=T-COAT.{parameter}", station=coater, parameter=parameter
        )
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5, target=25, uom="mg/cm2")
    add_samples(coater, "areal_loading_mg_cm2", [25.02])
    add_samples(coater, "dryer_zone_1_c", [110.4])
    stacker = stacking_station(plant)
    Tag.objects.create(node_id="ns=2;s=T-STACK.sheets", station=stacker, parameter="sheet_count")
    make_spec("sheet_count", "stacking", lsl=21, usl=21, uom="-")
    cell = make_cell(plant, "CELL-SIM-000009")
    add_samples(stacker, "sheet_count", [21], unit=cell)
    give_badge(operator, language=LANGUAGES[language])
    page = open_page(size)
    sign_in_with_badge(page, live_server)

    page.goto(f"{live_server.url}/station/T-COATING/")
    loading = page.locator('tr[data-parameter="areal_loading_mg_cm2"] th')
    zone = page.locator('tr[data-parameter="dryer_zone_1_c"]')
    if language == "en":
        expect(loading).to_contain_text("Areal loading (mg/cm²)")
        expect(zone.locator("th")).to_contain_text("Dryer zone 1 temperature (°C)")
    else:
        expect(loading).to_contain_text("面密度 (mg/cm²)")
        expect(zone.locator("th")).to_contain_text("烘箱第 1 区温度 (°C)")
    expect(zone.locator("[data-value]")).to_have_text("110.4 °C")
    expect(page.locator("tr[data-parameter] th", has_text="_")).to_have_count(0)
    # Every word of every name sits on one line (the portrait tablet once showed
    # "areal_loadin/g_mg_cm2").
    split = page.evaluate(
        """() => {
          const split = [];
          for (const th of document.querySelectorAll('tr[data-parameter] th')) {
            const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              for (const m of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) split.push(m[0]);
              }
            }
          }
          return split;
        }"""
    )
    assert split == []
    assert accessibility_violations(page) == []
    screenshot(page, f"station-live-names-{language}-{size}")

    page.goto(f"{live_server.url}/station/T-STACKING/")
    sheets = page.locator('tr[data-parameter="sheet_count"]')
    expect(sheets.locator("[data-value]")).to_have_text("21")  # a count: no "21 -"
    expect(sheets.locator("th")).to_contain_text("CELL-SIM-000009")  # whose value it is


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_unknown_identifier_says_what_to_do_and_whom_to_call(
    live_server, open_page, operator, plant, language
):
    stacking_station(plant)
    give_badge(operator, language=LANGUAGES[language])
    page = open_page("portrait")
    sign_in_with_badge(page, live_server)
    page.goto(f"{live_server.url}/station/T-STACKING/")

    page.keyboard.type("CELL-NOPE-1")
    page.keyboard.press("Enter")

    unknown = page.locator("[data-unknown]")
    expect(unknown).to_contain_text("CELL-NOPE-1")
    if language == "en":
        expect(unknown).to_contain_text("No unit CELL-NOPE-1 is known to the MES.")
        expect(unknown).to_contain_text("scan it again")
        expect(unknown).to_contain_text("call your shift lead")
    else:
        expect(unknown).to_contain_text("联系班组长")
    expect(page.locator("#scan")).to_be_focused()
    assert accessibility_violations(page) == []
    screenshot(page, f"station-unknown-{language}")
