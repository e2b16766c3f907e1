"""The demo exercises the exposure budgets: seed_demo tracks the open SE powder lot close to its
budget, and the simulator's dry room, under the demo scenario, spends it visibly."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from conditions.exposure import weighted_minutes
from conditions.models import DryZone, ExposureBudget, LotExposure
from conditions.selectors.exposure import exposure_state
from opcua_bridge.simulator import load_plan, scenario
from opcua_bridge.simulator.faults import FaultKind
from opcua_bridge.simulator.model import LineModel
from quality.models import Spec


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_tracks_the_se_powder_lot_open_near_its_budget():
    report = seed()
    assert (
        "exposure: 3 budgets, 1 zones created; open lots: LOT-LPSCL-0001, LOT-LPSCL-0002" in report
    )
    lot = LotExposure.objects.get(unit__identifier="LOT-LPSCL-0001")
    assert (lot.budget.material.code, lot.budget.budget_weighted_min) == ("LPSCL", 20.0)
    assert (lot.zone.code, lot.zone.station.code, lot.form) == ("DR-1", "DRY-01", "powder")
    assert lot.accrued_weighted_min == 15.6 and exposure_state(lot) == "ok"
    assert lot.periods.get().closed_at is None
    owners = ExposureBudget.objects.values_list("material__code", "product__code")
    assert sorted(owners, key=str) == sorted(
        [("LPSCL", None), ("LI30", None), (None, "CATH-ROLL")], key=str
    )
    assert Spec.objects.filter(
        parameter="peak_temperature_c", station_kind="densification"
    ).exists()
    # A second seed changes nothing
    assert "open lots: already tracked" in seed()
    assert (LotExposure.objects.count(), DryZone.objects.count()) == (2, 1)


@pytest.mark.django_db
def test_the_demo_wet_lot_is_held_by_the_first_minute_of_dry_room_readings():
    from conditions.services.exposure_accrual import zone_accrue
    from lines.models import Unit

    seed()
    wet = LotExposure.objects.get(unit__identifier="LOT-LPSCL-0002")
    assert wet.accrued_weighted_min == 19.9 and exposure_state(wet) == "warning"
    zone_accrue(zone=wet.zone, until=datetime.now(UTC) + timedelta(minutes=1))
    assert Unit.objects.get(identifier="LOT-LPSCL-0002").status == "on_hold"
    assert Unit.objects.get(identifier="LOT-LPSCL-0001").status != "on_hold"


class _ModelFaults:
    """The two simulator methods the scenario's dry-room steps call, on the model (line time =
    wall time at --speed 1)."""

    def __init__(self, model: LineModel) -> None:
        self.model = model

    def inject_drift(self, station: str, parameter: str, magnitude: float, duration_s: float):
        self.model.inject(FaultKind.DRIFT, station, parameter, duration_s, magnitude)

    def clear_faults(self, station: str | None = None, parameter: str | None = None) -> int:
        return self.model.clear_faults(station, parameter)


def test_the_demo_scenario_makes_the_dry_room_spend_the_budget_in_minutes():
    # The scenario's dry-room steps, played on the simulator's model for one two-minute cycle
    door_open, door_closed = (s for s in scenario.DEMO if s.what.startswith("dry-room"))
    model = LineModel(load_plan(), seed=1)
    start = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    readings = []
    for second in range(1, 121):
        for step in (door_open, door_closed):
            if second == step.at_s:
                step.act(_ModelFaults(model))
        for write in model.step(1.0).writes:
            if (write.station, write.channel) == ("DRY-01", "dew_point_c"):
                readings.append((start + timedelta(seconds=second), write.value))
    dew_points = [value for _at, value in readings]
    # The room stays within its -50 degC limit (no flags), but reaches about -53 with the door open
    assert -54.5 < max(dew_points) < -50.0
    spent = weighted_minutes(readings, start, start + timedelta(minutes=2), form_weight=1.0)
    # The open powder spends about 0.26 weighted min a cycle (0.17 with the door shut all along):
    # 15.6 -> 16 (80 %) within two cycles, 20 (the hold) within about 17 cycles.
    assert 0.22 < spent < 0.32
