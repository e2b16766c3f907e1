"""lines/selectors/samples.py answers as the ORM filter on hot rows would, whether the samples are
hot, compacted, or some of each (a late hot sample older than the segments included)."""

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lines.models import Sample, SampleSegment, SampleSource
from lines.selectors import samples
from lines.selectors.samples import Where
from lines.services.telemetry_compaction import samples_compact
from tests.factories import make_cell, make_roll

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def columns(found: list[Sample]) -> list[tuple]:
    return [tuple(getattr(s, f.attname) for f in Sample._meta.concrete_fields) for s in found]


@pytest.fixture
def mixed(plant):
    """~600 samples over 3 hours (many 10-minute buckets) of 4 series, 3 units, with rejected,
    bad-status, out-of-bound, null-value, manual and positioned ones; equal times in places."""
    rng = random.Random(17)
    coater, stacker = plant.station("coating"), plant.station("stacking")
    units = [make_roll("MR-1"), make_roll("MR-2"), make_cell(plant, "C-1")]
    series = [
        (coater, "areal_loading_mg_cm2", "ns=2;s=COAT.Load"),
        (coater, "web_speed_m_min", "ns=2;s=COAT.Speed"),
        (stacker, "alignment_mm", ""),
        (None, "", "ns=2;s=GHOST"),
    ]
    rows = []
    for i in range(600):
        station, parameter, node = series[i % 4]
        second = rng.randrange(0, 3 * 3600) // 2 * 2  # every other second: ties between series
        value = rng.choice([rng.uniform(-5, 30)] * 6 + [None, 1e300])
        rows.append(
            Sample(
                station=station,
                parameter=parameter,
                node_id=node,
                value=value,
                raw_value="NaN" if value is None else "",
                source_time=T0 + timedelta(seconds=second),
                server_time=T0 + timedelta(seconds=second + 1),
                status_code=rng.choice([0] * 8 + [2150891520]),
                unit=rng.choice(units + [None]),
                position_m=rng.choice([None, rng.uniform(0, 900)]),
                source=rng.choice([SampleSource.PLC] * 5 + [SampleSource.MANUAL]),
                rejected_reason=rng.choice([""] * 9 + ["out of range"]),
            )
        )
    Sample.objects.bulk_create(rows)
    ids = list(Sample.objects.order_by("id").values_list("id", flat=True)[100:140:3])
    return {"coater": coater, "stacker": stacker, "units": units, "ids": ids}


def wheres(mixed) -> list[Where]:
    coater, stacker, (roll, roll2, cell) = mixed["coater"], mixed["stacker"], mixed["units"]
    mid = T0 + timedelta(minutes=75)
    return [
        Where(),
        Where(units=[roll.pk]),
        Where(units=[roll.pk, cell.pk], usable=True),
        Where(stations=[coater.pk], parameters=["areal_loading_mg_cm2"], usable=True),
        Where(stations=[coater.pk], since=mid, until=mid + timedelta(minutes=33)),
        Where(stations=[stacker.pk], until=mid, until_closed=True),
        Where(parameters=["web_speed_m_min"], since=mid, since_open=True),
        Where(station_kind=stacker.kind, units=[cell.pk], usable=True),
        Where(node_id="ns=2;s=GHOST", rejected=True),
        Where(rejected=False, source=SampleSource.MANUAL),
        Where(source=SampleSource.PLC, units=[roll2.pk]),
        Where(units=[roll.pk, roll2.pk], positioned=True),
        Where(ids=mixed["ids"]),
        Where(units=[]),
    ]


def answers(mixed) -> list:
    out = []
    for where in wheres(mixed):
        out.append(
            (
                columns(samples.samples(where)),
                columns(samples.newest(where, 7)),
                # As the samples API reads a page: the segments read once, their data in batches.
                columns(samples.newest(where, 50, found=list(samples.segments(where)))),
                columns(samples.oldest(where, 5)),
                columns(samples.newest(where, 10_000)),
                samples.count(where),
            )
        )
    return out


def orm(where: Where) -> list[tuple]:
    if where.empty():
        return []
    return columns(list(samples.hot(where).order_by("source_time", "id")))


