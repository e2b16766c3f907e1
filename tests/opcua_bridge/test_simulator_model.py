"""The simulator's pure process model: targets, repeatability, cells and feed metres, faults.

No server here: LineModel is stepped directly, as the server shell does once per tick.
"""

import math
import statistics
import tomllib

import pytest

from opcua_bridge.simulator import load_plan
from opcua_bridge.simulator.catalog import DEFAULT_LINE_FILE, DEFAULT_TAGS_FILE, check_plan
from opcua_bridge.simulator.faults import BAD_SENSOR_FAILURE, GOOD, FaultKind
from opcua_bridge.simulator.model import LineModel

STEP_S = 5.0  # line seconds per step: the tests' FAST options (speed 100, tick 0.05 s)


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def run(model: LineModel, steps: int):
    """Step the model; return (writes by (station, channel), events by station)."""
    writes, events = {}, {}
    for _ in range(steps):
        result = model.step(STEP_S)
        for write in result.writes:
            writes.setdefault((write.station, write.channel), []).append(write)
        for event in result.events:
            events.setdefault(event.station, []).append(event.fields)
    return writes, events


def values(writes, station, channel):
    return [write.value for write in writes[(station, channel)]]


def test_the_tag_map_and_the_model_agree_and_parameters_are_recipe_keys(plan):
    assert check_plan(plan) == []
    line = tomllib.loads(DEFAULT_LINE_FILE.read_text(encoding="utf-8"))
    recipe_keys = {key for recipe in line["recipes"] for key in recipe["setpoints"]}
    parameters = {tag.parameter for tag in plan.tags if tag.parameter}
    assert parameters <= recipe_keys, parameters - recipe_keys
    assert plan.settings.feed_rolls == ("MR-DEMO-01-A", "MR-DEMO-01-B")


def test_a_tag_map_that_names_an_unsimulated_parameter_is_refused(tmp_path):
    text = DEFAULT_TAGS_FILE.read_text(encoding="utf-8").replace(
        'parameter = "dew_point_c"', 'parameter = "dew_point_k"'
    )
    tags_file = tmp_path / "tags.toml"
    tags_file.write_text(text, encoding="utf-8")

    with pytest.raises(ValueError) as refused:
        load_plan(tags_file=tags_file)

    message = str(refused.value)
    assert "DRY-01 dew_point_k is not simulated" in message
    assert "no tag for DRY-01 dew_point_c" in message


def test_process_values_follow_the_recipe_set_points(plan):
    writes, _ = run(LineModel(plan, seed=1), 2000)

    expected = {
        ("COAT-01", "areal_loading_mg_cm2"): (25.0, 0.02),
        ("COAT-01", "dry_thickness_um"): (110.0, 0.2),
        ("COAT-01", "coating_width_mm"): (300.0, 0.02),
        ("COAT-01", "web_speed_m_min"): (8.0, 0.01),
        ("COAT-01", "dryer_zone_1_c"): (90.0, 0.15),
        ("COAT-01", "dryer_zone_3_c"): (130.0, 0.15),
        ("STACK-01", "alignment_mm"): (0.0, 0.01),
        ("STACK-01", "anode_overhang_mm"): (0.8, 0.01),
        ("STACK-01", "stacking_pressure_mpa"): (1.0, 0.005),
        ("WIP-01", "isostatic_pressure_mpa"): (490.0, 0.5),
        ("WIP-01", "temperature_c"): (80.0, 0.2),
        ("SEAL-01", "seal_temperature_c"): (190.0, 0.2),
        ("SEAL-01", "seal_time_s"): (4.0, 0.01),
        ("FORM-01", "stack_pressure_mpa"): (3.0, 0.01),
        ("FORM-01", "capacity_ah"): (10.0, 0.01),
        ("FORM-01", "first_cycle_efficiency_pct"): (88.0, 0.1),
        ("DRY-01", "dew_point_c"): (-60.0, 0.15),
        ("DRY-01", "h2s_ppm"): (0.1, 0.01),
    }
    for key, (target, tolerance) in expected.items():
        mean = statistics.fmean(values(writes, *key))
        assert abs(mean - target) <= tolerance, (key, mean)
    hold = values(writes, "WIP-01", "hold_time_s")
    assert min(hold) >= 1800.0
    assert min(values(writes, "DRY-01", "h2s_ppm")) >= 0.0
    assert set(values(writes, "STACK-01", "sheet_count")) <= {20.0, 21.0}


