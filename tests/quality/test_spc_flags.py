"""SPC on stored samples: a known rule violation raises one warning flag, without a hold."""

import pytest

from lines.choices import UnitStatus
from lines.models import Unit
from mes.errors import RuleViolation
from quality import services
from quality.models import Flag
from quality.selectors.spc import spc_chart
from tests.factories import add_samples, make_cell, make_spec

# Calendered thickness, target 80 um: a baseline alternating 79.8/80.2 (centre 80, MR-bar 0.4,
# sigma 0.4/1.128 = 0.3546), then one reading at 81.2 (> 80 + 3 * 0.3546 = 81.064): WE rule 1.
BASELINE = [79.8, 80.2] * 50  # the 100 readings of the default baseline window


def test_a_point_beyond_three_sigma_raises_one_spc_warning_and_no_hold(plant):
    make_spec("thickness_um", "calendering", lsl=78, usl=82, target=80)
    press = plant.station("calendering")
    cell = make_cell(plant, "CELL-1")  # stands in for the unit the reading belongs to
    add_samples(press, "thickness_um", BASELINE)
    spike = add_samples(press, "thickness_um", [81.2], unit=cell)[0]

    flags = services.spc_flag_violations(station=press, parameter="thickness_um")

    assert [(f.kind, f.limit, f.value, f.unit, f.severity) for f in flags] == [
        ("spc_rule", "WE rule 1", 81.2, cell, "minor")
    ]
    assert flags[0].sample_ids == [spike.pk]
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.CREATED
    # Still firing on the next evaluation: the open flag covers it, no second flag.
    assert services.spc_flag_violations(station=press, parameter="thickness_um") == []
    assert Flag.objects.count() == 1


def test_the_chart_reports_limits_violations_and_capability(plant):
    make_spec("thickness_um", "calendering", lsl=78, usl=82, target=80)
    press = plant.station("calendering")
    add_samples(press, "thickness_um", [*BASELINE, 81.2])
    add_samples(press, "thickness_um", [float("nan")])
    add_samples(press, "thickness_um", [95.0], status_code=0x808A0000)  # bad status: not charted

    result = spc_chart(station=press, parameter="thickness_um").to_dict()

    assert len(result["points"]) == 101
    limits = result["chart"]["limits"]
    assert abs(limits["center"] - 80.0) < 1e-9
    assert abs(limits["ucl"] - (80 + 3 * 0.4 / 1.128)) < 1e-9
    assert [(v["rule"], v["indices"]) for v in result["violations"]] == [(1, [100])]
    assert result["spec"]["usl"] == 82
    assert result["capability"]["cp"] is not None


def test_spc_flags_can_hold_when_the_spec_says_so(plant):
    make_spec("thickness_um", "calendering", lsl=78, usl=82, spc_holds=True)
    press = plant.station("calendering")
    cell = make_cell(plant, "CELL-1")
    add_samples(press, "thickness_um", BASELINE)
    add_samples(press, "thickness_um", [81.2], unit=cell)
    services.spc_flag_violations(station=press, parameter="thickness_um")
    assert Unit.objects.get(pk=cell.pk).status == UnitStatus.ON_HOLD


def test_an_exact_spec_charts_without_capability(plant):
    make_spec("sheet_count", "stacking", lsl=21, usl=21)
    stacker = plant.station("stacking")
    add_samples(stacker, "sheet_count", [21, 21, 20, 21])
    result = spc_chart(station=stacker, parameter="sheet_count").to_dict()
    assert (len(result["points"]), result["capability"]) == (4, None)
    assert result["points"][0]["time"].endswith("Z")


def test_too_few_readings_is_a_clear_refusal(plant):
    make_spec("thickness_um", "calendering", lsl=78, usl=82)
    press = plant.station("calendering")
    add_samples(press, "thickness_um", [80.0])
    with pytest.raises(RuleViolation, match="1 usable reading.* at least 2 needed"):
        spc_chart(station=press, parameter="thickness_um")
