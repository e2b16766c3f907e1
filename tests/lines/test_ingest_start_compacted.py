"""Where a batch's timeline starts when the station's last unit id or web position is no longer
hot: compacted into a segment (a roll mounted for days, a station idle over a weekend). Without
the segments, a batch would attribute its values to no unit, or to an older one still hot."""

from datetime import timedelta

import pytest

from lines.ingest import batch_ingest
from lines.models import Sample, SampleSegment, Unit
from lines.services.telemetry_compaction import samples_compact
from tests.lines.ingest_helpers import T0, batch, cathode_route, map_tags, sample

COAT, STACK = "ns=2;s=COAT", "ns=2;s=STACK"
DAYS = timedelta(days=3).total_seconds()


@pytest.fixture
def mapped(plant):
    map_tags(plant)
    cathode_route(plant)
    return plant


def test_a_roll_and_its_metres_compacted_days_ago_still_name_the_values(mapped):
    batch_ingest(
        batch=batch(
            [sample(f"{COAT}.RollId", "MR-T-9", 0), sample(f"{COAT}.WebPosition", 812.5, 1)]
        )
    )
    samples_compact(before=T0 + timedelta(hours=1))
    assert not Sample.objects.exists() and SampleSegment.objects.count() == 2

    # the web position's timeline starts where the stored one left it: 812.5 m until 813.0
    batch_ingest(
        batch=batch(
            [
                sample(f"{COAT}.ArealLoading", 25.0, DAYS),
                sample(f"{COAT}.WebPosition", 813.0, DAYS + 1),
            ]
        )
    )

    value = Sample.objects.get(parameter="areal_loading_mg_cm2")
    roll = Unit.objects.get(identifier="MR-T-9")
    assert (value.unit_id, value.position_m) == (roll.pk, 812.5)


def test_a_newer_compacted_unit_id_wins_over_an_older_hot_one(mapped):
    batch_ingest(batch=batch([sample(f"{STACK}.CellSerial", "CELL-T-OLD", 0)]))
    samples_compact(before=T0 + timedelta(hours=1))
    batch_ingest(batch=batch([sample(f"{STACK}.CellSerial", "CELL-T-NEW", 60)]))
    samples_compact(before=T0 + timedelta(hours=1))
    # a late batch brings an older unit id, hot until the next compaction
    batch_ingest(batch=batch([sample(f"{STACK}.CellSerial", "CELL-T-LATE", -60)]))

    batch_ingest(batch=batch([sample(f"{STACK}.Pressure", 0.98, DAYS)]))

    pressure = Sample.objects.get(parameter="stacking_pressure_mpa")
    assert pressure.unit.identifier == "CELL-T-NEW"


def test_a_rejected_unit_id_in_a_segment_is_not_where_a_batch_starts(mapped):
    batch_ingest(
        batch=batch(
            [
                sample(f"{STACK}.CellSerial", "CELL-T-GOOD", 0),
                sample(f"{STACK}.CellSerial", "CELL-T-BAD", 5, status=0x808A0000),
            ]
        )
    )
    samples_compact(before=T0 + timedelta(hours=1))

    batch_ingest(batch=batch([sample(f"{STACK}.Pressure", 0.98, DAYS)]))

    assert Sample.objects.get(parameter="stacking_pressure_mpa").unit.identifier == "CELL-T-GOOD"
