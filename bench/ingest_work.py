"""Helpers of bench.ingest: realistic batches from the simulator's process model, a Celery
worker subprocess, a pre-declared queue, waiting with a timeout, and the storage baselines."""

import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from lines.demo_telemetry import feed_rolls_create
from lines.ingest.wire import columns_of
from opcua_bridge.simulator import FaultKind, load_plan
from opcua_bridge.simulator.model import LineModel, ResultEvent

ROOT = Path(__file__).resolve().parents[1]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build_batches(
    *, batches: int, per_batch: int, seed: int, run: str, source: str, line_step_s: float = 0.1
) -> list[dict[str, Any]]:
    """`batches` batches of `per_batch` samples of the demo line's tags, made by the simulator's
    process model (LineModel, steps of `line_step_s` line seconds: the sampling period): values
    near target with the model's noise, a spike on the coater's areal loading every 2,000 steps
    (out of spec), web position and roll id on COAT-01, serials on the cell stations, and the
    stacker's and EOL tester's result events. Serials and roll ids carry `run` so repeated runs
    on one database never meet old units; the run's feed rolls are created here (lanes of a
    mother roll, as seed_demo makes the demo's): drawing MR-DEMO-01-A's metres again, every
    stacked cell's consumption would be refused as overlapping an earlier run's."""
    plan = load_plan()
    lanes = {lane: f"MR-{run}-FEED-{lane.rsplit('-', 1)[1]}" for lane in plan.settings.feed_rolls}
    feed_rolls_create(list(lanes.values()), plan.settings.feed_roll_length_m)
    model = LineModel(plan, seed=seed)
    nodes = {(t.station, t.channel): f"ns=2;s={t.identifier}" for t in plan.tags}
    t0 = datetime.now(UTC) + timedelta(minutes=1)  # after every spec of the seeded database
    out: list[dict[str, Any]] = []
    samples: list[dict] = []
    events: list[dict] = []
    step = 0
    tick = timedelta(microseconds=1)
    while len(out) < batches:
        step += 1
        if step % 2000 == 0:
            model.inject(FaultKind.SPIKE, "COAT-01", "areal_loading_mg_cm2", 0.0, 3.0)
        result = model.step(line_step_s)
        moment = t0 + timedelta(seconds=result.time_s)
        for item in result.items:
            moment += tick
            if isinstance(item, ResultEvent):
                fields = {
                    k: _renamed(v, run, lanes) for k, v in item.fields.items() if v is not None
                }
                events.append(
                    {"node_id": nodes[(item.station, "result_event")], "type": "ResultReady",
                     "time": iso(moment), "fields": fields}
                )  # fmt: skip
                continue
            stamp = iso(moment)
            value = item.value if item.status == 0 else None
            samples.append(
                {"node_id": nodes[(item.station, item.channel)], "value": _renamed(value, run, lanes),
                 "source_time": stamp, "server_time": stamp, "status": item.status}
            )  # fmt: skip
            if len(samples) == per_batch:
                out.append(_batch(samples, events, source))
                samples, events = [], []
                if len(out) == batches:
                    break
    return out


def _renamed(value: Any, run: str, lanes: dict[str, str]) -> Any:
    if isinstance(value, str):
        if value in lanes:
            return lanes[value]
        return value.replace("CELL-SIM-", f"CELL-{run}-").replace("MR-SIM-", f"MR-{run}-")
    if isinstance(value, float) and value != value:
        return "NaN"
    return value


def _batch(samples: list[dict], events: list[dict], source: str) -> dict[str, Any]:
    """A batch as the bridge sends it: its samples as columns."""
    return {
        "batch_id": str(uuid.uuid4()),
        "source": source,
        "created_at": iso(datetime.now(UTC)),
        "columns": columns_of(samples),
        "events": events,
    }


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(log: Path, queue: str, *, include: str = "") -> subprocess.Popen:
    """One solo-pool worker consuming `queue` only (a fresh name per run)."""
    # Persistent database connections, as deploy/production.env.example sets them: with 0, every
    # task opens a new connection and loses psycopg's prepared statements.
    env = os.environ | {
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": os.environ.get("DB_CONN_MAX_AGE", "60"),
        # DEBUG off, as production runs it (DEBUG keeps a log of every query in the worker).
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    # BENCH_WORKER_PROFILE=path: the worker runs under cProfile and writes its stats there.
    profile = os.environ.get("BENCH_WORKER_PROFILE")
    command = [
        sys.executable, *(["-m", "cProfile", "-o", profile] if profile else []),
        "-m", "celery", "-A", "mes", "worker", "--pool", "solo",
        "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-Q", queue,
    ]  # fmt: skip
    if include:
        command += ["-I", include]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def wait_ready(worker: subprocess.Popen, log: Path, timeout: float = 60) -> float:
    """Wait for 'ready' in the worker's log; returns the monotonic time it was seen."""

    def ready() -> bool:
        if worker.poll() is not None:
            raise SystemExit(f"worker exited ({worker.returncode}); see {log}")
        return b"ready." in log.read_bytes()

    wait(ready, timeout=timeout, what="the worker to be ready", every=0.02)
    return time.monotonic()


def stop(process: subprocess.Popen | None, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def wait(condition: Callable[[], Any], *, timeout: float, what: str, every: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise SystemExit(f"timed out after {timeout:.0f} s waiting for {what}")


def declare_queue(app: Any, name: str) -> None:
    """Declare the queue (and its binding) as the worker's -Q would, so that messages published
    before the worker starts are kept (kombu's Redis transport drops a message with no binding)."""
    from kombu import Exchange, Queue

    with app.connection_for_write() as conn:
        Queue(name, Exchange(name), routing_key=name)(conn.default_channel).declare()


SAMPLE_COLUMNS = (
    "station_id", "parameter", "node_id", "batch_id", "raw_value", "value", "source_time",
    "server_time", "status_code", "unit_id", "position_m", "source", "recorded_by_id",
    "rejected_reason",
)  # fmt: skip
COPY_TYPES = (
    "int8", "text", "text", "int8", "text", "float8", "timestamptz", "timestamptz", "int8",
    "int8", "float8", "text", "int8", "text",
)  # fmt: skip


def stored_rows(source: str) -> list[tuple]:
    """The sample rows a run stored, as tuples of SAMPLE_COLUMNS (input of the COPY ceiling)."""
    cols = ", ".join(f"s.{c}" for c in SAMPLE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cols} FROM lines_sample s JOIN lines_ingestbatch b ON b.id = s.batch_id "
            "WHERE b.source = %s ORDER BY s.id",
            [source],
        )
        return cursor.fetchall()


class _Rollback(Exception):
    pass


def copy_ceiling(rows: list[tuple], per_batch: int) -> float:
    """Seconds for psycopg binary COPY of `rows` into lines_sample, one COPY per `per_batch` rows
    (as the batches were), in one transaction that is rolled back afterwards."""
    began = 0.0
    elapsed = 0.0
    try:
        with transaction.atomic():
            cursor = connection.cursor()
            raw = cursor.cursor  # the psycopg cursor
            sql = f"COPY lines_sample ({', '.join(SAMPLE_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
            began = time.perf_counter()
            for start in range(0, len(rows), per_batch):
                with raw.copy(sql) as copy:
                    copy.set_types(COPY_TYPES)
                    for row in rows[start : start + per_batch]:
                        copy.write_row(row)
            elapsed = time.perf_counter() - began
            raise _Rollback
    except _Rollback:
        pass
    return elapsed
