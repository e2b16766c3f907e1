"""Telemetry ingest benchmark: the ingest stage alone (pre-queued batches, one worker), end to
end (simulator -> bridge -> Redis -> worker -> PostgreSQL) and a short soak of the bridge's RSS.
Baselines are measured in the same run. bench/README.md, "# Ingest benchmark", has the figures.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/mes_ingbench
    export REDIS_URL=redis://127.0.0.1:6379/10
    .venv/bin/python -m bench.ingest                  # everything (~8 min)
    .venv/bin/python -m bench.ingest --only stage     # the ingest stage and its baselines

Needs services mode (REDIS_URL) and a seeded database (manage.py migrate; manage.py seed_demo).
The samples it stores stay in the database (lines_sample grows by ~250,000 rows per run).
"""

import argparse
import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench import ingest_work as work  # noqa: E402
from lines.ingest.wire import sample_count, samples_of  # noqa: E402
from lines.models import IngestBatch, Sample, Tag  # noqa: E402
from mes.celery import app  # noqa: E402


def stage(
    *, batches: int, per_batch: int, line_step_s: float, naive_samples: int, log_dir: Path
) -> dict[str, Any]:
    """Pre-queue `batches` batches, start one worker, time until all are stored."""
    from lines.tasks import ingest_batch

    run = uuid.uuid4().hex[:6].upper()
    source = f"bench-ingest-{run}"
    began = time.perf_counter()
    payloads = work.build_batches(
        batches=batches,
        per_batch=per_batch,
        seed=7,
        run=run,
        source=source,
        line_step_s=line_step_s,
    )
    built_s = time.perf_counter() - began
    queue = f"bench-ingest-{run.lower()}"
    work.declare_queue(app, queue)
    began = time.perf_counter()
    for payload in payloads:
        ingest_batch.apply_async(args=[payload], queue=queue)
    queued_s = time.perf_counter() - began
    transport_queue = _queue_transport_only(payloads, run)
    samples = sum(sample_count(p) for p in payloads)
    events = sum(len(p["events"]) for p in payloads)
    del payloads
    stored = IngestBatch.objects.filter(source=source)
    log = log_dir / f"worker-stage-{run}.log"
    worker = work.start_worker(log, queue)
    try:
        ready = work.wait_ready(worker, log)
        work.wait(lambda: stored.count() >= batches, timeout=900, what="all batches", every=0.05)
        elapsed = time.monotonic() - ready
    finally:
        work.stop(worker)
    rows = Sample.objects.filter(batch__source=source).count()
    totals = {
        "rejected": sum(stored.values_list("rejected", flat=True)),
        "problems": sum(len(p) for p in stored.values_list("problems", flat=True)),
    }
    flags = _flags_since(source)
    result = {
        "run": run,
        "batches": batches,
        "samples_per_batch": per_batch,
        "line_step_s": line_step_s,
        "samples_sent": samples,
        "events_sent": events,
        "sample_rows_stored": rows,
        **totals,
        "flags_raised": flags,
        "build_s": round(built_s, 2),
        "queue_s": round(queued_s, 2),
        "ingest_s": round(elapsed, 2),
        "samples_per_s": round(rows / elapsed),
    }
    print(f"stage: {rows} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} samples/s", flush=True)
    result["transport_only"] = _transport_only(transport_queue, batches, per_batch, log_dir)
    ceiling_rows = work.stored_rows(source)
    copy_s = work.copy_ceiling(ceiling_rows, per_batch)
    result["copy_ceiling_s"] = round(copy_s, 3)
    result["copy_ceiling_per_s"] = round(len(ceiling_rows) / copy_s)
    print(f"COPY ceiling: {len(ceiling_rows) / copy_s:,.0f} rows/s", flush=True)
    if naive_samples:
        result["naive"] = naive(ceiling_rows_source=source, n=naive_samples, log_dir=log_dir)
    return result


def _queue_transport_only(payloads: list[dict], run: str) -> str:
    from bench.ingest_tasks import transport_only

    queue = f"bench-transport-{run.lower()}"
    work.declare_queue(app, queue)
    for payload in payloads:
        transport_only.apply_async(args=[payload], queue=queue)
    return queue


