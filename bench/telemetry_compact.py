"""Compaction benchmark (PostgreSQL): the real service (lines/services/telemetry_compaction.py)
on N samples of the demo mix (bench/telemetry_mix.py) loaded into lines_sample, a month old.

Measures: the compaction's throughput (samples/s, and of a run killed at nothing: every window
one transaction, as in production; a quarter of the backlog one window at a time, the next
quarter two at once, `workers=2`), bytes per sample on disk before (sample rows + their
indexes) and after (segments + unit rows + their indexes), per noisy and slowly changing
series; and the ingest stage (batch_ingest in this process, demo-line batches of current time:
hot rows) alone, then while a compaction of the backlog runs in another process flat out, then
while it runs resting 4x as long as each window took (--rest 4), then alone again: the ratios of
the rates to the mean of the two alone. bench/README.md, "# Compaction benchmark", has the figures.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/mes_compact   # a bench database
    DEBUG=1 .venv/bin/python -m bench.telemetry_compact --samples 2000000 --wipe

--wipe empties lines_sample and the segment tables first: only on a database of its own.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.postgres_main import run_on_postgresql

ROOT = Path(__file__).resolve().parents[1]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.telemetry_compact", description=__doc__)
    parser.add_argument("--samples", type=int, default=2_000_000, help="demo-mix samples")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--ingest-batches", type=int, default=150, help="batches per ingest run")
    parser.add_argument("--per-batch", type=int, default=500, help="samples per ingest batch")
    parser.add_argument("--wipe", action="store_true", help="empty the sample tables first")
    parser.add_argument("--out-dir", type=Path, help="where the JSON goes (default: <var>/bench)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    return run_on_postgresql("telemetry_compact", run, parse(argv))


def _one(sql: str, params: list | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def _exec(sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)


def tables_size(table: str) -> int:
    """Rows, TOAST and indexes of a table, and of all its partitions if it has any."""
    return int(
        _one(
            "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree(%s) "
            "WHERE isleaf",
            [table],
        )
        or _one("SELECT pg_total_relation_size(%s::regclass)", [table])
    )


def load(mix) -> float:  # noqa: ANN001
    """COPY the mix into lines_sample, as bench.telemetry_storage loads its tables."""
    from django.db import connection

    from bench.telemetry_storage import _COPY_COLUMNS, _row_chunk

    began = time.perf_counter()
    columns_sql = ", ".join(c for c, _ in _COPY_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY lines_sample ({columns_sql}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types([kind for _, kind in _COPY_COLUMNS])
        for start in range(0, len(mix), 500_000):
            for row in _row_chunk(mix, start, min(len(mix), start + 500_000)):
                copy.write_row(row)
    _exec(
        "SELECT setval(pg_get_serial_sequence('lines_sample', 'id'), "
        "(SELECT max(id) FROM lines_sample))"
    )
    # Autovacuum is off on this machine; in production it summarizes the BRIN ranges and keeps
    # the statistics, as this does.
    _exec("VACUUM ANALYZE lines_sample")
    return time.perf_counter() - began


def ingest_rate(batches: list[dict]) -> float:
    from lines.ingest import batch_ingest
    from lines.ingest.wire import sample_count

    began = time.perf_counter()
    for batch in batches:
        batch_ingest(batch=batch)
    return sum(sample_count(b) for b in batches) / (time.perf_counter() - began)


def make_batches(n: int, per_batch: int) -> list[dict]:
    from bench import ingest_work as work

    run = uuid.uuid4().hex[:6].upper()
    return work.build_batches(
        batches=n, per_batch=per_batch, seed=7, run=run, source=f"bench-compact-{run}"
    )


def group_sizes(mix) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """Per group (noisy, slow): samples, codec bytes and whole segment rows' bytes per sample."""
    from django.db import connection

    from lines import sample_segments as ss

    slow = {ss.series_key(*tag): mix.slow[i] for i, tag in enumerate(mix.tags)}
    totals = {g: {"samples": 0, "data_bytes": 0, "row_bytes": 0} for g in ("noisy", "slow")}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT series, sum(count), sum(octet_length(data)), sum(pg_column_size(s.*)) "
            "FROM lines_samplesegment s GROUP BY series"
        )
        for series, count, data, row in cursor.fetchall():
            group = totals["slow" if slow.get(series) else "noisy"]
            group["samples"] += int(count)
            group["data_bytes"] += int(data)
            group["row_bytes"] += int(row)
    return {
        g: {
            "samples": t["samples"],
            "codec_bytes_per_sample": round(t["data_bytes"] / max(1, t["samples"]), 2),
            "segment_row_bytes_per_sample": round(t["row_bytes"] / max(1, t["samples"]), 2),
        }
        for g, t in totals.items()
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from bench import telemetry_mix as mixes
    from bench.ingest_work import database_url
    from lines.models import Sample, SampleSegment, Tag
    from lines.services import telemetry_compaction as compaction

    if Sample.objects.exists() or SampleSegment.objects.exists():
        if not args.wipe:
            raise SystemExit("lines_sample or segments hold rows: --wipe (bench database only)")
        _exec("TRUNCATE lines_sample, lines_samplesegment, lines_segmentunit")
    if not Tag.objects.exists():
        call_command("seed_demo", verbosity=0)
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "postgresql": _one("SHOW server_version"),
        "samples_asked": args.samples,
    }
    began = time.perf_counter()
    mix = mixes.demo_mix(args.samples, seed=args.seed)
    report["generate_s"] = round(time.perf_counter() - began, 1)
    report["samples"] = n = len(mix)
    slow_rows = np.array(mix.slow, dtype=bool)[mix.tag]
    report["samples_slow"] = int(slow_rows.sum())
    report["load_s"] = round(load(mix), 1)
    before = tables_size("lines_sample")
    report["before_bytes"] = before
    report["before_bytes_per_sample"] = round(before / n, 1)
    print(f"{n:,} samples loaded: {before / n:.1f} bytes/sample (rows + indexes)", flush=True)

    # The ingest alone; a third of the backlog compacted alone (the throughput); the ingest
    # while another process compacts the rest; the ingest alone again.
    batches = [make_batches(args.ingest_batches, args.per_batch) for _ in range(4)]
    alone_1 = ingest_rate(batches[0])
    print(f"ingest alone: {alone_1:,.0f} samples/s", flush=True)
    windows = int((mix.source_us.max() - mix.source_us.min()) // 600_000_000) + 1
    cutoff = compaction.hot_cutoff(24)
    # A quarter of the backlog's windows one at a time, the next quarter two at once (an even
    # count: no last window alone, as there would not be in a long backlog).
    for key, workers in (("compaction", 1), ("compaction_workers_2", 2)):
        done = compaction.samples_compact(
            before=cutoff, max_buckets=max(2, windows // 8 * 2), workers=workers
        )
        report[key] = {
            "buckets": done.buckets,
            "segments": done.segments,
            "samples": done.samples,
            "seconds": round(done.seconds, 2),
            "samples_per_s": round(done.rate),
        }
        print(f"compaction alone, {workers} worker(s): {done.samples:,} samples in "
              f"{done.seconds:.1f} s = {done.rate:,.0f} samples/s", flush=True)  # fmt: skip
    # The rest of the backlog in another process, half flat out, half resting 4x as long as
    # each window took (MES_TELEMETRY_COMPACT_REST), each while the ingest stores a run.
    env = os.environ | {"DATABASE_URL": database_url()}
    concurrent, ingest = {}, {"alone_before": round(alone_1)}
    for rest, batch, limit in ((0, batches[1], max(1, windows // 4)), (4, batches[2], None)):
        command = ["manage.py", "telemetry_compact", "--hot-hours", "24", "--rest", str(rest)]
        command += ["--max-buckets", str(limit)] if limit else []
        compactor = subprocess.Popen(
            [sys.executable, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        during = ingest_rate(batch)
        still_running = compactor.poll() is None
        out, _ = compactor.communicate(timeout=3600)
        state = "still running" if still_running else "had finished"
        print(f"ingest during compaction (rest {rest}): {during:,.0f} samples/s "
              f"(compactor {state} at its end)\n{out.strip()}", flush=True)  # fmt: skip
        found = re.search(r"(\d+) samples.*?([\d.]+) s, ([\d,]+) samples/s", out)
        concurrent[f"rest_{rest}"] = (
            {"samples": int(found[1]), "seconds": float(found[2]),
             "samples_per_s": int(found[3].replace(",", ""))} if found else out
        )  # fmt: skip
        ingest[f"during_rest_{rest}"] = round(during)
        ingest[f"compactor_ran_throughout_rest_{rest}"] = still_running
    alone_2 = ingest_rate(batches[3])
    print(f"ingest alone again: {alone_2:,.0f} samples/s", flush=True)
    baseline = (alone_1 + alone_2) / 2
    ingest["alone_after"] = round(alone_2)
    for rest in (0, 4):
        ingest[f"ratio_rest_{rest}_to_alone"] = round(ingest[f"during_rest_{rest}"] / baseline, 3)
    report["compaction_concurrent"] = concurrent
    report["ingest"] = ingest
    verified = compaction.segments_verify()
    report["verify"] = {"segments": verified.segments, "samples": verified.samples,
                        "bad": len(verified.bad)}  # fmt: skip
    compacted = verified.samples
    old_left = Sample.objects.filter(source_time__lt=cutoff).count()
    report["old_rows_left"] = old_left
    after = tables_size("lines_samplesegment") + tables_size("lines_segmentunit")
    report["after_bytes"] = after
    report["after_bytes_per_sample"] = round(after / max(1, compacted), 2)
    report["ratio_before_to_after"] = round(before / max(1, after), 1)
    report["groups"] = group_sizes(mix)
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