@pytest.mark.parametrize("before", [T0 + timedelta(minutes=95), FAR_FUTURE])
def test_every_answer_the_same_hot_compacted_and_split(mixed, before, monkeypatch):
    monkeypatch.setattr(samples, "DECODE_BATCH", 5)  # batches end inside the pages read
    expected = [orm(w) for w in wheres(mixed)]
    hot = answers(mixed)
    for want, (every, newest, page, oldest, all_newest, count) in zip(expected, hot, strict=True):
        assert every == want
        assert newest == list(reversed(want))[:7]
        assert page == list(reversed(want))[:50]
        assert oldest == want[:5]
        assert all_newest == list(reversed(want))
        assert count == len(want)
    assert sum(len(w) for w in expected[:1]) == 600

    done = samples_compact(before=before)
    assert done.samples > 0
    assert Sample.objects.count() == 600 - done.samples
    assert answers(mixed) == hot


def test_a_late_hot_sample_older_than_its_segment_is_merged_in_order(mixed):
    coater = mixed["coater"]
    samples_compact(before=FAR_FUTURE)
    where = Where(stations=[coater.pk], parameters=["web_speed_m_min"])
    before = samples.samples(where)
    late = Sample.objects.create(
        station=coater,
        parameter="web_speed_m_min",
        node_id="ns=2;s=COAT.Speed",
        value=3.0,
        source_time=before[10].source_time,
        server_time=FAR_FUTURE,
    )
    after = samples.samples(where)
    assert [s.pk for s in after] == sorted(
        [s.pk for s in before] + [late.pk],
        key=lambda pk: next((s.source_time, s.pk) for s in [*before, late] if s.pk == pk),
    )
    assert after[11].pk == late.pk  # the same time as the 11th, a higher id
    assert samples.count(where) == len(before) + 1
    newest_late = samples.newest(replace(where, until=before[10].source_time, until_closed=True), 1)
    assert newest_late[0].pk == late.pk


def test_only_segments_that_can_hold_an_answer_are_decoded(mixed, monkeypatch):
    samples_compact(before=FAR_FUTURE)
    roll = mixed["units"][0]
    decoded = []
    real = samples.codec.decode
    monkeypatch.setattr(samples.codec, "decode", lambda blob: decoded.append(1) or real(blob))

    samples.samples(Where(units=[roll.pk]))
    holding = SampleSegment.objects.filter(unit_rows__unit_id=roll.pk).count()
    assert 0 < len(decoded) == holding < SampleSegment.objects.count()

    decoded.clear()
    samples.newest(Where(), 3)  # the newest segments only
    assert 0 < len(decoded) < 8

    decoded.clear()
    assert samples.count(Where(stations=[mixed["coater"].pk])) == 300
    assert decoded == []  # whole segments counted from their rows


def test_decoded_samples_carry_their_related_objects_in_one_query_each(
    mixed, django_assert_num_queries
):
    samples_compact(before=FAR_FUTURE)
    roll = mixed["units"][0]
    # segments, hot rows, then one query each for stations and units
    with django_assert_num_queries(4):
        found = samples.samples(Where(units=[roll.pk]), related=("station", "unit"))
        assert {s.unit.identifier for s in found} == {"MR-1"}
        assert {s.station.code for s in found if s.station_id} == {"T-COATING", "T-STACKING"}
    assert all(s._state.adding for s in found)  # decoded, unsaved


def test_a_page_over_many_segments_read_in_batches_misses_none(mixed, monkeypatch):
    """The newest n are found whatever batches the segments' data is read in (a batch ending
    before the segments that can still rank once were dropped)."""
    samples_compact(before=T0 + timedelta(minutes=150))
    for where in wheres(mixed)[:5]:
        everything = columns(list(reversed(samples.samples(where))))
        for batch in (2, 3, 5, 16):
            monkeypatch.setattr(samples, "DECODE_BATCH", batch)
            for n in (1, 7, 30, 90):
                found = list(samples.segments(where))
                assert columns(samples.newest(where, n, found=found)) == everything[:n]
