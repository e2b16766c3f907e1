"""End to end and soak parts of bench.ingest: simulated PLCs (bench.ingest_sims: one or more
processes, a bridge each) -> `manage.py run_bridge` (subprocesses) -> Redis -> one
`celery worker --pool solo` -> PostgreSQL.

Latency is source time -> visible: a poller in this process reads new IngestBatch rows every
50 ms (a batch row is visible only once its transaction committed), so a sample's latency is
(the poll that first saw its batch) - (its source timestamp), +-50 ms. Also reported: the
IngestBatch.received_at - source_time part (bridge batching, Redis, waiting in the queue).
"""

import json
import logging
import math
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import close_old_connections, connection
from django.db.models import Sum

from bench import ingest_work as work
from bench.ingest_sims import ALL, SPLIT, Simulators
from lines.models import IngestBatch, Tag
from mes.celery import app

# (simulator tick_s, simulator processes): every value is written once a tick; at the top rates
# two processes (a bridge each) offer what one asyncua server cannot.
LEVELS = (
    (0.05, (ALL,)), (0.02, (ALL,)), (0.01, (ALL,)), (0.005, (ALL,)), (0.002, (ALL,)),
    (0.002, SPLIT), (0.001, SPLIT),
)  # fmt: skip
WARMUP_S, WINDOW_S = 6.0, 15.0
QUEUE_SIZE = 1000  # the bench database's tags: a queue that holds a publish interval at any tick


class Poller(threading.Thread):
    """Records when each IngestBatch row of `sources` first became visible (every 50 ms)."""

    def __init__(self, sources: list[str]) -> None:
        super().__init__(daemon=True)
        self.sources, self.seen, self.stop_at = sources, {}, threading.Event()

    def run(self) -> None:
        last = 0
        try:
            while not self.stop_at.wait(0.05):
                rows = list(
                    IngestBatch.objects.filter(source__in=self.sources, id__gt=last).values_list(
                        "id", flat=True
                    )
                )
                now = time.time()
                for pk in rows:
                    self.seen.setdefault(pk, now)
                last = max(rows, default=last)
        finally:
            connection.close()


def stored(sources: list[str]) -> int:
    batches = IngestBatch.objects.filter(source__in=sources)
    return batches.aggregate(n=Sum("samples"))["n"] or 0


def start_bridge(endpoint: str, name: str, log: Path) -> subprocess.Popen:
    # The bridge's defaults (BRIDGE_BATCH_SIZE 5000, BRIDGE_BATCH_MS 200), as deployed.
    env = os.environ | {"PYTHONUNBUFFERED": "1", "DATABASE_URL": work.database_url()}
    env.pop("BRIDGE_BATCH_SIZE", None), env.pop("BRIDGE_BATCH_MS", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_bridge", "--endpoint", endpoint, "--name", name],
        cwd=work.ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def ceiling(sims: Simulators, nodes: list[list], log_dir: Path) -> float:
    """The no-op asyncua clients' receive rate: one per simulator process, at the same time."""
    clients = []
    for endpoint, stations in zip(sims.endpoints, sims.groups, strict=True):
        served = [n[:3] for n in nodes if stations == ALL or n[3] in stations]
        nodes_file = log_dir / f"ceiling-nodes-{len(clients)}.json"
        nodes_file.write_text(json.dumps(served))
        clients.append(subprocess.Popen(
            [sys.executable, "-m", "bench.ingest_ceiling", endpoint, str(nodes_file),
             str(WARMUP_S / 2), str(WINDOW_S / 1.5)],
            cwd=work.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))  # fmt: skip
    total = 0.0
    for client in clients:
        out, err = client.communicate(timeout=120)
        if client.returncode:
            raise SystemExit(f"ceiling client failed: {err[-2000:]}")
        total += json.loads(out.strip().splitlines()[-1])["per_s"]
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def latencies(seen: dict[int, float], pks: list[int]) -> dict[str, float]:
    """p50/p99 of visible - source time and of received_at - source time, in ms."""
    visible, received = [], []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.batch_id, extract(epoch from s.source_time), extract(epoch from b.received_at)"
            " FROM lines_sample s JOIN lines_ingestbatch b ON b.id = s.batch_id"
            " WHERE s.batch_id = ANY(%s)",
            [pks],
        )
        for batch_pk, source_time, received_at in cursor.fetchall():
            visible.append((seen[batch_pk] - float(source_time)) * 1000)
            received.append((float(received_at) - float(source_time)) * 1000)
    return {
        "latency_samples": len(visible),
        "latency_p50_ms": percentile(visible, 0.5),
        "latency_p99_ms": percentile(visible, 0.99),
        "received_p50_ms": percentile(received, 0.5),
        "received_p99_ms": percentile(received, 0.99),
    }


