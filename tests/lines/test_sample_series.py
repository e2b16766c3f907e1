"""Long-range series (issue #17 item 3): min/max buckets and every point, hot and compacted alike.

The property: whatever the data (usable or not: bad status, rejected, NaN, infinite, beyond the
bound, other parameters and stations around it) and wherever it lies (hot rows, segments, both,
late rows in a compacted bucket), series_extremes' buckets equal a brute force over the raw
usable points, and series_points is exactly those points in (time, id) order.
"""

import math
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lines import sample_segments as ss
from lines.models import Sample, SampleSegment
from lines.selectors.sample_series import bucket_width_us, series_extremes, series_points
from lines.services.telemetry_compaction import samples_compact
from lines.telemetry_bounds import MAX_ABS_VALUE

BASE = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
SPAN_US = 3 * 3600 * 1_000_000  # data over three hours: 18 segments of one series
PARAM = "areal_loading_mg_cm2"
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

values = st.one_of(
    st.floats(min_value=-1000, max_value=1000, allow_nan=False),
    st.sampled_from([math.nan, math.inf, -math.inf, 2 * MAX_ABS_VALUE, -0.0, None]),
)
kinds = st.sampled_from(["good"] * 6 + ["bad_status", "rejected", "other_param", "other_station"])
sample = st.tuples(st.integers(min_value=0, max_value=SPAN_US - 1), values, kinds)
# "late": compacted, then more rows land in the compacted buckets (hot rows inside segments' time).
placements = st.sampled_from(["hot", "compacted", "split", "late"])


def _store(plant, rows):
    station, other = plant.station("coating"), plant.station("calendering")
    made = []
    for offset, value, kind in rows:
        at = BASE + timedelta(microseconds=offset)
        made.append(
            Sample(
                station=other if kind == "other_station" else station,
                parameter="thickness_um" if kind == "other_param" else PARAM,
                node_id="ns=2;s=T",
                value=value,
                source_time=at,
                server_time=at,
                status_code=0x80000000 if kind == "bad_status" else 0,
                rejected_reason="out of range" if kind == "rejected" else "",
            )
        )
    Sample.objects.bulk_create(made)


def _place(plant, rows, placement, cut):
    """Store the rows hot, compacted, split at `cut` (an offset), or compacted then late."""
    if placement == "late":
        first, late = rows[::2], rows[1::2]
        _store(plant, first)
        samples_compact(before=BASE + timedelta(microseconds=SPAN_US))
        _store(plant, late)
        return
    _store(plant, rows)
    if placement == "compacted":
        samples_compact(before=BASE + timedelta(microseconds=SPAN_US))
    elif placement == "split":
        samples_compact(before=BASE + timedelta(microseconds=cut))


def _usable(value, kind):
    return (
        kind == "good"
        and value is not None
        and math.isfinite(value)
        and abs(value) <= MAX_ABS_VALUE
    )


