"""Telemetry retention, measured (issue #17, item 5; docs/telemetry.md, "Retention"):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mes_bench_retain \\
        .venv/bin/python -m bench.telemetry_retention --tags 100 --buckets 200

Fills lines_samplesegment (emptied first: use a database of its own) with tags x buckets real
segments of 60 samples each, 800 days old, their ids interleaved across tags as the ingest's
are, a quarter of the tags at a cell station (a unit in each segment), and flags naming one
sample in 1 of 50 buckets of the other tags (so the dry run decodes the segments whose id range
spans a flagged id). Then, against baselines measured in the same run:
- the dry run and --apply (short transactions of 1,000) against one DELETE statement of the
  same segments (in a transaction rolled back): segments judged and removed per second;
- an ingest writer (one connection inserting rows of today, one at a time): its latency while
  nothing else runs, while --apply runs, and while twelve empty old months are dropped
  (telemetry_partitions --drop-empty-before-days: a plain DETACH behind lock_timeout).
Prints JSON.
"""

import argparse
import json
import os
import statistics
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import django
import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from lines import partitions  # noqa: E402
from lines import sample_segments as ss  # noqa: E402
from lines import telemetry_codec as codec  # noqa: E402
from lines.models import Line, Sample, SampleSegment, SegmentUnit, Station  # noqa: E402
from lines.services.telemetry_retention import RAW, Policy, retention_run  # noqa: E402
from quality.models import Flag  # noqa: E402

PER_SEGMENT = 60  # one sample each 10 s


def fill(*, tags: int, buckets: int, seed: int) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE lines_segmentunit, lines_samplesegment")
    Flag.objects.filter(station__code="BENCH-RET-1").delete()
    line, _ = Line.objects.get_or_create(code="BENCH-RET", defaults={"name": "bench"})
    station, _ = Station.objects.get_or_create(
        code="BENCH-RET-1", defaults={"line": line, "name": "bench", "kind": "coating"}
    )
    start = ss.bucket_of(datetime.now(UTC) - timedelta(days=800))
    now = datetime.now(UTC)
    next_id, flags, rows, units = 10**12, 0, [], []
    for b in range(buckets):
        bucket = start + timedelta(seconds=600 * b)
        ids = next_id + np.arange(tags * PER_SEGMENT, dtype=np.int64).reshape(PER_SEGMENT, tags)
        next_id += tags * PER_SEGMENT
        for t in range(tags):
            cell = t < tags // 4
            n = PER_SEGMENT
            source = ss.microseconds(bucket) + np.arange(n, dtype=np.int64) * 10_000_000
            seg = codec.Segment(
                id=ids[:, t].copy(),
                source_us=source + rng.integers(0, 3000, n),
                server_us=source + rng.integers(1000, 5000, n),
                value=np.round(20 + rng.normal(0, 0.5, n), 4),
                value_null=np.zeros(n, dtype=bool),
                status=np.zeros(n, dtype=np.int64),
                unit=np.full(n, 1_000_000 + b, dtype=np.int64),
                unit_null=np.full(n, not cell, dtype=bool),
                batch=np.zeros(n, dtype=np.int64),
                batch_null=np.ones(n, dtype=bool),
                position=np.zeros(n, dtype=np.float64),
                position_null=np.ones(n, dtype=bool),
            )
            fields = ss.summary(seg, bucket)
            unit_ids = fields.pop("unit_ids")
            rows.append(
                SampleSegment(
                    station=station,
                    parameter=f"tag_{t}",
                    node_id=f"ns=2;s=tag_{t}",
                    series=ss.series_key(station.pk, f"tag_{t}", f"ns=2;s=tag_{t}"),
                    bucket=bucket,
                    checksum=ss.checksum(seg),
                    data=codec.encode(seg, "zlib"),
                    compacted_at=now,
                    **fields,
                )
            )
            units.append(unit_ids)
        if b % 50 == 0:  # a flag naming one sample of a tag at no cell station
            t = tags - 1
            Flag.objects.create(
                kind="data_quality",
                station=station,
                parameter=f"tag_{t}",
                sample_ids=[int(ids[7, t])],
                raised_at=now - timedelta(days=100),
            )
            flags += 1
        if len(rows) >= 5000 or b == buckets - 1:
            made = SampleSegment.objects.bulk_create(rows)
            SegmentUnit.objects.bulk_create(
                SegmentUnit(segment=s, unit_id=u)
                for s, us in zip(made, units, strict=True)
                for u in us
            )
            rows, units = [], []
    return {"segments": SampleSegment.objects.count(), "flags": flags}


