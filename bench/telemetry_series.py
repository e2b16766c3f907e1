"""Long-range series, measured (issue #17 item 3): a chart of one tag over 30 days at 10 Hz.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE mes_bench_series"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mes_bench_series \\
        .venv/bin/python -m bench.telemetry_series            # generate (26 M points), time
    ... python -m bench.telemetry_series --reuse              # time what is there again
    ... python -m bench.telemetry_series --days 3             # a quick look

One parameter of one station: --days of compacted segments at --hz (600 * hz samples per
10-minute segment: a gauge reading 25 mg/cm2 +- noise, three decimals, a spike a day, one Bad
status in 5,000 and one NaN in 20,000), generated directly as the compaction would store them
(numpy -> codec.Segment -> encode + summary -> SampleSegment rows in bulk; no sample goes
through the ORM), then --hot-hours of hot rows after them (bulk_create).

Timed, median of --repeats:
  extremes       lines.selectors.sample_series.series_extremes over the whole window, --points
                 buckets (segments' minute summaries + hot rows grouped in SQL)
  decode-all     the baseline: every segment of the window decoded, usable values bucketed by
                 numpy (minimum/maximum.reduceat): what a reader without summaries does; the
                 hot rows are read as in `extremes`. Both answers must be equal, bucket by
                 bucket, or the run stops.
  rows-group-by  the other baseline: the hot rows alone (--hot-hours of them) grouped in SQL by
                 the same bucket expression, scaled linearly to the window (as if every sample
                 were a row)
  points         series_points over the last --spc-days (every usable point, segments
                 decoded): points per second
  spc-newest     series_points(newest=200,000) over the same days: what quality's SPC reads
Prints a table and writes JSON to <MES_VAR_DIR or var>/bench/telemetry-series-<UTC>.json;
bench/README.md has the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import django
import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402

from lines import sample_segments as ss  # noqa: E402
from lines import telemetry_codec as codec  # noqa: E402
from lines.models import Line, Sample, SampleSegment, Station  # noqa: E402
from lines.models.telemetry_segment import BUCKET_SECONDS  # noqa: E402
from lines.selectors import sample_series  # noqa: E402
from lines.selectors.sample_series import (  # noqa: E402
    _CellOf,
    bucket_width_us,
    series_extremes,
    series_points,
)

STATION = "BENCH-SERIES-COAT"
PARAMETER = "areal_loading_mg_cm2"
NODE = "ns=2;s=BENCH.ArealLoading"
START = datetime(2026, 9, 1, tzinfo=UTC)
SPC_NEWEST = 200_000


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.telemetry_series", description=__doc__)
    parser.add_argument("--days", type=float, default=30.0, help="compacted days")
    parser.add_argument("--hz", type=int, default=10, help="samples per second")
    parser.add_argument("--hot-hours", type=float, default=1.0, help="hot rows after them")
    parser.add_argument("--points", type=int, default=1000, help="buckets of the chart")
    parser.add_argument("--spc-days", type=float, default=3.0, help="series_points window")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time what is stored")
    parser.add_argument("--seed", type=int, default=17)
    return parser.parse_args(argv)


# ----- generation ----------------------------------------------------------------------------


def station() -> Station:
    line, _ = Line.objects.get_or_create(code="BENCH-SERIES", defaults={"name": "Series bench"})
    found, _ = Station.objects.get_or_create(
        code=STATION, defaults={"line": line, "name": "Series bench coater", "kind": "coating"}
    )
    return found


def one_segment(bucket_us: int, first_id: int, hz: int, rng: np.random.Generator) -> codec.Segment:
    n = BUCKET_SECONDS * hz
    step = 1_000_000 // hz
    source = bucket_us + np.arange(n, dtype=np.int64) * step + rng.integers(0, 1000, n)
    values = np.round(25.0 + rng.normal(0, 0.05, n), 3)
    status = np.zeros(n, dtype=np.int64)
    status[rng.random(n) < 1 / 5000] = 0x80000000
    values[rng.random(n) < 1 / 20000] = np.nan
    if rng.random() < 1 / 144:  # about a spike a day
        values[rng.integers(0, n)] = 31.5
    none = np.zeros(n, dtype=bool)
    return codec.Segment(
        id=np.arange(first_id, first_id + n, dtype=np.int64),
        source_us=source,
        server_us=source + 50_000,
        value=values,
        value_null=none,
        status=status,
        unit=np.zeros(n, dtype=np.int64),
        unit_null=~none,
        batch=np.zeros(n, dtype=np.int64),
        batch_null=~none,
        position=np.zeros(n),
        position_null=~none,
    )


def generate(args: argparse.Namespace, where: Station) -> dict[str, Any]:
    SampleSegment.objects.filter(station=where, parameter=PARAMETER).delete()
    Sample.objects.filter(station=where, parameter=PARAMETER).delete()
    rng = np.random.default_rng(args.seed)
    buckets = int(args.days * 86_400 // BUCKET_SECONDS)
    per = BUCKET_SECONDS * args.hz
    series = ss.series_key(where.pk, PARAMETER, NODE)
    first_id = 10**12  # far above any id the sample sequence hands out here
    began = time.perf_counter()
    encode_s = 0.0
    batch: list[SampleSegment] = []
    stored = 0
    for k in range(buckets):
        bucket = START + timedelta(seconds=k * BUCKET_SECONDS)
        seg = one_segment(ss.microseconds(bucket), first_id + k * per, args.hz, rng)
        t = time.perf_counter()
        data = codec.encode(seg, "zlib")
        fields = ss.summary(seg, bucket)
        encode_s += time.perf_counter() - t
        fields.pop("unit_ids")
        batch.append(
            SampleSegment(
                station=where, parameter=PARAMETER, node_id=NODE, series=series, bucket=bucket,
                checksum=ss.checksum(seg), data=data, compacted_at=timezone.now(), **fields,
            )
        )  # fmt: skip
        if len(batch) == 288:
            SampleSegment.objects.bulk_create(batch)
            stored += len(batch)
            batch = []
    SampleSegment.objects.bulk_create(batch)
    stored += len(batch)
    hot_from = START + timedelta(seconds=buckets * BUCKET_SECONDS)
    hot = int(args.hot_hours * 3600 * args.hz)
    values = np.round(25.0 + rng.normal(0, 0.05, hot), 3)
    rows = []
    for i in range(hot):
        at = hot_from + timedelta(microseconds=i * (1_000_000 // args.hz))
        rows.append(
            Sample(station=where, parameter=PARAMETER, node_id=NODE, value=float(values[i]),
                   source_time=at, server_time=at)
        )  # fmt: skip
    Sample.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lines_samplesegment")
        cursor.execute("ANALYZE lines_sample")
    return {
        "segments": stored,
        "compacted_samples": stored * per,
        "hot_rows": hot,
        "generate_s": round(time.perf_counter() - began, 1),
        "encode_and_summary_s": round(encode_s, 1),
    }


# ----- timing --------------------------------------------------------------------------------


def timed(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, answer = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        answer = run()
        times.append(time.perf_counter() - began)
    return statistics.median(times), answer


def decode_all(where: Station, since: datetime, until: datetime, points: int) -> list[tuple]:
    """The baseline: every segment decoded and bucketed, plus the hot rows as in series_extremes."""
    width = bucket_width_us(since, until, points)
    start, end = ss.microseconds(since), ss.microseconds(until)
    cells: dict[int, list[float]] = {}

    def add(cell: int, lo: float, hi: float, n: int) -> None:
        found = cells.setdefault(cell, [lo, hi, 0])
        found[0], found[1], found[2] = min(found[0], lo), max(found[1], hi), found[2] + n

    segments = SampleSegment.objects.filter(
        station=where, parameter=PARAMETER, last_time__gte=since, first_time__lt=until
    )
    for blob in segments.values_list("data", flat=True).iterator(chunk_size=200):
        seg = codec.decode(bytes(blob))
        keep = ss.usable_mask(seg) & (seg.source_us >= start) & (seg.source_us < end)
        sample_series._add_points(add, seg.source_us[keep], seg.value[keep], width)
    for cell, lo, hi, n in rows_grouped(where, since, until, width):
        add(int(cell), float(lo), float(hi), int(n))
    return [(ss.moment_of(c * width), *cells[c]) for c in sorted(cells)]


def rows_grouped(where: Station, since: datetime, until: datetime, width: int) -> list[tuple]:
    rows = Sample.objects.filter(
        station=where, parameter=PARAMETER, source_time__gte=since, source_time__lt=until,
        status_code=0, rejected_reason="", value__gte=-1e15, value__lte=1e15,
    ).order_by()  # fmt: skip
    return list(
        rows.annotate(cell=_CellOf("source_time", width=width))
        .values("cell")
        .annotate(lo=Min("value"), hi=Max("value"), n=Count("id"))
        .values_list("cell", "lo", "hi", "n")
    )


def measure(args: argparse.Namespace, where: Station) -> dict[str, Any]:
    first = SampleSegment.objects.filter(station=where, parameter=PARAMETER).order_by("bucket")
    since = first.first().bucket  # type: ignore[union-attr]
    last_row = Sample.objects.filter(station=where, parameter=PARAMETER).order_by("-source_time")
    last_hot = last_row.first()
    until = (last_hot.source_time if last_hot else timezone.now()) + timedelta(seconds=1)
    span_days = (until - since).total_seconds() / 86_400
    out: dict[str, Any] = {"window_days": round(span_days, 3), "buckets_asked": args.points}

    ext_s, extremes = timed(
        lambda: series_extremes(where, PARAMETER, since, until, points=args.points), args.repeats
    )
    base_s, brute = timed(lambda: decode_all(where, since, until, args.points), 1)
    got = [(b.start, b.min, b.max, b.count) for b in extremes.buckets]
    if got != [tuple(b) for b in brute]:
        raise SystemExit("series_extremes differs from decoding every segment: stopping.")
    out["extremes_s"] = round(ext_s, 4)
    out["buckets"] = len(got)
    out["bucket_width_min"] = extremes.width.total_seconds() / 60
    out["decode_all_s"] = round(base_s, 3)
    out["decode_all_over_extremes"] = round(base_s / ext_s, 1)

    hot_since = since + timedelta(days=int(args.days))  # the hot hour(s) only
    width = bucket_width_us(since, until, args.points)
    hot_rows = Sample.objects.filter(station=where, parameter=PARAMETER).count()
    rows_s, _ = timed(lambda: rows_grouped(where, hot_since, until, width), args.repeats)
    compacted = sum(b.count for b in extremes.buckets)
    scale = compacted / max(hot_rows, 1)
    out["rows_group_by_hot_s"] = round(rows_s, 4)
    out["rows_group_by_scaled_s"] = round(rows_s * scale, 2)
    out["rows_scaled_over_extremes"] = round(rows_s * scale / ext_s, 1)

    spc_since = until - timedelta(days=args.spc_days)
    pts_s, pts = timed(lambda: series_points(where, PARAMETER, spc_since, until), 1)
    out["points_window_days"] = args.spc_days
    out["points"] = len(pts)
    out["points_s"] = round(pts_s, 2)
    out["points_per_s"] = round(len(pts) / pts_s)
    newest_s, newest = timed(
        lambda: series_points(where, PARAMETER, spc_since, until, newest=SPC_NEWEST), args.repeats
    )
    out["spc_newest_points"] = len(newest)
    out["spc_newest_s"] = round(newest_s, 3)
    if not np.array_equal(newest.ids, pts.ids[-SPC_NEWEST:]):
        raise SystemExit("series_points(newest=...) is not the tail of every point: stopping.")
    return out


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if connection.vendor != "postgresql":
        raise SystemExit("bench.telemetry_series measures PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    where = station()
    result: dict[str, Any] = {"args": vars(args)}
    if not args.reuse or not SampleSegment.objects.filter(station=where).exists():
        result["generated"] = generate(args, where)
        print("generated:", result["generated"], flush=True)
    result["timed"] = measure(args, where)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        result["postgresql"] = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SELECT pg_total_relation_size('lines_samplesegment')")
        result["segment_table_bytes"] = cursor.fetchone()[0]
    width = max(len(k) for k in result["timed"])
    for key, value in result["timed"].items():
        print(f"  {key:<{width}}  {value}")
    folder = Path(os.environ.get("MES_VAR_DIR", "var")) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"telemetry-series-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    print(f"written {path}")


if __name__ == "__main__":
    main()
