"""The genealogy graph and the SPC chart as a quality engineer uses them on a tablet, measured in
the browser at both sizes and in both languages: real text boxes (getBBox) for overlaps, the
rendered font size for legibility, the zoom that never goes below it, the limits provenance,
the signed baseline, one marker per violating point and its details on tap."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lines.demo import load_demo_line
from lines.models import Sample
from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.factories import PASSWORD, make_spec
from tests.quality.test_spc_baselines import FAULT, IN_CONTROL, LOADING

pytestmark = pytest.mark.django_db(transaction=True)

SIZES_AND_LANGUAGES = [
    ("landscape", "en-GB"),
    ("portrait", "en-GB"),
    ("landscape", "zh-CN"),
    ("portrait", "zh-CN"),
]

# [smallest rendered text px, pairs of overlapping labels/boxes, edge labels drawn]
_GRAPH_GEOMETRY = """svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')];
  const smallest = Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale));
  const boxes = [...svg.querySelectorAll('.edge text, [data-node] rect, [data-group] rect')]
    .map(e => e.getBBox());
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    const apart = a.x >= b.x + b.width || b.x >= a.x + a.width
      || a.y >= b.y + b.height || b.y >= a.y + a.height;
    if (!apart) overlaps++;
  }
  return [smallest, overlaps, svg.querySelectorAll('.edge text').length];
}"""


@pytest.mark.parametrize(("size", "locale"), SIZES_AND_LANGUAGES)
def test_the_demo_genealogy_is_legible_pannable_and_labels_stay_apart(
    live_server, open_page, quality_engineer, size, locale
):
    load_demo_line()
    page = open_page(size, locale=locale)
    sign_in(page, live_server, quality_engineer.username)
    page.goto(f"{live_server.url}/quality/genealogy/CELL-DEMO-GR-001/")
    svg = page.locator("svg.genealogy")

    smallest, overlaps, labels = svg.evaluate(_GRAPH_GEOMETRY)
    assert smallest >= 12
    assert overlaps == 0
    assert labels >= 8  # every lot's quantity on its own edge
    view = page.locator("[data-graph-view]")
    for _ in range(6):
        page.locator('[data-zoom="out"]').click()
    assert float(view.get_attribute("data-scale")) >= 12 / 14 - 1e-3
    assert svg.evaluate(_GRAPH_GEOMETRY)[0] >= 12 - 1e-3  # zoomed out as far as it goes
    page.locator('[data-zoom="in"]').click()
    assert float(view.get_attribute("data-scale")) > 12 / 14
    page.locator('[data-zoom="fit"]').click()
    assert accessibility_violations(page) == []
    screenshot(page, f"quality-genealogy-demo-{locale}")
    # Too wide to fit legibly on a tablet: "Fit" stops at legible and the picture pans instead.
    hidden = view.evaluate("v => v.scrollWidth - v.clientWidth")
    assert hidden > 0
    view.evaluate("v => { v.scrollLeft = v.scrollWidth; }")
    assert view.evaluate("v => v.scrollLeft") == hidden  # the cell at the right end is reachable


def _store_around_now():
    """The fault (60 min) then 200 min in control, ending 5 minutes ago, one reading a minute."""
    start = (timezone.now() - timedelta(minutes=265)).replace(second=0, microsecond=0)
    values = FAULT + IN_CONTROL
    return start, values


@pytest.mark.parametrize(("size", "locale"), SIZES_AND_LANGUAGES)
def test_spc_limits_come_from_a_signed_baseline_and_each_violation_has_one_marker(
    live_server, open_page, quality_engineer, plant, size, locale
):
    make_spec(LOADING, "coating", lsl=24.5, usl=25.5, target=25.0, uom="mg/cm2")
    coater = plant.station("coating")
    start, values = _store_around_now()
    Sample.objects.bulk_create(
        Sample(
            station=coater,
            parameter=LOADING,
            value=v,
            source_time=start + timedelta(minutes=i),
            server_time=start + timedelta(minutes=i),
        )
        for i, v in enumerate(values)
    )
    page = open_page(size, locale=locale)
    sign_in(page, live_server, quality_engineer.username)
    page.goto(f"{live_server.url}/quality/spc/{coater.code}/{LOADING}/")

    expect(page.locator('[data-limits="provisional"]')).to_be_visible()
    screenshot(page, f"quality-spc-provisional-{locale}")
    local = timezone.localtime
    page.fill("#id_period_from", local(start + timedelta(minutes=60)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_period_to", local(start + timedelta(minutes=259)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_reason", "steady after the die change")
    page.fill("#id_password", PASSWORD)
    page.locator("[data-baseline-form] button[type=submit]").click()

    expect(page.locator('[data-limits="baseline"]')).to_be_visible()
    expect(page.locator("[data-baseline]")).to_have_attribute("data-baseline", "1")
    markers = page.locator("svg#spc-location circle.marked")
    expect(markers).to_have_count(len(FAULT))  # one per fault reading, none in control
    expect(page.locator("svg#spc-location text.mark")).to_have_count(0)  # no overprinted numbers
    center = float(
        page.locator('svg#spc-location [data-line="center"]').get_attribute("data-value")
    )
    assert center == pytest.approx(25.002, abs=1e-6)
    label_boxes = page.locator("svg#spc-location .limit text").evaluate_all(
        "ts => ts.map(t => { const b = t.getBBox(); return [b.y, b.y + b.height]; })"
    )
    label_boxes.sort()
    assert all(a[1] <= b[0] for a, b in zip(label_boxes, label_boxes[1:], strict=False))
    smallest = page.locator("svg#spc-location").evaluate(
        """svg => Math.min(...[...svg.querySelectorAll('text')].map(t =>
            parseFloat(getComputedStyle(t).fontSize)
            * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width))"""
    )
    assert smallest >= 12
    expect(page.locator("svg#spc-location .tick")).to_have_count(6)
    expect(page.locator("svg#spc-location [data-band]")).to_have_count(1)  # the baseline period
    markers.last.click()  # drawn last, so on top of its neighbours
    expect(page.locator("[data-spc-detail]")).to_contain_text("24.57")
    expect(markers.first.locator("title")).to_contain_text("1")
    expect(page.locator("[data-rule-summary]")).to_contain_text(f"{len(FAULT)}")
    assert accessibility_violations(page) == []
    screenshot(page, f"quality-spc-baseline-{locale}")