def _brute(rows, since, until, width):
    start, end = ss.microseconds(since), ss.microseconds(until)
    base = ss.microseconds(BASE)
    cells = {}
    for offset, value, kind in rows:
        t = base + offset
        if not (_usable(value, kind) and start <= t < end):
            continue
        lo, hi, n = cells.get(t // width, (value, value, 0))
        cells[t // width] = (min(lo, value), max(hi, value), n + 1)
    return [(ss.moment_of(c * width), *cells[c]) for c in sorted(cells)]


def _reset():
    SampleSegment.objects.all().delete()
    Sample.objects.all().delete()


def _check_extremes(plant, rows, since, until, points):
    found = series_extremes(plant.station("coating"), PARAM, since, until, points=points)
    width = bucket_width_us(since, until, points)
    assert found.width == timedelta(microseconds=width)
    assert len(found.buckets) <= points
    got = [(b.start, b.min, b.max, b.count) for b in found.buckets]
    assert got == _brute(rows, since, until, width)


@PROPERTY
@given(
    rows=st.lists(sample, max_size=250),
    placement=placements,
    cut=st.integers(min_value=0, max_value=SPAN_US),
    window=st.tuples(st.integers(0, 180), st.integers(1, 200)),
    points=st.integers(min_value=1, max_value=60),
)
def test_extremes_equal_brute_force_with_whole_minute_edges(
    plant, rows, placement, cut, window, points
):
    _reset()
    _place(plant, rows, placement, cut)
    first, minutes = window
    since = BASE + timedelta(minutes=first - 5)
    until = since + timedelta(minutes=minutes)
    _check_extremes(plant, rows, since, until, points)


@PROPERTY
@given(
    rows=st.lists(sample, max_size=250),
    placement=placements,
    cut=st.integers(min_value=0, max_value=SPAN_US),
    since=st.integers(min_value=-60_000_000, max_value=SPAN_US),
    length=st.integers(min_value=1, max_value=SPAN_US),
    points=st.integers(min_value=1, max_value=3000),
)
def test_extremes_equal_brute_force_at_any_edge_and_width(
    plant, rows, placement, cut, since, length, points
):
    """Window ends mid-minute (the cut segments are decoded) and buckets under a minute (every
    segment is decoded): exact too."""
    _reset()
    _place(plant, rows, placement, cut)
    start = BASE + timedelta(microseconds=since)
    _check_extremes(plant, rows, start, start + timedelta(microseconds=length), points)


@PROPERTY
@given(
    rows=st.lists(sample, max_size=250),
    placement=placements,
    cut=st.integers(min_value=0, max_value=SPAN_US),
    newest=st.one_of(st.none(), st.integers(min_value=1, max_value=300)),
)
def test_points_are_every_usable_point_in_time_then_id_order(plant, rows, placement, cut, newest):
    _reset()
    _store(plant, rows)
    expected = Sample.objects.filter(
        station=plant.station("coating"), parameter=PARAM, status_code=0, rejected_reason=""
    ).order_by("source_time", "id")
    want = [(s.id, ss.microseconds(s.source_time), s.value) for s in expected]
    want = [w for w in want if w[2] is not None and math.isfinite(w[2]) and abs(w[2]) <= 1e15]
    if newest is not None:
        want = want[-newest:]
    if placement in ("compacted", "late"):
        samples_compact(before=BASE + timedelta(microseconds=SPAN_US))
    elif placement == "split":
        samples_compact(before=BASE + timedelta(microseconds=cut))

    got = series_points(plant.station("coating"), PARAM, newest=newest)

    assert list(zip(got.ids.tolist(), got.times.tolist(), got.values.tolist(), strict=True)) == want


def test_a_spike_is_kept_at_any_zoom_and_unusable_values_never_show(plant):
    station = plant.station("coating")
    rows = [(i * 100_000, 10.0 + (i % 7) * 0.01, "good") for i in range(36_000)]  # 1 h at 10 Hz
    rows[20_000] = (rows[20_000][0], 99.5, "good")  # one spike
    rows += [(5_000, 1e6, "bad_status"), (6_000, -1e6, "rejected"), (7_000, math.inf, "good")]
    rows += [(8_000, math.nan, "good"), (9_000, 2e15, "good"), (10_000, -500.0, "other_param")]
    _store(plant, rows)
    samples_compact(before=BASE + timedelta(minutes=30))  # half compacted, half hot

    for points in (1, 7, 60, 1000):
        found = series_extremes(station, PARAM, BASE, BASE + timedelta(hours=1), points=points)
        assert max(b.max for b in found.buckets) == 99.5
        assert min(b.min for b in found.buckets) == 10.0
        assert sum(b.count for b in found.buckets) == 36_000
    assert SampleSegment.objects.filter(station=station, parameter=PARAM).count() == 3


def test_a_compacted_window_is_read_without_decoding(plant, monkeypatch):
    """Whole-minute buckets over whole segments come from the summaries: no decode call."""
    rows = [(i * 1_000_000, float(i % 13), "good") for i in range(3 * 3600)]
    _store(plant, rows)
    samples_compact(before=BASE + timedelta(hours=3))
    from lines.selectors import sample_series

    def refuse(blob):
        raise AssertionError("decoded")

    monkeypatch.setattr(sample_series.codec, "decode", refuse)
    found = series_extremes(
        plant.station("coating"), PARAM, BASE, BASE + timedelta(hours=3), points=100
    )
    assert found.width == timedelta(minutes=2)
    assert [(b.min, b.max, b.count) for b in found.buckets] == [(0.0, 12.0, 120)] * 90
    # 48-minute buckets (edges 08:48, 09:36, 10:24): most segments lie within one (summed in
    # SQL), some cross an edge.
    wide = series_extremes(
        plant.station("coating"), PARAM, BASE, BASE + timedelta(hours=3), points=4
    )
    assert wide.width == timedelta(minutes=48)
    expected = _brute(rows, BASE, BASE + timedelta(hours=3), 48 * 60_000_000)
    assert [(b.start, b.min, b.max, b.count) for b in wide.buckets] == expected
    assert sum(b.count for b in wide.buckets) == 3 * 3600


def test_a_time_a_hair_before_a_second_is_in_its_own_second(plant):
    """SQLite's date functions round to milliseconds: 08:09:59.999850 must not be read as 08:10,
    which would put it in the next bucket (and the next minute)."""
    rows = [(599_999_850, 5.0, "good"), (600_000_000, 6.0, "good")]
    _store(plant, rows)
    until = BASE + timedelta(minutes=20)
    found = series_extremes(plant.station("coating"), PARAM, BASE, until, points=2)
    assert [(b.start, b.min, b.max, b.count) for b in found.buckets] == [
        (BASE, 5.0, 5.0, 1),
        (BASE + timedelta(minutes=10), 6.0, 6.0, 1),
    ]
    points = series_points(plant.station("coating"), PARAM)
    assert points.times.tolist() == [ss.microseconds(BASE) + t for t, _, _ in rows]


def test_bucket_width_is_whole_minutes_and_never_makes_too_many_buckets():
    since = BASE + timedelta(seconds=17)
    until = since + timedelta(days=30)
    width = bucket_width_us(since, until, 1000)
    assert width % 60_000_000 == 0 and width == 44 * 60_000_000  # 43.2 min up to whole minutes
    start, end = ss.microseconds(since), ss.microseconds(until)
    assert (end - 1) // width - start // width + 1 <= 1000
    assert bucket_width_us(BASE, BASE + timedelta(seconds=10), 1000) == 10_000


def test_a_sample_seen_as_a_row_and_in_its_segment_counts_once_in_points(plant):
    """What a compaction committing between the two reads looks like: the same sample (id and
    time) as a row and in a segment. series_points keeps it once."""
    rows = [(i * 1_000_000, float(i), "good") for i in range(30)]
    _store(plant, rows)
    kept = Sample.objects.get(source_time=BASE + timedelta(seconds=7))
    samples_compact(before=BASE + timedelta(hours=1))
    Sample.objects.bulk_create([kept])  # the row again, beside its segment

    got = series_points(plant.station("coating"), PARAM)

    assert got.values.tolist() == [float(i) for i in range(30)]
    assert len(set(got.ids.tolist())) == 30
