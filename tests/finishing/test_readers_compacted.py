"""Finishing's readers of samples (the passports' measurements, grading's aging readings) answer
the same once the demo line's samples are compacted into segments."""

from datetime import UTC, datetime

import numpy as np
import pytest

from finishing.selectors.grading import aging_readings
from finishing.selectors.passport import passports_of
from lines.demo import load_demo_line
from lines.models import Sample, SampleSegment, Unit
from lines.services.telemetry_compaction import samples_compact

pytestmark = pytest.mark.django_db
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
SERIALS = [f"CELL-DEMO-GR-00{n}" for n in range(1, 9)]


def test_passports_and_aging_readings_the_same_once_compacted():
    load_demo_line()
    cells = list(
        Unit.objects.select_related("product", "work_order", "current_step").filter(
            identifier__in=SERIALS
        )
    )
    ids = [c.id for c in cells]
    hot_passports = passports_of(units=cells, qr=False)
    hot_aging = aging_readings(unit_ids=ids)
    assert len(hot_aging.ocv_v) > 0 and not np.isnan(hot_aging.capacity_ah).all()

    assert samples_compact(before=FAR_FUTURE).samples > 0
    assert not Sample.objects.exists() and SampleSegment.objects.exists()

    assert passports_of(units=cells, qr=False) == hot_passports
    aging = aging_readings(unit_ids=ids)
    for name in ("cell", "t_days", "ocv_v", "temp_c", "acir_mohm", "capacity_ah"):
        np.testing.assert_array_equal(getattr(aging, name), getattr(hot_aging, name))