def _transport_only(queue: str, batches: int, per_batch: int, log_dir: Path) -> dict[str, Any]:
    """The same batches through Celery and Redis to a task that does nothing (bench.ingest_tasks):
    the ceiling the transport alone puts on the stage."""
    log = log_dir / f"worker-{queue}.log"
    worker = work.start_worker(log, queue, include="bench.ingest_tasks")
    try:
        ready = work.wait_ready(worker, log)
        work.wait(
            lambda: log.read_bytes().count(b"succeeded in") >= batches,
            timeout=300, what="the transport-only batches", every=0.02,
        )  # fmt: skip
        elapsed = time.monotonic() - ready
    finally:
        work.stop(worker)
    per_s = batches * per_batch / elapsed
    print(f"transport only: {per_s:,.0f} samples/s ({elapsed / batches * 1000:.1f} ms a batch)")
    return {"seconds": round(elapsed, 2), "samples_per_s": round(per_s),
            "ms_per_batch": round(elapsed / batches * 1000, 1)}  # fmt: skip


def _flags_since(source: str) -> int:
    from quality.models import Flag

    first = IngestBatch.objects.filter(source=source).order_by("received_at").first()
    return Flag.objects.filter(raised_at__gte=first.received_at).count() if first else 0


def naive(*, ceiling_rows_source: str, n: int, log_dir: Path) -> dict[str, Any]:
    """One task per sample, one ORM insert each (bench.ingest_tasks), pre-queued, one worker."""
    from bench.ingest_tasks import ingest_one_sample

    run = uuid.uuid4().hex[:6].upper()
    payloads = work.build_batches(batches=1, per_batch=n, seed=8, run=run, source="naive")
    record = IngestBatch.objects.create(
        batch_id=uuid.uuid4(), source=f"bench-naive-{run}", received_at=datetime.now(UTC)
    )
    queue = f"bench-naive-{run.lower()}"
    work.declare_queue(app, queue)
    for sample in samples_of(payloads[0]):
        ingest_one_sample.apply_async(args=[sample, record.pk], queue=queue)
    stored = Sample.objects.filter(batch=record)
    log = log_dir / f"worker-naive-{run}.log"
    worker = work.start_worker(log, queue, include="bench.ingest_tasks")
    try:
        ready = work.wait_ready(worker, log)
        work.wait(lambda: stored.count() >= n, timeout=600, what="the naive samples", every=0.05)
        elapsed = time.monotonic() - ready
    finally:
        work.stop(worker)
    record.samples = n
    record.save(update_fields=["samples"])
    print(f"naive: {n} samples in {elapsed:.1f} s = {n / elapsed:,.0f} samples/s", flush=True)
    return {"samples": n, "seconds": round(elapsed, 2), "samples_per_s": round(n / elapsed)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["stage", "e2e", "soak"], action="append")
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--per-batch", type=int, default=5000, help="as the bridge's default")
    parser.add_argument("--line-step", type=float, default=0.1, help="sampling period, line s")
    parser.add_argument("--naive", type=int, default=2000, help="samples of the naive baseline")
    parser.add_argument("--soak-s", type=float, default=150)
    parser.add_argument("--out-dir", type=Path)
    args = parser.parse_args()
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        raise SystemExit("needs services mode: DATABASE_URL (PostgreSQL) and REDIS_URL")
    if not Tag.objects.exists():
        raise SystemExit("no tags: run manage.py migrate and manage.py seed_demo first")
    out_dir = args.out_dir or Path(settings.VAR_DIR) / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    log_dir = out_dir / "ingest-logs"
    log_dir.mkdir(exist_ok=True)
    parts = args.only or ["stage", "e2e", "soak"]
    # What autovacuum does in production, which this machine's PostgreSQL runs without: fresh
    # planner statistics (runs add ~300,000 rows each), and the dead rows of earlier runs' COPY
    # baselines (rolled back: as many again) cleared. Left there, they were half the sample
    # table after some runs, and every index read and COPY slowed with them.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    report: dict[str, Any] = {"started": datetime.now(UTC).isoformat(), "cpus": os.cpu_count()}
    if "stage" in parts:
        report["stage"] = stage(
            batches=args.batches, per_batch=args.per_batch, line_step_s=args.line_step,
            naive_samples=args.naive,
            log_dir=log_dir,
        )  # fmt: skip
    if "e2e" in parts or "soak" in parts:
        from bench import ingest_e2e

        report.update(ingest_e2e.run(parts=parts, soak_s=args.soak_s, log_dir=log_dir))
    print_table(report)
    path = out_dir / f"ingest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"written: {path}")