def test_a_missed_sheet_belongs_to_one_cell_and_few_cells_have_one(plan):
    """Drawn per reading, every reading of a 30 s cycle could miss a sheet: at a 0.1 s sampling
    period more than half the cells were out of spec and held."""
    model, counts = LineModel(plan, seed=3), {}
    for _ in range(6_000):  # 1,000 cells at 6 steps each
        serial = model.cells.serial(model.cells.cell_number)  # stacked while the step's writes are
        result = model.step(STEP_S)
        for write in result.writes:
            if (write.station, write.channel) == ("STACK-01", "sheet_count"):
                counts.setdefault(serial, set()).add(write.value)
    assert all(len(seen) == 1 for seen in counts.values())
    missed = sum(1 for seen in counts.values() if seen == {20.0})
    assert 0 < missed <= 15, missed  # 0.3 % of 1,000 cells, with room for chance


def test_the_same_seed_gives_the_same_sequence_and_another_seed_does_not(plan):
    first, first_events = run(LineModel(plan, seed=7), 300)
    again, again_events = run(LineModel(plan, seed=7), 300)
    other, _ = run(LineModel(plan, seed=8), 300)

    assert first == again
    assert first_events == again_events
    key = ("COAT-01", "areal_loading_mg_cm2")
    assert values(first, *key) != values(other, *key)


def test_web_position_grows_with_web_speed_and_a_new_roll_starts_every_roll_length(plan):
    model = LineModel(plan, seed=1)
    # 8 m/min is 0.133 m per line second; 1200 m take ~9000 s = ~1800 steps of 5 s.
    writes, _ = run(model, 1900)

    rolls = values(writes, "COAT-01", "unit_id")
    assert rolls == ["MR-SIM-0001", "MR-SIM-0002"]
    positions = values(writes, "COAT-01", "web_position_m")
    assert positions[0] == pytest.approx(8.0 / 60 * STEP_S, abs=0.01)
    drops = [i for i in range(1, len(positions)) if positions[i] < positions[i - 1]]
    assert len(drops) == 1
    assert positions[drops[0] - 1] == pytest.approx(1200.0, abs=4.0)


def test_each_cell_gets_a_serial_and_consecutive_feed_metres(plan):
    model = LineModel(plan, seed=1)
    # A cell every 30 line seconds = 6 steps; 1200 m / 1.2 m = 1000 cells per feed roll.
    writes, events = run(model, 6 * 1002)

    stacked = events["STACK-01"]
    assert len(stacked) == 1002
    assert [cell["sequence"] for cell in stacked] == list(range(1, 1003))
    assert stacked[0]["serial"] == "CELL-SIM-000001"
    assert (stacked[0]["feed_roll"], stacked[0]["feed_from_m"], stacked[0]["feed_to_m"]) == (
        "MR-DEMO-01-A",
        0.0,
        1.2,
    )
    on_a = [cell for cell in stacked if cell["feed_roll"] == "MR-DEMO-01-A"]
    assert len(on_a) == 1000
    for before, after in zip(on_a, on_a[1:], strict=False):
        assert after["feed_from_m"] == before["feed_to_m"]
    assert on_a[-1]["feed_to_m"] == 1200.0
    assert (stacked[1000]["feed_roll"], stacked[1000]["feed_from_m"]) == ("MR-DEMO-01-B", 0.0)
    serials = values(writes, "STACK-01", "unit_id")
    assert serials[:3] == ["CELL-SIM-000001", "CELL-SIM-000002", "CELL-SIM-000003"]


def test_cells_move_down_the_line_and_eol_grades_each_once(plan):
    _, events = run(LineModel(plan, seed=1), 6 * 20)

    graded = events["EOL-01"]
    # EOL sees cell n when the stacker finishes cell n + 4: 20 stacked, 16 graded.
    assert [cell["serial"] for cell in graded] == [f"CELL-SIM-{n:06d}" for n in range(1, 17)]
    assert [cell["sequence"] for cell in graded] == list(range(1, 17))
    for cell in graded:
        assert cell["result"] in ("OK", "NOK")
        assert cell["ocv_v"] == pytest.approx(3.65, abs=0.01)
        assert cell["acir_mohm"] == pytest.approx(1.2, abs=0.3)
        assert cell["capacity_ah"] == pytest.approx(10.0, abs=0.3)