class Writer(threading.Thread):
    """The ingest, reduced to one connection inserting rows of today one at a time."""

    def __init__(self, station: Station) -> None:
        super().__init__()
        self.station, self.stop, self.latencies = station, threading.Event(), []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                began = time.perf_counter()
                moment = datetime.now(UTC)
                Sample.objects.create(
                    station=self.station,
                    parameter="live",
                    value=1.0,
                    source_time=moment,
                    server_time=moment,
                )
                self.latencies.append(time.perf_counter() - began)
        finally:
            connections.close_all()


def writer_during(station: Station, work: Any, *, idle_s: float = 0.0) -> tuple[dict, Any]:
    writer = Writer(station)
    writer.start()
    time.sleep(0.3)  # warm
    skip = len(writer.latencies)
    result = work() if work else time.sleep(idle_s)
    writer.stop.set()
    writer.join()
    lat = writer.latencies[skip:]
    figures = {
        "inserts": len(lat),
        "p50_ms": round(statistics.median(lat) * 1000, 2),
        "p99_ms": round(float(np.percentile(lat, 99)) * 1000, 2),
        "max_ms": round(max(lat) * 1000, 2),
    }
    return figures, result


def timed(work: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=100)
    parser.add_argument("--buckets", type=int, default=200)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench.telemetry_retention measures PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    report: dict[str, Any] = {"args": vars(args)}
    fill_s, made = timed(lambda: fill(tags=args.tags, buckets=args.buckets, seed=args.seed))
    report["filled"] = {**made, "seconds": round(fill_s, 1)}
    station = Station.objects.get(code="BENCH-RET-1")
    policy = Policy(now=datetime.now(UTC), telemetry_days=730, product_years=15)

    dry_s, dry = timed(lambda: retention_run(policy=policy, apply=False))
    doomed = list(dry.removed_segment_ids)

    def one_delete() -> None:
        with transaction.atomic():
            SampleSegment.objects.filter(id__in=doomed)._raw_delete(using="default")
            transaction.set_rollback(True)

    single_s, _ = timed(one_delete)
    idle, _ = writer_during(station, None, idle_s=3.0)
    (during_apply, (apply_s, applied)) = writer_during(
        station, lambda: timed(lambda: retention_run(policy=policy, apply=True))
    )
    judged = made["segments"]
    report["retention"] = {
        "segments_judged": judged,
        "segments_removed": applied.removed[RAW].segments,
        "kept": {name: t.segments for name, t in applied.kept.items()},
        "dry_run_s": round(dry_s, 2),
        "dry_run_segments_per_s": round(judged / dry_s),
        "apply_s": round(apply_s, 2),
        "apply_removed_per_s": round(applied.removed[RAW].segments / apply_s),
        "one_delete_s": round(single_s, 2),
        "apply_vs_one_delete": round(apply_s / single_s, 2),
        "same_as_dry_run": applied.removed_segment_ids == dry.removed_segment_ids,
    }
    partitions.ensure_months(today=date(2019, 1, 1), behind=0, ahead=11)
    during_drop, (drop_s, dropped) = writer_during(
        station, lambda: timed(lambda: partitions.drop_empty_before(cutoff=date(2020, 1, 1)))
    )
    report["partitions"] = {"dropped": len(dropped), "seconds": round(drop_s, 2)}
    report["ingest_writer"] = {
        "idle": idle,
        "during_apply": during_apply,
        "during_drop": during_drop,
        "p99_during_apply_vs_idle": round(during_apply["p99_ms"] / idle["p99_ms"], 2),
        "max_during_drop_vs_idle_p99": round(during_drop["max_ms"] / idle["p99_ms"], 2),
    }
    Sample.objects.filter(parameter="live", station=station).delete()
    print(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