def print_table(report: dict[str, Any]) -> None:
    rows: list[tuple[str, str, str]] = []
    if "stage" in report:
        s = report["stage"]
        rows.append((
            f"ingest stage, {s['batches']} x {s['samples_per_batch']} samples, 1 worker",
            f"{s['samples_per_s']:,} samples/s", ">= 40,000",
        ))  # fmt: skip
        rows.append(
            (
                "  raw binary COPY of the same rows",
                f"{s['copy_ceiling_per_s']:,} rows/s",
                f"stage = {s['samples_per_s'] / s['copy_ceiling_per_s']:.0%} of it",
            )
        )
        if "transport_only" in s:
            t = s["transport_only"]
            rows.append((
                "  Celery + Redis alone (same batches, a task that does nothing)",
                f"{t['samples_per_s']:,} samples/s ({t['ms_per_batch']} ms a batch)",
                f"stage = {s['samples_per_s'] / t['samples_per_s']:.0%} of it",
            ))  # fmt: skip
        if "naive" in s:
            n = s["naive"]
            rows.append(
                (
                    f"  naive: 1 task + 1 ORM insert per sample ({n['samples']:,})",
                    f"{n['samples_per_s']:,} samples/s",
                    f"stage = {s['samples_per_s'] / n['samples_per_s']:.0f}x",
                )
            )
    for line in report.get("e2e", {}).get("levels", []):
        rows.append((
            f"e2e tick {line['tick_s']} s x {line.get('simulators', 1)} simulator(s) "
            f"({line['offered_per_s']:,.0f} values/s offered)",
            f"{line['stored_per_s']:,.0f} stored/s; ceiling {line['ceiling_per_s']:,.0f}/s",
            f"p50/p99 {line['latency_p50_ms']:.0f}/{line['latency_p99_ms']:.0f} ms",
        ))  # fmt: skip
        cpu = line.get("cpu") or {}
        if cpu.get("us_total"):
            parts = ", ".join(f"{k} {v:.0f}" for k, v in cpu["us_per_value"].items())
            rows.append((
                "  CPU per stored value, us", f"{cpu['us_total']:.0f} ({parts})",
                f"{cpu['cores']} cores carry {cpu['machine_limit_per_s']:,.0f}/s at that cost",
            ))  # fmt: skip
    if "flag_latency" in report.get("e2e", {}):
        f = report["e2e"]["flag_latency"]
        rows.append(
            (
                f"value -> flag, {f['n']} spikes at {f['rate_per_s']:,.0f}/s",
                f"p50 {f['p50_ms']:.0f} ms, p99 {f['p99_ms']:.0f} ms",
                "p99 < 1,000 ms",
            )
        )
    if "soak" in report:
        k = report["soak"]
        rows.append(
            (
                f"bridge RSS soak, {k['seconds']:.0f} s at {k['rate_per_s']:,.0f}/s",
                f"{k['rss_start_kb'] / 1024:.1f} -> {k['rss_end_kb'] / 1024:.1f} MB",
                f"max {k['rss_max_kb'] / 1024:.1f} MB",
            )
        )
    width = max(len(r[0]) for r in rows) if rows else 10
    print()
    for name, figure, note in rows:
        print(f"{name:<{width}}  {figure:<40}  {note}")
    print()


if __name__ == "__main__":
    main()
