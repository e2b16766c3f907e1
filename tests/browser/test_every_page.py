"""Every page of both UIs, in Simplified Chinese, in the browser: no English left on it, and
axe-core finds no violation. The pages come from the URLconf (tests/site_pages.py), so a page
added later is checked too; its URL parameters are filled from the known quality scenario
(tests/quality/web_scenario.py) and the test plant, and a parameter nobody taught this test to
fill fails it rather than leaving the page out.

Not loaded as pages, each for a reason the test checks: a route that refuses GET (405: an
action a form posts to), and a route that answers something other than HTML (the CSV and JSON
exports). A route that answers an HTML fragment (an htmx partial) is checked for English, and
for accessibility inside the page that loads it."""

from itertools import product
from typing import Any

import pytest

from lines import services as lines_services
from quality import services as quality_services
from tests.browser.conftest import accessibility_violations, screenshot, sign_in
from tests.browser.station_helpers import stacking_station
from tests.browser.untranslated import english_left, english_words
from tests.factories import add_samples
from tests.quality.web_scenario import THICKNESS, build_scenario
from tests.site_pages import Route, screen_routes

pytestmark = pytest.mark.django_db(transaction=True)

# A route name's own values, where the page needs a particular kind of unit.
BY_ROUTE = {
    "quality-genealogy": {"identifier": "MR-1-A"},
    "quality-recall": {"identifier": "LOT-NMC-1"},
    "quality-rollmap": {"identifier": "MR-1"},
}
# Further looks at a page that show more of it (a unit on the station screen).
# MR-1-A-C1 is held, MR-1-A-C0 waits for stacking, MR-1-A-C2 is in operation there (its
# measurement fields and the live panel's PLC values).
QUERIES = {
    "/station/T-STACKING/": ["", "?unit=MR-1-A-C1", "?unit=MR-1-A-C0", "?unit=MR-1-A-C2"],
}


def _values(plant, scenario, by) -> dict[str, Any]:
    """Each URL parameter's values, by its name in the URLconf."""
    stacker = stacking_station(plant)
    lines_services.operation_start(unit=scenario.cells[2], station=stacker, by=by)
    add_samples(stacker, "alignment_mm", [0.05, 0.31])
    ncr = quality_services.ncr_open(title="涂布面密度偏低", flags=[scenario.segment_flag])
    return {
        "code": [station.code for station in plant.stations.values()],
        "identifier": ["MR-1-A-C1"],  # a held cell: the page shows the most on it
        "flag_id": [scenario.segment_flag.pk],
        "hold_id": [scenario.hold.pk],
        "ncr_id": [ncr.pk],
        # A route's own values where its parameter's name means something else there.
        "@quality-ncr": {"code": [ncr.code]},
        "station_code": [plant.station("calendering").code],
        "line_code": [plant.line.code],
        "parameter": [THICKNESS],
    }


def _paths(route: Route, values: dict[str, Any]) -> list[str]:
    """Every path of the route over its parameters' values, with the further looks at it."""
    own = values.get(f"@{route.name}", {})
    assert isinstance(own, dict)
    known = {**values, **own, **{p: [v] for p, v in BY_ROUTE.get(route.name, {}).items()}}
    unknown = [p for p in route.parameters if p not in known]
    assert not unknown, f"{route.name}: say in {__name__} how to fill {unknown}"
    paths = []
    for combination in product(*(known[p] for p in route.parameters)):
        path = route.path(dict(zip(route.parameters, combination, strict=True)))
        paths += [path + query for query in QUERIES.get(path, [""])]
    return paths


def _check(page, url: str, *, whole_page: bool, shot: str = "") -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")  # htmx has filled the live panels
    problems = [f"English: {text}" for text in english_left(page)]
    if whole_page:
        problems += [f"axe: {v}" for v in accessibility_violations(page)]
        if shot:
            screenshot(page, shot)
    return problems


def _kind(request_context, url: str) -> str:
    """'page', 'fragment', 'action' (refuses GET), 'download' (not HTML) or 'elsewhere'."""
    response = request_context.get(url, max_redirects=0)
    if response.status == 405:
        return "action"
    if response.status in (301, 302):
        return "elsewhere"
    # 409: the page refuses for the unit's state (a passport of a cell not yet released) and says
    # why; that refusal is a screen a person reads like any other.
    assert response.status in (200, 409), f"{url} answered {response.status}"
    if not response.headers.get("content-type", "").startswith("text/html"):
        return "download"
    return "page" if "<html" in response.text()[:500].lower() else "fragment"


def test_every_page_in_zh_hans_has_no_english_and_passes_axe(
    live_server, open_page, quality_engineer, plant
):
    # Names are data: the plant types them in both languages (lines.models.local_name).
    plant.line.name_zh, plant.cell_product.name_zh = "测试线", "测试电芯"
    plant.line.save()
    plant.cell_product.save()
    scenario = build_scenario(plant)
    values = _values(plant, scenario, quality_engineer)
    signed_out = open_page(locale="zh-CN")
    signed_in = open_page(locale="zh-CN")
    sign_in(signed_in, live_server, quality_engineer.username)

    problems: dict[str, list[str]] = {}  # a problem -> the pages that show it
    checked, shot_taken = [], set()
    for route in screen_routes():
        for path in _paths(route, values):
            url = live_server.url + path
            for page in (signed_out, signed_in):
                kind = _kind(page.request, url)
                if kind in ("page", "fragment"):
                    checked.append(path)
                    look = route.name + path.partition("?unit=")[2]  # one per route and unit
                    shot = "" if look in shot_taken else f"zh-every-page-{look}"
                    shot_taken.add(look)
                    for problem in _check(page, url, whole_page=kind == "page", shot=shot):
                        problems.setdefault(problem, []).append(path)
                if page is signed_out and kind != "elsewhere":
                    break  # a public page: the same for everyone

    assert {"/", "/signin/", "/quality/", "/station/T-STACKING/"} <= set(checked)
    assert not problems, "\n".join(f"{p}  (on {', '.join(at)})" for p, at in problems.items())


def test_english_words_tells_english_from_codes_and_units():
    text = "开始 CELL-0001 alignment_mm 0.2 mm Start In spec NCR-2026-0001 T-STACKING MPa"
    assert english_words(text) == ["In", "Start", "spec"]


def test_the_checks_see_english_and_an_accessibility_fault(live_server, open_page):
    page = open_page(locale="zh-CN")
    page.goto(f"{live_server.url}/signin/")
    assert english_left(page) == [] and accessibility_violations(page) == []

    page.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<p>Call quality</p><input type="text"><p translate="no">as typed</p>')""")

    assert english_left(page) == ["'Call quality': Call, quality"]
    assert [v.split(":")[0] for v in accessibility_violations(page)] == ["label"]
