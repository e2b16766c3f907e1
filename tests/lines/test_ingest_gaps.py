"""Connection gaps in batches (docs/telemetry.md, "Connection gaps"): stored once per source and
start whatever order and however often they arrive; a gap that cannot be used is a problem
recorded with its batch, whose values are stored all the same."""

import uuid
from datetime import timedelta

from django.utils import timezone

from lines.ingest import batch_ingest
from lines.models import ConnectionGap, IngestBatch, Sample, Tag
from tests.lines.ingest_helpers import at, batch, sample

NODE = "ns=2;s=COAT.ArealLoading"


def gap(start: float, end: float | None, stations=("T-COATING",)) -> dict:
    entry = {
        "start": at(start),
        "end": None if end is None else at(end),
        "endpoint": "opc.tcp://x/",
    }
    if stations is not None:
        entry["stations"] = list(stations)
    return entry


def with_gaps(*gaps: dict, samples=(), source: str = "test-bridge") -> dict:
    out = batch(samples)
    out["gaps"] = list(gaps)
    out["source"] = source
    return out


def stored() -> list[tuple]:
    return [
        (g.source, g.start, g.end, sorted(s.code for s in g.stations.all()))
        for g in ConnectionGap.objects.order_by("source", "start")
    ]


def test_an_open_gap_then_its_end_is_one_gap_and_a_resent_batch_stores_nothing_twice(plant):
    opened = with_gaps(gap(10, None))
    closed = with_gaps(gap(10, 70, stations=("T-COATING", "T-STACKING")))
    assert batch_ingest(batch=opened).gaps == 1
    batch_ingest(batch=closed)
    batch_ingest(batch=opened)  # re-sent from the spool: the same batch id changes nothing
    batch_ingest(batch={**opened, "batch_id": str(uuid.uuid4())})  # or a copy: no reopening

    (row,) = ConnectionGap.objects.all()
    assert (row.source, row.endpoint) == ("test-bridge", "opc.tcp://x/")
    assert row.end is not None and (row.end - row.start).total_seconds() == 60
    assert sorted(s.code for s in row.stations.all()) == ["T-COATING", "T-STACKING"]


def test_the_end_arriving_before_the_open_gap_is_kept(plant):
    batch_ingest(batch=with_gaps(gap(10, 70)))
    batch_ingest(batch=with_gaps(gap(10, None)))
    (row,) = ConnectionGap.objects.all()
    assert row.end is not None and (row.end - row.start).total_seconds() == 60


def test_gaps_of_two_bridges_at_the_same_time_are_two_gaps(plant):
    batch_ingest(batch=with_gaps(gap(10, 20), source="bridge-a"))
    batch_ingest(batch=with_gaps(gap(10, 30), source="bridge-b"))
    assert [(source, (end - start).total_seconds()) for source, start, end, _ in stored()] == [
        ("bridge-a", 10),
        ("bridge-b", 20),
    ]


def test_a_gap_that_names_no_stations_covers_the_stations_of_every_enabled_tag(plant):
    Tag.objects.create(node_id=NODE, station=plant.station("coating"), parameter="p")
    Tag.objects.create(
        node_id="n2", station=plant.station("stacking"), parameter="p", enabled=False
    )
    batch_ingest(batch=with_gaps(gap(10, 20, stations=None)))
    assert stored()[0][3] == ["T-COATING"]


def test_bad_gaps_are_recorded_problems_and_the_batch_keeps_its_values_and_good_gaps(plant):
    Tag.objects.create(
        node_id=NODE, station=plant.station("coating"), parameter="areal_loading_mg_cm2"
    )
    far = (timezone.now() + timedelta(days=30)).isoformat()
    bad = [
        gap(20, 10),  # ends before it starts
        gap(20, 20),  # no length
        {"start": "yesterday", "end": None},
        {"start": at(0), "end": far},
        {"start": far, "end": None},
        "not an object",
        {"start": at(0), "end": at(5), "stations": "T-COATING"},
    ]
    good = gap(30, 40, stations=("T-COATING", "NO-SUCH"))
    report = batch_ingest(batch=with_gaps(*bad, good, samples=[sample(NODE, 25.0, 1)]))

    assert report.samples == 1 and Sample.objects.count() == 1
    assert stored() == [("test-bridge", *stored()[0][1:3], ["T-COATING"])]
    problems = IngestBatch.objects.get().problems
    assert len(problems) == len(bad) + 1  # and the unknown station of the good one
    assert sum("before it starts" in p for p in problems) == 2
    assert sum("in the future" in p for p in problems) == 2
    assert any("NO-SUCH" in p for p in problems)


def test_gaps_that_are_not_a_list_are_a_problem_not_a_refused_batch(plant):
    report = batch_ingest(batch={**batch(), "gaps": {"start": at(0)}})
    assert not report.duplicate and report.problems
    assert not ConnectionGap.objects.exists()


def test_a_batch_without_gaps_is_read_as_before(plant):
    report = batch_ingest(batch=batch([sample(NODE, 1.0, 0)]))
    assert report.gaps == 0 and report.problems == []
