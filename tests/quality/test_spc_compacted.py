"""SPC over compacted telemetry (issue #17 item 3): the figures come from every usable point, hot
rows and segments alike, so a chart is the same before, during and after a compaction."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from lines.models import Sample, SampleSegment
from lines.services.telemetry_compaction import samples_compact
from quality.selectors import spc as spc_selectors
from quality.selectors.spc import spc_chart
from tests.factories import make_spec

T0 = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)
PARAM = "thickness_um"


@pytest.fixture
def press(plant):
    make_spec(PARAM, "calendering", lsl=78, usl=82, target=80, nelson_rules=True)
    station = plant.station("calendering")
    rng = np.random.default_rng(17)
    rows = []
    for i in range(5400):  # three hours, one reading every two seconds (and a few microseconds)
        at = T0 + timedelta(seconds=2 * i, microseconds=int(rng.integers(0, 999_999)))
        value, status, reason = float(80 + rng.normal(0, 0.3)), 0, ""
        if i % 97 == 0:
            status = 0x80000000  # Bad: never charted
        if i % 101 == 0:
            value, reason = 1e6, "out of range"
        if i % 211 == 0:
            value = float("nan")
        if i == 4000:
            value = 81.9  # a spike the rules see
        rows.append(
            Sample(station=station, parameter=PARAM, node_id="ns=2;s=CAL.Thickness",
                   value=value, source_time=at, server_time=at, status_code=status,
                   rejected_reason=reason)
        )  # fmt: skip
    Sample.objects.bulk_create(rows)
    return station


def _chart(station, **options):
    return spc_chart(station=station, parameter=PARAM, **options).to_dict()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"subgroup_size": 5},
        {
            "since": T0 + timedelta(minutes=37, seconds=13),
            "until": T0 + timedelta(hours=2, minutes=5),
        },
    ],
)
def test_the_chart_is_the_same_hot_split_and_compacted(press, options):
    hot = _chart(press, **options)
    assert len(hot["points"]) > 1000 and hot["violations"]

    samples_compact(before=T0 + timedelta(minutes=95, seconds=30))  # mid-segment, mid-window
    assert SampleSegment.objects.filter(station=press).exists()
    assert Sample.objects.filter(station=press).exists()
    split = _chart(press, **options)

    samples_compact(before=T0 + timedelta(hours=4))
    assert not Sample.objects.filter(station=press).exists()
    compacted = _chart(press, **options)

    assert split == hot
    assert compacted == hot


def test_the_newest_points_cap_is_the_same_across_hot_and_compacted(press, monkeypatch):
    """A window with more usable readings than MAX_POINTS charts the newest: the same ones
    whether they are rows, segments or both (only the segments that can hold them are read)."""
    monkeypatch.setattr(spc_selectors, "MAX_POINTS", 700)
    hot = _chart(press)
    assert len(hot["points"]) == 700
    samples_compact(before=T0 + timedelta(hours=2, minutes=55, seconds=1))
    assert Sample.objects.filter(station=press).count() > 0
    split = _chart(press)
    samples_compact(before=T0 + timedelta(hours=4))
    compacted = _chart(press)
    assert split == hot and compacted == hot


def test_late_rows_in_a_compacted_bucket_are_charted_in_time_order(press):
    samples_compact(before=T0 + timedelta(hours=4))
    late_at = T0 + timedelta(minutes=12, seconds=1)  # inside a compacted segment's time
    late = Sample.objects.create(
        station=press, parameter=PARAM, node_id="ns=2;s=CAL.Thickness", value=80.05,
        source_time=late_at, server_time=late_at + timedelta(hours=3),
    )  # fmt: skip

    body = _chart(press)

    ids = [p["sample"] for p in body["points"]]
    assert late.pk in ids
    times = [datetime.fromisoformat(p["time"]) for p in body["points"]]
    assert times == sorted(times)
