"""The quality screens render what their selectors say, for a quality engineer, on known data
(tests/quality/web_scenario.py)."""

import re

import pytest

from lines.choices import UnitStatus
from tests.quality.web_scenario import LOADING, SPIKE_INDEX, THICKNESS, build_scenario


@pytest.fixture
def scenario(plant):
    return build_scenario(plant)


@pytest.fixture
def qe_client(client, quality_engineer):
    client.force_login(quality_engineer)
    return client


def _attrs(html: str, name: str) -> set[str]:
    return set(re.findall(rf'{name}="([^"]*)"', html))


def test_genealogy_of_a_lane_draws_its_whole_backward_trace_and_its_cells(scenario, qe_client):
    response = qe_client.get("/quality/genealogy/MR-1-A/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _attrs(html, "data-node") == {
        "LOT-NMC-1",
        "SLURRY-1",
        "MR-1",
        "MR-1-A",
        "MR-1-A-C0",
        "MR-1-A-C1",
        "MR-1-A-C2",
    }
    assert _attrs(html, "data-edge") == {
        "LOT-NMC-1&gt;SLURRY-1",
        "SLURRY-1&gt;MR-1",
        "MR-1&gt;MR-1-A",
        "MR-1-A&gt;MR-1-A-C0",
        "MR-1-A&gt;MR-1-A-C1",
        "MR-1-A&gt;MR-1-A-C2",
    }
    assert 'data-node="MR-1-A-C1" data-kind="cell" data-status="on_hold"' in html
    assert 'data-node="MR-1" data-kind="roll" data-status="consumed" data-flagged="true"' in html
    assert "430–431.2 m" in html  # metres of the cell's sheets on the edge


def test_a_large_fan_out_is_drawn_as_a_counted_group(scenario, qe_client, monkeypatch):
    monkeypatch.setattr("quality.selectors.genealogy_graph.FANOUT_LIMIT", 2)

    html = qe_client.get("/quality/genealogy/MR-1-A/").content.decode()

    assert _attrs(html, "data-node") == {"LOT-NMC-1", "SLURRY-1", "MR-1", "MR-1-A"}
    assert 'data-group="MR-1-A" data-count="3"' in html


def test_expanding_a_group_draws_its_units(scenario, qe_client, monkeypatch):
    monkeypatch.setattr("quality.selectors.genealogy_graph.FANOUT_LIMIT", 2)

    html = qe_client.get(f"/quality/genealogy/MR-1-A/?expand={scenario.lanes[0].pk}").content
    html = html.decode()

    assert {"MR-1-A-C0", "MR-1-A-C1", "MR-1-A-C2"} <= _attrs(html, "data-node")
    assert "The first 3 are drawn above." in html


def test_the_lot_page_counts_everything_downstream(scenario, qe_client):
    html = qe_client.get("/quality/genealogy/LOT-NMC-1/").content.decode()

    assert "Everything downstream: 10 units" in html  # slurry, mother, 2 lanes, 6 cells


def test_an_unknown_identifier_is_a_404_that_says_so(qe_client, db):
    response = qe_client.get("/quality/genealogy/NOPE-1/")

    assert response.status_code == 404
    assert "No unit with identifier NOPE-1." in response.content.decode()


def test_search_goes_to_the_identifier(qe_client, db):
    response = qe_client.get("/quality/genealogy/", {"q": " MR-1 "})

    assert response.status_code == 302
    assert response["Location"] == "/quality/genealogy/MR-1/"


def test_roll_map_colours_the_thin_metres_out_of_spec(scenario, qe_client):
    html = qe_client.get("/quality/rolls/MR-1/").content.decode()

    out = re.findall(r'data-state="out_of_spec" data-from-m="([\d.]+)" data-to-m="([\d.]+)"', html)
    assert [(float(a), float(b)) for a, b in out] == [
        (420.0, 432.0),
        (432.0, 444.0),
        (444.0, 456.0),
    ]
    assert 'data-flag-from-m="420" data-flag-to-m="450"' in html
    assert 'data-segment="areal_loading_mg_cm2"' in html
    assert "MR-1-A-C1" in html and "MR-1-B-C1" in html
    assert "MR-1-A-C0" not in html  # built at 400 m, outside the segment


def test_a_lane_inherits_the_mother_rolls_readings(scenario, qe_client):
    html = qe_client.get("/quality/rolls/MR-1-A/").content.decode()

    assert html.count('data-state="out_of_spec"') == 3


def test_spc_page_marks_the_rule_1_point(scenario, qe_client):
    html = qe_client.get(f"/quality/spc/T-CALENDERING/{THICKNESS}/").content.decode()

    assert re.search(rf'data-index="{SPIKE_INDEX}" data-value="81.2" data-rules="1"', html)
    assert 'data-rule="1"' in html
    assert "1 point more than 3 sigma from the centre line" in html
    assert 'hx-trigger="every 10s"' in html
    assert 'data-index="cpk"' in html


def test_spc_chart_partial_is_the_chart_alone(scenario, qe_client):
    response = qe_client.get(f"/quality/spc/T-CALENDERING/{THICKNESS}/chart/?range=all")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="spc-location"' in html and 'id="spc-range"' in html


def test_spc_with_too_few_readings_says_so(scenario, qe_client):
    html = qe_client.get(f"/quality/spc/T-CALENDERING/{THICKNESS}/?range=1h").content.decode()

    assert "usable reading(s) in that window" in html


def test_queue_lists_open_flags_and_filters_by_parameter(scenario, qe_client):
    all_flags = qe_client.get("/quality/queue/").content.decode()
    thickness_only = qe_client.get("/quality/queue/", {"parameter": THICKNESS}).content.decode()

    assert f'data-flag="{scenario.segment_flag.pk}"' in all_flags
    assert f'data-hold="{scenario.hold.pk}"' in all_flags
    assert f'data-flag="{scenario.segment_flag.pk}"' not in thickness_only


def test_queue_filters_by_age(scenario, qe_client):
    recent = qe_client.get("/quality/queue/", {"age": "1h"}).content.decode()
    old = qe_client.get("/quality/queue/", {"age": "old"}).content.decode()

    assert f'data-flag="{scenario.segment_flag.pk}"' in recent
    assert f'data-flag="{scenario.segment_flag.pk}"' not in old


def test_flag_page_shows_samples_spec_version_and_affected_units(scenario, qe_client):
    html = qe_client.get(f"/quality/flags/{scenario.segment_flag.pk}/").content.decode()

    assert html.count('data-rules="⚑"') == 31  # the thin readings, marked
    assert "coating/areal_loading_mg_cm2 v1" in html
    assert "MR-1-A-C1" in html and "MR-1-B-C1" in html
    assert "2 affected units" in html


def test_unit_history_lists_flags_holds_and_status_changes(scenario, qe_client):
    html = qe_client.get("/quality/units/MR-1-A-C1/").content.decode()

    assert "Traceability report: MR-1-A-C1" in html
    assert f"hold {scenario.hold.pk}" in html
    assert LOADING in html
    assert str(UnitStatus.ON_HOLD.label) in html


def test_spc_with_subgroups_draws_x_bar_and_range_charts(scenario, qe_client):
    html = qe_client.get(f"/quality/spc/T-CALENDERING/{THICKNESS}/?n=2").content.decode()

    assert "X-bar chart of thickness_um at T-CALENDERING" in html
    assert "Range chart of thickness_um at T-CALENDERING" in html
    assert html.count('class="point"') + html.count('class="point marked"') == 2 * 50
