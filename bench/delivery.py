"""The bridge's cost per batch to deliver: spool, hand-over to Redis, confirmations.

A redis-server of its own (temporary port and directory, append-only file as deploy/compose.yaml
runs it), the real Forwarder, Spool and CeleryDelivery; `--batches` batches of `--per-batch`
values submitted at once, timed until the last is handed over (wall and this process's CPU,
per batch). No worker: what is measured is the bridge's side. It uses only what the forwarder
had before confirmations existed, so the same command on an older checkout is the "before".
Where lines/confirm.py exists it also times the ingest's side of a confirmation (one
HSET + EXPIRE per batch) and the bridge's take of 1,000 of them.

    python -m bench.delivery [--batches 200] [--per-batch 5000] [--runs 3]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")


def _redis(directory: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    directory.mkdir(parents=True)
    command = ["/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--dir", str(directory), "--save", "", "--appendonly", "yes"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def _batches(count: int, per_batch: int) -> list[dict]:
    from lines.ingest.wire import columns_of

    stamp = "2026-12-03T08:00:00.000000+00:00"
    samples = [
        {"node_id": "ns=2;s=COAT-01.ArealLoading", "value": 25.0 + i / per_batch}
        | {"source_time": stamp, "server_time": stamp, "status": 0}
        for i in range(per_batch)
    ]
    columns = columns_of(samples)
    return [
        {"batch_id": str(uuid.uuid4()), "source": "bench-delivery@host"}
        | {"created_at": stamp, "columns": columns, "events": []}
        for _ in range(count)
    ]


def hand_over(url: str, directory: Path, batches: list[dict]) -> dict[str, float]:
    from celery import Celery

    from opcua_bridge.bridge.delivery import CeleryDelivery, Forwarder
    from opcua_bridge.bridge.spool import Spool

    app = Celery("bench-delivery", broker=url, set_as_current=False)
    delivery = CeleryDelivery(app, task_name="lines.ingest_batch", queue="bench.delivery")
    forwarder = Forwarder(delivery=delivery, spool=Spool(directory))
    forwarder.start()
    wall, cpu = time.perf_counter(), time.process_time()
    for batch in batches:
        forwarder.submit(batch)
    while forwarder.batches_delivered < len(batches):
        time.sleep(0.005)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    forwarder.stop()
    return {"wall_ms": 1000 * wall / len(batches), "cpu_ms": 1000 * cpu / len(batches)}


def confirm_costs(url: str) -> dict[str, float]:
    try:
        from lines.confirm import batch_confirm, confirmations_take
    except ImportError:
        return {}
    ids = [str(uuid.uuid4()) for _ in range(1000)]
    started = time.perf_counter()
    for batch_id in ids:
        batch_confirm(batch_id=batch_id, source="bench@host", outcome="stored", broker_url=url)
    per_confirm = (time.perf_counter() - started) / len(ids)
    started = time.perf_counter()
    taken = confirmations_take(sources={"bench@host"}, broker_url=url)
    assert len(taken) == len(ids)
    return {
        "confirm_ms": 1000 * per_confirm,
        "take_1000_ms": 1000 * (time.perf_counter() - started),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--per-batch", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    django.setup()
    batches = _batches(args.batches, args.per_batch)
    work = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    redis_server, url = _redis(work / "redis")
    try:
        runs = [
            hand_over(url, work / f"spool-{n}", batches) | confirm_costs(url)
            for n in range(args.runs)
        ]
    finally:
        redis_server.kill()
        redis_server.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    json.dump({"batches": args.batches, "per_batch": args.per_batch, "runs": runs}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
