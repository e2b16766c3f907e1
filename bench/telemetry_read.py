"""Reading telemetry hot vs compacted (lines/selectors/samples.py), PostgreSQL.

`python -m bench.telemetry_read [--samples 2000000]` empties the product's sample and segment
tables of its database (use a dedicated one: DATABASE_URL=.../mes_bench_read), loads the demo
mix (bench/telemetry_mix.py) into lines.Sample by binary COPY, with the mix's stations and
units as rows, then times, hot:
- one unit's samples: `samples.samples(Where(units=[u]))` for units of every kind of the mix;
- a samples-API page: GET /api/v1/samples/ (first page, the page 3), ?unit=, ?station=&parameter=
  and a time window, through Django's test client in process;
then compacts everything (lines.services.telemetry_compaction.samples_compact, an hour of source
time per call) and times the same reads again, checking they answer the same. Figures are medians
and ratios compacted / hot (the hot read in the same run is the baseline). JSON to
<MES_VAR_DIR or var>/bench/telemetry-read-<UTC>.json.
"""

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.postgres_main import run_on_postgresql

REPEAT = 15


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--units", type=int, default=12, help="units timed (spread over kinds)")
    parser.add_argument("--out-dir", type=Path)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    return run_on_postgresql("telemetry_read", run, parse(argv), show=print_report)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    fn()  # warm
    times, answer = [], None
    for _ in range(REPEAT):
        began = time.perf_counter()
        answer = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, answer


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench import telemetry_mix as mixes
    from lines.models import Sample, SampleSegment
    from lines.sample_segments import moment_of
    from lines.selectors import sample_columns, samples
    from lines.services.telemetry_compaction import samples_compact

    report: dict[str, Any] = {"started": datetime.now(UTC).isoformat(timespec="seconds")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        report["postgresql"] = cursor.fetchone()[0].split(",")[0]
        cursor.execute(
            "TRUNCATE lines_sample, lines_segmentunit, lines_samplesegment RESTART IDENTITY CASCADE"
        )
    began = time.perf_counter()
    mix = mixes.demo_mix(args.samples, seed=args.seed)
    report["generate_s"] = round(time.perf_counter() - began, 1)
    report["samples"] = len(mix)
    report["line_hours"] = round(mix.line_seconds / 3600, 2)
    units = _rows_named(mix)
    began = time.perf_counter()
    _copy(mix)
    report["load_s"] = round(time.perf_counter() - began, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lines_sample")

    # Units of each size: the mix's units ordered by their sample count, spread evenly.
    counts = np.bincount(mix.unit[~mix.unit_null])
    present = [int(u) for u in np.flatnonzero(counts)]
    present.sort(key=lambda u: counts[u])
    step = max(1, len(present) // args.units)
    chosen = present[::step][: args.units]
    report["unit_samples"] = {str(u): int(counts[u]) for u in chosen}

    first, last = moment_of(int(mix.source_us.min())), moment_of(int(mix.source_us.max()))
    middle = first + (last - first) / 2
    station, parameter = _busiest_series(mix)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the in-process client
    client = Client()
    client.force_login(_reader())
    pages = {
        "page 1": "/api/v1/samples/",
        "page 3": "/api/v1/samples/?page=3",
        "unit": f"/api/v1/samples/?unit={units[chosen[-1]]}",
        "series window": (
            f"/api/v1/samples/?station={station}&parameter={parameter}"
            f"&source_after={_iso(middle)}&source_before={_iso(middle + timedelta(minutes=20))}"
        ),
    }

    def measure() -> dict[str, Any]:
        out: dict[str, Any] = {"unit_ms": {}, "unit_columns_ms": {}, "api_ms": {}, "answers": {}}
        for u in chosen:
            ms, found = timed(lambda u=u: samples.samples(samples.Where(units=[u])))
            out["unit_ms"][str(u)] = round(ms, 2)
            out["answers"][f"unit {u}"] = [(s.pk, s.value, s.source_time) for s in found]
            ms, table = timed(lambda u=u: sample_columns.columns(samples.Where(units=[u])))
            out["unit_columns_ms"][str(u)] = round(ms, 2)
            out["answers"][f"unit {u} columns"] = [
                (i, None if np.isnan(v) else v, moment_of(t))
                for i, v, t in zip(table.id.tolist(), table.value.tolist(),
                                   table.source_us.tolist(), strict=True)
            ]  # fmt: skip
            assert out["answers"][f"unit {u} columns"] == out["answers"][f"unit {u}"]
        for name, url in pages.items():
            ms, response = timed(lambda url=url: client.get(url))
            assert response.status_code == 200, (url, response.status_code)
            out["api_ms"][name] = round(ms, 2)
            out["answers"][name] = response.json()
        return out

    hot = measure()
    began = time.perf_counter()
    compacted = 0
    moment = first.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while moment <= last + timedelta(hours=1):
        compacted += samples_compact(before=moment).samples
        moment += timedelta(hours=1)
    report["compact_s"] = round(time.perf_counter() - began, 1)
    report["compacted"] = compacted
    report["segments"] = SampleSegment.objects.count()
    assert not Sample.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lines_samplesegment; ANALYZE lines_segmentunit")
    cold = measure()
    hot_answers, cold_answers = hot.pop("answers"), cold.pop("answers")
    report["different_answers"] = [k for k in hot_answers if hot_answers[k] != cold_answers[k]]
    report["same_answers"] = not report["different_answers"]
    if report["different_answers"]:
        first = report["different_answers"][0]
        report["first_difference"] = _first_difference(hot_answers[first], cold_answers[first])
    report["hot"], report["compacted_reads"] = hot, cold
    report["ratios"] = {
        "unit": {u: round(cold["unit_ms"][u] / hot["unit_ms"][u], 2) for u in hot["unit_ms"]},
        # a unit's compacted columns against its hot Sample objects: what the unit report and
        # passport pay now against what a unit's read cost before compaction existed
        "unit_columns": {
            u: round(cold["unit_columns_ms"][u] / hot["unit_ms"][u], 2) for u in hot["unit_ms"]
        },
        "api": {p: round(cold["api_ms"][p] / hot["api_ms"][p], 2) for p in hot["api_ms"]},
    }
    return report


def _first_difference(a: Any, b: Any) -> list[Any]:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if a[k] != b.get(k):
                return [k, *_first_difference(a[k], b.get(k))]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"length {len(a)} != {len(b)}"]
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return [i, *_first_difference(x, y)]
    return [repr(a)[:300], repr(b)[:300]]


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _busiest_series(mix: Any) -> tuple[str, str]:
    from lines.models import Station

    tag = int(np.bincount(mix.tag).argmax())
    station_id, parameter, _ = mix.tags[tag]
    return Station.objects.get(pk=station_id).code, parameter


def _reader() -> Any:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench.telemetry_read")
    return user


def _rows_named(mix: Any) -> dict[int, str]:
    """Stations and units with the mix's ids (the samples name them; the API shows their codes)."""
    from lines.choices import StationKind, UnitKind, UnitOfMeasure
    from lines.models import Line, Station, Unit

    line, _ = Line.objects.get_or_create(code="BENCH-READ", defaults={"name": "bench"})
    for name, pk in mix.stations.items():
        Station.objects.update_or_create(
            pk=pk,
            defaults={
                "code": f"BR-{name}",
                "name": name,
                "line": line,
                "kind": StationKind.COATING,
            },
        )
    ids = sorted({int(u) for u in mix.unit[~mix.unit_null]})
    Unit.objects.filter(pk__in=ids).delete()
    Unit.objects.bulk_create(
        [
            Unit(
                pk=u,
                identifier=f"BR-U{u}",
                kind=UnitKind.CELL,
                uom=UnitOfMeasure.values[0],
                quantity_initial=1,
                quantity_remaining=1,
                created_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
            for u in ids
        ],
        ignore_conflicts=True,
    )
    return {u: f"BR-U{u}" for u in ids}


def _copy(mix: Any) -> None:
    from django.db import connection

    from bench.telemetry_storage import _COPY_COLUMNS, _row_chunk
    from lines.partitions import ensure_months

    first = datetime.fromtimestamp(int(mix.source_us.min()) / 1e6, UTC).date()
    ensure_months(today=date(first.year, first.month, 1), behind=1, ahead=2)
    columns_sql = ", ".join(c for c, _ in _COPY_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY lines_sample ({columns_sql}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types([kind for _, kind in _COPY_COLUMNS])
        for start in range(0, len(mix), 500_000):
            for row in _row_chunk(mix, start, min(len(mix), start + 500_000)):
                copy.write_row(row)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('lines_sample', 'id'), %s)", [int(mix.id.max())]
        )


def print_report(report: dict[str, Any]) -> None:
    print(f"{report['samples']:,} samples, {report['line_hours']} h of the demo line; "
          f"load {report['load_s']} s, compaction {report['compact_s']} s into "
          f"{report['segments']:,} segments; same answers: {report['same_answers']}"
          f" {report.get('different_answers', '')} {report.get('first_difference', '')}")  # fmt: skip
    print(f"\n{'unit (samples)':<16}{'hot ms':>9}{'compacted ms':>14}{'ratio':>7}"
          f"{'hot cols ms':>13}{'compacted cols ms':>19}{'ratio':>7}")  # fmt: skip
    for u, n in report["unit_samples"].items():
        hot, cold = report["hot"]["unit_ms"][u], report["compacted_reads"]["unit_ms"][u]
        hot_c = report["hot"]["unit_columns_ms"][u]
        cold_c = report["compacted_reads"]["unit_columns_ms"][u]
        print(f"{u + f' ({n})':<16}{hot:>9.2f}{cold:>14.2f}{report['ratios']['unit'][u]:>7.2f}"
              f"{hot_c:>13.2f}{cold_c:>19.2f}{report['ratios']['unit_columns'][u]:>7.2f}")  # fmt: skip
    print(f"\n{'API':<22}{'hot ms':>10}{'compacted ms':>14}{'ratio':>8}")
    for p, hot in report["hot"]["api_ms"].items():
        cold = report["compacted_reads"]["api_ms"][p]
        print(f"{p:<22}{hot:>10.2f}{cold:>14.2f}{report['ratios']['api'][p]:>8.2f}")


if __name__ == "__main__":
    main()