def _cpu_s(stat: Path) -> float:
    """utime + stime of a process or thread, seconds (/proc/.../stat; the name may hold spaces)."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pids_named(name: str) -> list[int]:
    pids = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == name:
                pids.append(int(comm.parent.name))
        except OSError:
            continue
    return pids


def cpu_seconds(
    sims: Simulators, bridge_pids: list[int], worker_pid: int
) -> dict[str, dict[int, float]]:
    """CPU seconds used so far by each process of each part of the pipeline: the simulator
    processes, the bridges, the worker, PostgreSQL (every postgres process) and Redis."""
    pids = {
        "simulator": sims.pids,
        "bridge": bridge_pids,
        "worker": [worker_pid],
        "postgresql": _pids_named("postgres"),
        "redis": _pids_named("redis-server"),
    }
    return {
        part: {pid: _cpu_s(Path(f"/proc/{pid}/stat")) for pid in those}
        for part, those in pids.items()
    }


def cpu_per_value(before: dict, after: dict, values: float) -> dict:
    """Microseconds of CPU per stored value, per part and in total, over a window; and the rate
    the machine's cores could carry at that cost if every part could use them fully. A process
    that started in the window counts whole; one that ended in it is not seen (a backend of a
    client that came and went)."""
    used = {
        part: sum(cpu - before[part].get(pid, 0.0) for pid, cpu in after[part].items())
        for part in after
    }
    per = {k: used[k] * 1e6 / values for k in used} if values else {}
    total = sum(per.values())
    cores = os.cpu_count() or 1
    return {"us_per_value": per, "us_total": total, "cores": cores,
            "machine_limit_per_s": cores * 1e6 / total if total else None}  # fmt: skip


def level(
    tick_s: float,
    groups: tuple[tuple[str, ...], ...],
    nodes: list[list],
    log_dir: Path,
    *,
    worker_pid: int,
    faults: int = 0,
) -> dict[str, Any]:
    """One rate: the asyncua ceiling, then the bridges -> worker pipeline on the same servers."""
    name = f"bench{int(time.time() * 1000) % 10**8}"
    sims = Simulators(tick_s, groups)
    bridges: list[subprocess.Popen] = []
    try:
        ceiling_per_s = ceiling(sims, nodes, log_dir)
        names = [f"{name}-{i}" for i in range(len(sims.endpoints))]
        for endpoint, bridge_name in zip(sims.endpoints, names, strict=True):
            bridges.append(
                start_bridge(endpoint, bridge_name, log_dir / f"bridge-{bridge_name}.log")
            )
        sources = [f"bridge-{n}@{socket.gethostname()}" for n in names]
        pids = [bridge.pid for bridge in bridges]
        poller = Poller(sources)
        poller.start()
        time.sleep(WARMUP_S)
        s0, w0, t0 = stored(sources), sims.values_written(), time.monotonic()
        cpu0 = cpu_seconds(sims, pids, worker_pid)
        first_pk = max(poller.seen, default=0)
        flag_info = inject_spikes(sims, faults) if faults else None
        time.sleep(max(0.0, WINDOW_S - (time.monotonic() - t0)))
        s1, w1, t1 = stored(sources), sims.values_written(), time.monotonic()
        cpu1 = cpu_seconds(sims, pids, worker_pid)
        last_pk = max(poller.seen, default=0)
        poller.stop_at.set()
        poller.join(5)
        window = [pk for pk in poller.seen if first_pk < pk <= last_pk]
        result = {
            "tick_s": tick_s,
            "simulators": len(sims.endpoints),
            "offered_per_s": (w1 - w0) / (t1 - t0),
            "stored_per_s": (s1 - s0) / (t1 - t0),
            "ceiling_per_s": ceiling_per_s,
            **latencies(poller.seen, window),
            "cpu": cpu_per_value(cpu0, cpu1, s1 - s0),
        }
        result["of_ceiling"] = result["stored_per_s"] / ceiling_per_s
        if flag_info:
            result["flag_latency"] = flag_latency(flag_info)
        cpu = result["cpu"]
        print(
            f"e2e tick {tick_s} x {len(sims.endpoints)} simulator(s): offered "
            f"{result['offered_per_s']:,.0f}/s, stored "
            f"{result['stored_per_s']:,.0f}/s, ceiling {ceiling_per_s:,.0f}/s, p50/p99 "
            f"{result['latency_p50_ms']:.0f}/{result['latency_p99_ms']:.0f} ms; CPU per value "
            + ", ".join(f"{k} {v:.0f}" for k, v in cpu.get("us_per_value", {}).items())
            + f" = {cpu.get('us_total', 0):.0f} us",
            flush=True,
        )
        return result
    finally:
        for bridge in bridges:
            work.stop(bridge)
        sims.close()
        close_old_connections()


def inject_spikes(sims: Simulators, count: int) -> dict[str, Any]:
    """A spike (+30 C, over the USL of -50 C) on DRY-01 dew point every 0.4 s. The dry room is
    no unit, so each spike's batch raises its own flag (a roll's spikes merge into one segment
    flag, a cell's put the cell on hold)."""
    started = datetime.now(UTC)
    for _ in range(count):
        sims.spike("DRY-01", "dew_point_c", 30.0)
        time.sleep(0.4)
    return {"since": started, "count": count}


