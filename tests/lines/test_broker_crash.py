"""Zero loss across crashes of the broker, a worker and the bridge (issue #19, item 7).

Real processes: a redis-server of the test's own with an append-only file (as
deploy/compose.yaml runs it; never the shared one), Celery worker processes, the bridge's
delivery half as a process (tests/processes/crash_bridge.py) and PostgreSQL. Killing is SIGKILL.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.db.models import Sum

from lines.models import IngestBatch, Sample
from opcua_bridge.bridge.delivery import CeleryDelivery
from opcua_bridge.bridge.forwarder import Forwarder
from opcua_bridge.bridge.spool import Spool
from tests.factories import make_plant
from tests.lines.ingest_helpers import batch, map_tags, sample
from tests.opcua_bridge.servers import RedisServer, wait_until
from tests.workers import subprocess_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
NODE = "ns=2;s=COAT.ArealLoading"  # mapped by map_tags: a process value of the coater


def _env(broker: RedisServer, **extra: str) -> dict[str, str]:
    return os.environ | {
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": subprocess_database_url(),
        "REDIS_URL": broker.url,
        "MES_REQUIRE_SERVICES": "1",
        **extra,
    }


def _worker(log: Path, broker: RedisServer, queue: str, module: str = "celery", **env: str):
    command = [sys.executable, "-m", module, "-A", "mes", "worker", "--pool", "solo"]
    command += ["--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    command += ["--without-heartbeat", "-Q", queue]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=_env(broker, **env),
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@contextmanager
def _processes() -> Iterator[list[subprocess.Popen]]:
    """The processes a test starts (append to the list); all killed when the block ends."""
    started: list[subprocess.Popen] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def _ready(log: Path, times: int = 1) -> bool:
    return log.exists() and log.read_bytes().count(b"ready.") >= times


def test_a_batch_popped_by_a_worker_when_the_broker_dies_is_sent_again_and_stored(tmp_path):
    """The issue's loss, made deterministic: the worker pops the batch (BRPOP, in the AOF) and
    the broker dies before the worker records it as unacknowledged. After the restart the batch
    is in no queue and no unacked set; the bridge had forgotten it on hand-over, so it was gone.
    Now the bridge still has it, unconfirmed, and sends it again."""
    map_tags(make_plant())
    broker = RedisServer(directory=tmp_path / "redis")
    broker.start()
    queue = f"ingest.fault-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    app = Celery("crash-test", broker=broker.url, set_as_current=False)
    delivery = CeleryDelivery(app, task_name="lines.ingest_batch", queue=queue)
    forwarder = Forwarder(
        delivery=delivery,
        spool=Spool(tmp_path / "spool"),
        redeliver_s=0.2,
        confirm_timeout_s=2.0,
        confirm_poll_s=0.2,
    )
    payload = batch([sample(NODE, 25.0 + i / 100, i) for i in range(20)]) | {"source": "b@t"}
    with _processes() as started:
        started.append(
            _worker(
                log,
                broker,
                queue,
                module="tests.processes.fault_worker",
                FAULT_KILL_REDIS_PID=str(broker.process.pid),
                FAULT_REDIS_PORT=str(broker.port),
            )
        )
        wait_until(lambda: _ready(log), timeout=60, what="the worker to start")
        forwarder.start()
        try:
            forwarder.submit(payload)
            wait_until(lambda: broker.process.poll() is not None, timeout=30, what="the fault")
            assert forwarder.batches_delivered == 1, "the broker had accepted the batch"
            broker.process = None
            broker.start()  # on its append-only file
            client = redis.Redis.from_url(broker.url)
            assert client.llen(queue) == 0 and client.hlen("unacked") == 0, "nowhere in Redis"
            assert not IngestBatch.objects.exists()

            wait_until(
                lambda: IngestBatch.objects.filter(batch_id=payload["batch_id"]).exists(),
                timeout=60,
                what="the batch to be sent again and stored",
            )
            wait_until(lambda: not len(forwarder.spool), timeout=30, what="the confirmation")
        finally:
            forwarder.stop()
            broker.kill()
    assert b"fault: killed redis-server" in log.read_bytes()
    assert forwarder.batches_resent >= 1
    assert IngestBatch.objects.get().samples == 20
    assert Sample.objects.count() == 20


def _kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(10)


def _made(path: Path) -> dict[str, int]:
    made: dict[str, int] = {}
    for line in path.read_text().splitlines():
        batch_id, samples = line.split()
        made[batch_id] = int(samples)
    return made


def test_every_batch_the_bridge_made_is_stored_once_across_sigkills_of_every_process(tmp_path):
    """Load (a batch every 40 ms) while redis-server is killed three times (down 2-4 s, back on
    its append-only file), the worker once and the bridge once (restarted on the same spool).
    The batch ids the bridge made are exactly those stored, with every sample, once."""
    map_tags(make_plant())
    broker = RedisServer(directory=tmp_path / "redis")
    broker.start()
    queue = f"ingest.crash-{uuid.uuid4().hex[:8]}"
    worker_log, bridge_log = tmp_path / "worker.log", tmp_path / "bridge.log"
    made_path = tmp_path / "made.txt"
    bridge_command = [sys.executable, "-m", "tests.processes.crash_bridge"]
    bridge_command += ["--spool", str(tmp_path / "spool"), "--made", str(made_path)]
    bridge_command += ["--queue", queue, "--node", NODE]
    bridge_command += ["--confirm-timeout-s", "5"]

    def bridge() -> subprocess.Popen:
        output = bridge_log.open("ab")
        return subprocess.Popen(
            bridge_command + ["--until", str(until)],
            cwd=ROOT,
            env=_env(broker),
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    def broker_down(seconds: float) -> None:
        broker.kill()
        time.sleep(seconds)
        broker.start()

    with _processes() as started:
        started.append(_worker(worker_log, broker, queue))
        wait_until(lambda: _ready(worker_log), timeout=60, what="the worker to start")
        until = time.time() + 26  # the load ends then, whichever bridge process runs
        started.append(bridge())
        time.sleep(3)
        broker_down(3)
        time.sleep(2)
        _kill(started[0])
        started.append(_worker(worker_log, broker, queue))
        time.sleep(2)
        broker_down(2)
        time.sleep(2)
        _kill(started[1])
        time.sleep(1)
        started.append(bridge())
        time.sleep(2)
        broker_down(4)
        last = started[-1]
        assert last.wait(timeout=until - time.time() + 75) == 0, bridge_log.read_text()[-3000:]
        broker.kill()

    made = _made(made_path)
    stored = dict(IngestBatch.objects.values_list("batch_id", "samples"))
    assert {str(batch_id) for batch_id in stored} == set(made)
    assert {str(k): v for k, v in stored.items()} == made
    assert Sample.objects.count() == sum(made.values())
    assert IngestBatch.objects.aggregate(n=Sum("samples"))["n"] == sum(made.values())
    assert len(made) > 100, "the load ran"
