"""The quality screens in the browser, on the known scenario (tests/quality/web_scenario.py):
the drawn genealogy, the roll map, the SPC chart, the queue, a flag's signed disposition, the
recall and the unit report. Every page passes axe and is saved as a screenshot."""

import pytest
from playwright.sync_api import expect

from quality.models import Disposition
from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.factories import PASSWORD
from tests.quality.web_scenario import SPIKE_INDEX, THICKNESS, build_scenario

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def qe_page(live_server, open_page, quality_engineer, plant):
    scenario = build_scenario(plant)
    page = open_page()
    sign_in(page, live_server, quality_engineer.username)
    page.scenario = scenario
    return page


def _attribute_set(page, selector: str, name: str) -> set[str]:
    return set(page.eval_on_selector_all(selector, f"els => els.map(e => e.dataset.{name})"))


def test_genealogy_graph_draws_the_known_trace_and_clicks_through(live_server, qe_page):
    page = qe_page
    page.goto(f"{live_server.url}/quality/genealogy/MR-1-A/")

    expect(page.locator("svg.genealogy [data-node]")).to_have_count(7)
    assert _attribute_set(page, "svg.genealogy [data-node]", "node") == {
        "LOT-NMC-1",
        "SLURRY-1",
        "MR-1",
        "MR-1-A",
        "MR-1-A-C0",
        "MR-1-A-C1",
        "MR-1-A-C2",
    }
    assert _attribute_set(page, "svg.genealogy [data-edge]", "edge") == {
        "LOT-NMC-1>SLURRY-1",
        "SLURRY-1>MR-1",
        "MR-1>MR-1-A",
        "MR-1-A>MR-1-A-C0",
        "MR-1-A>MR-1-A-C1",
        "MR-1-A>MR-1-A-C2",
    }
    held = page.locator('[data-node="MR-1-A-C1"]')
    expect(held).to_have_attribute("data-status", "on_hold")
    expect(page.locator('[data-node="MR-1"]')).to_have_attribute("data-flagged", "true")
    assert accessibility_violations(page) == []
    screenshot(page, "quality-genealogy")

    page.locator('[data-node="SLURRY-1"] a').click()

    page.wait_for_url("**/quality/genealogy/SLURRY-1/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Genealogy of SLURRY-1")


def test_roll_map_colours_the_flagged_metres(live_server, qe_page):
    page = qe_page
    page.goto(f"{live_server.url}/quality/rolls/MR-1/")

    out = page.locator('svg.rollmap rect[data-state="out_of_spec"]')
    expect(out).to_have_count(3)
    assert page.eval_on_selector_all(
        'svg.rollmap rect[data-state="out_of_spec"]',
        "els => els.map(e => [e.dataset.fromM, e.dataset.toM])",
    ) == [["420", "432"], ["432", "444"], ["444", "456"]]
    fill = out.first.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(164, 0, 29)"  # --bad
    expect(page.locator('rect.flagged-segment[data-flag-from-m="420"]')).to_have_count(1)
    expect(page.locator("table[data-segments]")).to_contain_text("MR-1-A-C1")
    assert accessibility_violations(page) == []
    screenshot(page, "quality-rollmap")


def test_spc_chart_marks_the_rule_1_violation(live_server, qe_page):
    page = qe_page
    page.goto(f"{live_server.url}/quality/spc/T-CALENDERING/{THICKNESS}/")

    marked = page.locator("svg#spc-location circle.marked")
    expect(marked).to_have_count(1)
    expect(marked).to_have_attribute("data-index", str(SPIKE_INDEX))
    expect(marked).to_have_attribute("data-rules", "1")
    expect(page.locator("svg#spc-location [data-line]")).to_have_count(5)
    expect(page.locator('tr[data-rule="1"]')).to_contain_text("more than 3 sigma")
    assert accessibility_violations(page) == []
    screenshot(page, "quality-spc")


def test_a_disposition_requires_the_password(live_server, qe_page):
    page = qe_page
    flag = page.scenario.segment_flag
    page.goto(f"{live_server.url}/quality/queue/")
    expect(page.locator(f'tr[data-flag="{flag.pk}"]')).to_be_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "quality-queue")

    page.locator("#flags").get_by_role("link", name=f"Flag {flag.pk}", exact=True).click()
    expect(page.locator("svg#flag-chart circle.marked")).to_have_count(31)
    assert accessibility_violations(page) == []
    screenshot(page, "quality-flag")
    page.select_option("#id_decision", "scrap")
    page.fill("#id_reason", "thin coating confirmed")
    page.get_by_role("button", name="Sign the decision").click()
    assert page.locator("#id_password").evaluate("el => el.validity.valueMissing")
    page.fill("#id_password", "not-my-password")
    page.get_by_role("button", name="Sign the decision").click()
    expect(page.get_by_role("alert")).to_have_text(
        "The password is not correct; nothing was signed."
    )
    assert not Disposition.objects.exists()

    page.fill("#id_reason", "thin coating confirmed")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign the decision").click()

    expect(page.get_by_role("status").filter(has_text="Signed: Scrap.")).to_be_visible()
    assert Disposition.objects.get().decision == "scrap"


def test_recall_and_unit_report_pass_axe(live_server, qe_page):
    page = qe_page
    page.goto(f"{live_server.url}/quality/recall/LOT-NMC-1/")
    expect(page.locator('[data-impact="units"]')).to_have_text("11")
    assert accessibility_violations(page) == []
    screenshot(page, "quality-recall")

    page.goto(f"{live_server.url}/quality/units/MR-1-A-C1/")
    expect(page.locator("#holds")).to_contain_text("MR-1")
    assert accessibility_violations(page) == []
    screenshot(page, "quality-unit")