def test_stuck_repeats_the_last_good_value_for_the_duration_then_lets_go(plan):
    model = LineModel(plan, seed=1)
    run(model, 5)
    last = model.channels[("COAT-01", "areal_loading_mg_cm2")].last

    model.inject(FaultKind.STUCK, "COAT-01", "areal_loading_mg_cm2", duration_s=4 * STEP_S)
    writes, _ = run(model, 8)

    loading = values(writes, "COAT-01", "areal_loading_mg_cm2")
    assert loading[:3] == [last, last, last]
    assert len(set(loading[4:])) == 4


def test_nan_and_bad_status_faults(plan):
    model = LineModel(plan, seed=1)
    model.inject(FaultKind.NAN, "DRY-01", "dew_point_c", duration_s=2 * STEP_S)
    model.inject(FaultKind.BAD_STATUS, "DRY-01", "h2s_ppm", duration_s=2 * STEP_S)
    writes, _ = run(model, 4)

    dew = writes[("DRY-01", "dew_point_c")]
    assert [math.isnan(w.value) for w in dew] == [True, False, False, False]
    assert {w.status for w in dew} == {GOOD}
    h2s = writes[("DRY-01", "h2s_ppm")]
    assert [w.status for w in h2s] == [BAD_SENSOR_FAILURE, GOOD, GOOD, GOOD]


def test_a_fault_does_not_change_the_random_stream(plan):
    clean, _ = run(LineModel(plan, seed=3), 20)
    model = LineModel(plan, seed=3)
    model.inject(FaultKind.SPIKE, "COAT-01", "dry_thickness_um", 0, magnitude=30.0)
    faulty, _ = run(model, 20)

    thickness = values(faulty, "COAT-01", "dry_thickness_um")
    clean_thickness = values(clean, "COAT-01", "dry_thickness_um")
    assert thickness[0] == pytest.approx(clean_thickness[0] + 30.0)
    assert thickness[1:] == clean_thickness[1:]
    assert values(faulty, "COAT-01", "areal_loading_mg_cm2") == values(
        clean, "COAT-01", "areal_loading_mg_cm2"
    )


def test_drift_ramps_over_its_duration_then_holds_until_cleared(plan):
    model = LineModel(plan, seed=1)
    clean, _ = run(LineModel(plan, seed=1), 30)
    model.inject(FaultKind.DRIFT, "COAT-01", "coating_width_mm", 10 * STEP_S, magnitude=2.0)
    drifted, _ = run(model, 20)
    model.clear_faults("COAT-01")
    after, _ = run(model, 10)

    offsets = [
        a - b
        for a, b in zip(
            values(drifted, "COAT-01", "coating_width_mm"),
            values(clean, "COAT-01", "coating_width_mm"),
            strict=False,
        )
    ]
    assert offsets[0] == pytest.approx(0.2, abs=1e-3)
    assert offsets[4] == pytest.approx(1.0, abs=1e-3)
    assert offsets[9:] == pytest.approx([2.0] * 11, abs=1e-3)
    assert (
        values(after, "COAT-01", "coating_width_mm")
        == values(clean, "COAT-01", "coating_width_mm")[20:]
    )


def test_roll_change_starts_a_new_mother_roll_and_the_next_feed_roll(plan):
    model = LineModel(plan, seed=1)
    run(model, 10)

    assert model.change_roll("COAT-01") == "MR-SIM-0002"
    assert model.change_roll("STACK-01") == "MR-DEMO-01-B"
    assert model.change_roll("STACK-01") == "FEED-SIM-0003"
    writes, events = run(model, 6)

    assert values(writes, "COAT-01", "unit_id") == ["MR-SIM-0002"]
    assert values(writes, "COAT-01", "web_position_m")[0] < 1.0
    assert events["STACK-01"][0]["feed_roll"] == "FEED-SIM-0003"
    assert events["STACK-01"][0]["feed_from_m"] == 0.0
    with pytest.raises(KeyError):
        model.change_roll("DRY-01")


def test_a_fault_on_an_unknown_channel_is_refused(plan):
    model = LineModel(plan, seed=1)
    with pytest.raises(KeyError, match="no numeric channel COAT-01 nope"):
        model.inject(FaultKind.NAN, "COAT-01", "nope", 1.0)
    with pytest.raises(KeyError):
        model.inject(FaultKind.NAN, "STACK-01", "unit_id", 1.0)