def flag_latency(info: dict[str, Any]) -> dict[str, Any]:
    """Flag.raised_at - source time of the flagged sample, for out-of-spec flags on the spikes."""
    from quality.models import Flag

    time.sleep(3)  # the last spikes' batches
    latencies_ms = []
    flags = Flag.objects.filter(
        station__code="DRY-01", parameter="dew_point_c", raised_at__gte=info["since"]
    ).values_list("raised_at", "sample_ids")
    with connection.cursor() as cursor:
        for raised_at, sample_ids in flags:
            if not sample_ids:
                continue
            cursor.execute(
                "SELECT max(source_time) FROM lines_sample WHERE id = ANY(%s)", [sample_ids]
            )
            source_time = cursor.fetchone()[0]
            latencies_ms.append((raised_at - source_time).total_seconds() * 1000)
    return {
        "spikes": info["count"],
        "n": len(latencies_ms),
        "p50_ms": percentile(latencies_ms, 0.5),
        "p99_ms": percentile(latencies_ms, 0.99),
        "max_ms": max(latencies_ms, default=float("nan")),
    }


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def soak(tick_s: float, seconds: float, log_dir: Path) -> dict[str, Any]:
    name = f"soak{int(time.time() * 1000) % 10**8}"
    sims = Simulators(tick_s)
    bridge = None
    try:
        bridge = start_bridge(sims.endpoints[0], name, log_dir / f"bridge-{name}.log")
        sources = [f"bridge-{name}@{socket.gethostname()}"]
        time.sleep(WARMUP_S)
        rss = [rss_kb(bridge.pid)]
        s0, t0 = stored(sources), time.monotonic()
        while time.monotonic() - t0 < seconds:
            time.sleep(5)
            rss.append(rss_kb(bridge.pid))
        rate = (stored(sources) - s0) / (time.monotonic() - t0)
    finally:
        work.stop(bridge)
        sims.close()
    print(f"soak: {seconds:.0f} s at {rate:,.0f}/s, RSS {rss[0]} -> {rss[-1]} kB", flush=True)
    return {
        "seconds": seconds, "tick_s": tick_s, "rate_per_s": rate, "rss_start_kb": rss[0],
        "rss_end_kb": rss[-1], "rss_max_kb": max(rss), "rss_series_kb": rss,
    }  # fmt: skip


def run(*, parts: list[str], soak_s: float, log_dir: Path) -> dict[str, Any]:
    logging.getLogger("asyncua").setLevel(logging.WARNING)
    Tag.objects.filter(enabled=True).update(queue_size=QUEUE_SIZE)
    nodes = [
        list(row)
        for row in Tag.objects.filter(enabled=True)
        .exclude(role="result_event")
        .values_list("node_id", "sampling_interval_ms", "queue_size", "station__code")
    ]
    work.declare_queue(app, "celery")
    with app.connection_for_write() as conn:
        purged = conn.default_channel.queue_purge("celery")
    log = log_dir / f"worker-e2e-{int(time.time())}.log"
    worker = work.start_worker(log, "celery")
    out: dict[str, Any] = {}
    try:
        work.wait_ready(worker, log)
        if "e2e" in parts:
            levels = [
                level(tick, groups, nodes, log_dir, worker_pid=worker.pid)
                for tick, groups in LEVELS
            ]
            flagged = level(0.01, (ALL,), nodes, log_dir, worker_pid=worker.pid, faults=30)
            out["e2e"] = {
                "purged_before": purged,
                "levels": levels,
                "flag_latency": {**flagged["flag_latency"], "rate_per_s": flagged["stored_per_s"]},
                "flag_level": flagged,
            }
        if "soak" in parts:
            out["soak"] = soak(0.02, soak_s, log_dir)
    finally:
        work.stop(worker)
    return out
