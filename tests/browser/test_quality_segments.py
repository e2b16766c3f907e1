"""Segment holds and the unit history as a quality engineer reads them: the hold's reason never
contradicts its flag's metres, a hold that reaches no unit says so, the roll map shows the
manual value that held the roll, and the unit history's times, quantities, events and hashes
are whole and in words."""

import re

import pytest
from playwright.sync_api import expect

from lines.demo import load_demo_line
from lines.models import Operation, Sample, SampleSource, UnitHistory
from quality import services
from quality.models import Flag, Hold
from tests.browser.quality_helpers import qe_signed_in, shots_and_axe
from tests.factories import PASSWORD, add_samples
from tests.quality.web_scenario import LOADING, build_scenario

pytestmark = pytest.mark.django_db(transaction=True)


def _thin(plant, mother, metres):
    coater = plant.station("coating")
    drift = add_samples(coater, LOADING, [23.9] * len(metres), unit=mother, positions=metres)
    services.samples_evaluate(samples=drift)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_segment_hold_shows_its_flag_metres_and_that_it_reaches_no_unit(
    live_server, open_page, quality_engineer, plant, lang
):
    scenario = build_scenario(plant)
    _thin(plant, scenario.mother, [1000.0, 1000.5])  # past every cell: 400, 430, 460 m
    flag = Flag.objects.get(unit=scenario.mother, source_flag=None, position_from_m=1000)
    _thin(plant, scenario.mother, [1001.0 + i for i in range(10)])  # the same defect, longer
    hold = Hold.objects.get(flag=flag)
    flag.refresh_from_db()
    assert (flag.position_from_m, flag.position_to_m) == (1000, 1010)
    assert not re.search(r"\d+(\.\d+)?\.\.\d", hold.reason)  # no metres that go stale

    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.goto(f"{live_server.url}/quality/holds/{hold.pk}/")
    expect(page.locator("[data-hold-metres]")).to_contain_text("1000–1010 m")
    expect(page.locator("#hold-members [data-reaches-no-unit]")).to_be_visible()
    expect(page.locator("#hold-members table")).to_have_count(0)
    if lang == "en":
        expect(page.locator("[data-reaches-no-unit]")).to_contain_text("This hold reaches no unit.")
    shots_and_axe(page, "quality-hold-no-unit")

    page.goto(f"{live_server.url}/quality/queue/")
    row = page.locator(f'tr[data-hold="{hold.pk}"]')
    expect(row).to_contain_text("1000–1010 m")
    expect(row.locator("[data-reaches-no-unit]")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_roll_map_shows_the_manual_value_that_held_the_roll(
    live_server, open_page, quality_engineer, plant, lang
):
    scenario = build_scenario(plant)
    keyed = add_samples(plant.station("coating"), LOADING, [23.1], unit=scenario.mother)
    Sample.objects.filter(pk=keyed[0].pk).update(source=SampleSource.MANUAL)
    services.samples_evaluate(samples=list(Sample.objects.filter(pk=keyed[0].pk)))
    manual = Flag.objects.get(unit=scenario.mother, position_from_m=None)

    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.goto(f"{live_server.url}/quality/rolls/MR-1/")

    row = page.locator(f'#whole-roll tr[data-whole-roll-flag="{manual.pk}"]')
    expect(row).to_have_attribute("data-source", "manual")
    expect(row.locator("[data-value]")).to_have_text(re.compile(r"^23\.10*$"))
    hold_link = row.locator(f'a[href="/quality/holds/{manual.holds.get().pk}/"]')
    expect(hold_link).to_be_visible()
    shots_and_axe(page, "quality-rollmap-manual")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_unit_history_agrees_with_the_operations_in_words_and_units(
    live_server, open_page, quality_engineer, lang
):
    load_demo_line()
    cell = "CELL-DEMO-GR-001"
    page = qe_signed_in(live_server, open_page, quality_engineer, lang)
    page.goto(f"{live_server.url}/quality/units/{cell}/")

    operations = list(Operation.objects.filter(unit__identifier=cell).order_by("started_at"))
    # A status change only: the first start (created -> in process) and the route's end.
    started = page.locator('#history tr:has([data-event="started"]) td:first-child')
    expect(started).to_have_text(f"{operations[0].started_at:%Y-%m-%d %H:%M:%S}")
    released = page.locator('#history tr:has([data-event="route_completed"]) td:first-child')
    expect(released).to_have_text(f"{operations[-1].completed_at:%Y-%m-%d %H:%M:%S}")
    created = UnitHistory.objects.get(unit__identifier=cell, event="created").at
    assert created <= operations[0].started_at  # not the seed's clock, weeks later
    history = page.locator("#history tbody").inner_text()
    assert "step_completed" not in history and "route_completed" not in history
    lane = page.locator('#parents li[data-parent="CATH-A-DEMO-01"] [data-quantity]')
    if lane.count() == 0:  # the lane's name is the fixture's; any roll parent shows metres
        lane = page.locator("#parents li [data-quantity]").filter(has_text=" m").first
    expect(lane).to_contain_text(re.compile(r"^\d+(\.\d+)? m$"))
    if lang == "en":
        expect(page.locator("#history")).to_contain_text("Route completed")
    shots_and_axe(page, "quality-unit-history")
    page.set_viewport_size({"width": 800, "height": 1280})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_signature_hash_prints_whole(live_server, open_page, quality_engineer, plant):
    scenario = build_scenario(plant)
    signed = services.disposition_decide(
        decision="scrap",
        reason="thin coating confirmed",
        password=PASSWORD,
        by=quality_engineer,
        hold=scenario.hold,
    )
    page = qe_signed_in(live_server, open_page, quality_engineer)
    page.set_viewport_size({"width": 800, "height": 1280})
    page.goto(f"{live_server.url}/quality/units/MR-1-A-C1/")
    page.emulate_media(media="print")

    code = page.locator("#dispositions code.hash")
    expect(code).to_have_text(signed.signature.content_hash)  # all 64 digits, not cut
    cell = code.locator("xpath=..").bounding_box()
    box = code.bounding_box()
    assert cell is not None and box is not None
    assert box["x"] + box["width"] <= cell["x"] + cell["width"] + 1  # wrapped inside its cell
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
