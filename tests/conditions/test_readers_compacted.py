"""Conditions' readers of samples (a zone's dew points, a press's profile readings) and the
station's latest values answer the same once the samples are compacted into segments."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from conditions.models import LotExposure
from conditions.selectors.pressure import pressure_series
from conditions.services import pressure as pressure_services
from conditions.services.exposure import exposure_scan
from conditions.services.exposure_accrual import zone_readings
from lines import services as lines_services
from lines.models import Sample, SampleSegment, SampleSource, Tag
from lines.selectors import station_latest_values
from lines.services.telemetry_compaction import samples_compact
from tests.conditions.exposure_helpers import ingest_dew_points, sulfide_powder, t, zone
from tests.conditions.pressure_helpers import pressed_cell
from tests.factories import add_samples, make_cell

pytestmark = pytest.mark.django_db
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def compact_all() -> None:
    assert samples_compact(before=FAR_FUTURE).samples > 0
    assert not Sample.objects.exists() and SampleSegment.objects.exists()


def test_a_zone_s_readings_and_a_lot_s_exposure_the_same_from_segments(plant, operator):
    dry_room = zone(plant)
    lot = lines_services.material_receive(
        material=sulfide_powder(plant),
        identifier="LOT-LPSCL-1",
        quantity=Decimal("20"),
        supplier="Ampcera",
        supplier_lot="AMP-1",
    )
    ingest_dew_points("DR-1", [(-1, -60.0), (10, -45.0), (15, -40.0)])
    windows = [(t(0), t(18)), (t(10), t(15)), (t(-5), t(-2)), (t(16), t(30))]
    hot = [zone_readings(dry_room, start, end) for start, end in windows]
    assert hot[0] == [(t(-1), -60.0), (t(10), -45.0), (t(15), -40.0)]
    assert hot[1] == [(t(10), -45.0)]  # the one at its start, none at its end

    compact_all()
    assert [zone_readings(dry_room, start, end) for start, end in windows] == hot
    # The hand-computed figure of tests/conditions/test_exposure.py, from segments.
    exposure_scan(unit=lot, action="opened", zone=dry_room, at=t(0), by=operator)
    exposure_scan(unit=lot, action="closed", at=t(18), by=operator)
    assert LotExposure.objects.get(unit=lot).accrued_weighted_min == pytest.approx(6.646, abs=0.001)


def test_a_pressure_profile_s_readings_the_same_from_segments(plant):
    cell, operation = pressed_cell(plant)
    profile, _ = pressure_services.pressure_profile_record(operation=operation)
    assert profile.readings == 8
    hot_series = pressure_series(profile)
    hot_arrays = pressure_services._series(operation)
    assert len(hot_series["isostatic_pressure_mpa"]) == 4

    compact_all()
    assert pressure_series(profile) == hot_series
    arrays = pressure_services._series(operation)
    assert arrays.keys() == hot_arrays.keys()
    for name, (times, values) in hot_arrays.items():
        np.testing.assert_array_equal(arrays[name][0], times)
        np.testing.assert_array_equal(arrays[name][1], values)


def test_a_station_s_latest_plc_values_the_same_from_segments(plant):
    coater = plant.station("coating")
    for parameter in ("areal_loading_mg_cm2", "web_speed_m_min", "wet_thickness_um"):
        Tag.objects.create(node_id=f"ns=2;s={parameter}", station=coater, parameter=parameter)
    roll = make_cell(plant, "CELL-1")
    start = datetime(2025, 3, 1, 8, tzinfo=UTC)
    add_samples(coater, "areal_loading_mg_cm2", [25.0, 25.1], unit=roll, at=start)
    add_samples(coater, "areal_loading_mg_cm2", [24.9], at=start + timedelta(minutes=30))
    add_samples(coater, "web_speed_m_min", [8.0], at=start + timedelta(minutes=5))
    later = add_samples(coater, "web_speed_m_min", [9.0], at=start + timedelta(minutes=50))[0]
    Sample.objects.filter(pk=later.pk).update(source=SampleSource.MANUAL)  # not the machine's

    def latest() -> list:
        return [
            (row.parameter, row.sample and (row.sample.pk, row.sample.value, row.sample.unit))
            for row in station_latest_values(station=coater)
        ]

    hot = latest()
    assert [(p, s and s[1]) for p, s in hot] == [
        ("areal_loading_mg_cm2", 24.9),
        ("web_speed_m_min", 8.0),
        ("wet_thickness_um", None),
    ]
    compact_all()
    assert latest() == hot
