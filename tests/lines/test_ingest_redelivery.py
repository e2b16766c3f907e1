"""A worker killed in the middle of a batch: the broker hands the batch to the next worker, and
the batch is stored exactly once. Real Redis, real worker processes (services mode)."""

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
from django.conf import settings
from django.db import connection

from lines.models import IngestBatch, Sample, Unit
from lines.tasks import ingest_batch
from tests.factories import make_plant, make_spec
from tests.lines.ingest_helpers import batch, cathode_route, map_tags, sample
from tests.workers import subprocess_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = 40_000  # large enough that the worker is still inside the batch when it is killed


def _worker(log: Path, queue: str, visibility_s: int = 3) -> subprocess.Popen:
    env = os.environ | {
        "PYTHONUNBUFFERED": "1",  # the test reads the log to know when the batch is being worked
        "DATABASE_URL": subprocess_database_url(),
        # The broker hands a killed worker's batch to another worker after this many seconds.
        "CELERY_VISIBILITY_TIMEOUT": str(visibility_s),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mes",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@contextmanager
def _running(log: Path, queue: str, visibility_s: int = 3) -> Iterator[subprocess.Popen]:
    """A worker process for the block, stopped when the block ends if it is still alive."""
    worker = _worker(log, queue, visibility_s)
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def _worker_in_transaction() -> bool:
    """Another session of this database is inside a transaction: the worker is in the batch."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
            "AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0] > 0


def _wait(condition, what: str, seconds: float = 90) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _kill_inside_the_batch(worker: subprocess.Popen) -> None:
    """SIGKILL once the worker is inside the batch's transaction, long before its commit (the
    batch takes far longer than this poll); then wait until the dead worker's session is gone,
    for a commit already sent would still complete on the server."""
    _wait(_worker_in_transaction, "the worker to open the batch's transaction", seconds=30)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    _wait(lambda: not _worker_in_transaction(), "the killed worker's session to end")


def test_a_killed_worker_s_batch_is_redelivered_and_stored_once(tmp_path):
    assert settings.REDIS_URL, "services mode needs REDIS_URL"
    plant = make_plant()
    map_tags(plant)
    cathode_route(plant)
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5)
    payload = batch(
        [sample("ns=2;s=COAT.RollId", "MR-K-1", 0)]
        + [sample("ns=2;s=COAT.ArealLoading", 25.0, 1 + i * 0.001) for i in range(SAMPLES)]
    )
    log = tmp_path / "worker.log"
    # A queue of this run only: a message an earlier run left in Redis cannot stand in for ours.
    queue = f"test-redelivery-{uuid.uuid4().hex[:8]}"
    with _running(log, queue) as first:
        # The worker declares the new queue; a message sent before that has nowhere to go.
        _wait(lambda: b"ready." in log.read_bytes(), "the first worker to start")
        task_id = ingest_batch.apply_async(args=[payload], queue=queue).id
        received = f"[{task_id}] received".encode()
        _wait(lambda: received in log.read_bytes(), "the worker to receive the batch")
        _kill_inside_the_batch(first)
        assert f"[{task_id}] succeeded".encode() not in log.read_bytes(), "finished before the kill"
        assert IngestBatch.objects.count() == 0
        with _running(log, queue):
            _wait(lambda: IngestBatch.objects.count() == 1, "the redelivered batch to be stored")
            assert log.read_bytes().count(received) == 2, "the same task, delivered again"
            ingest_batch.apply_async(args=[payload], queue=queue).get(timeout=60)  # once more
    assert Sample.objects.count() == SAMPLES + 1
    assert IngestBatch.objects.get().samples == SAMPLES + 1


def test_a_restarted_line_worker_stores_its_dead_predecessor_s_batch_before_the_next(tmp_path):
    """A line's batches must be stored in order: each starts from the unit ids the one before
    stored. With production's visibility timeout (600 s) the killed worker's batch came back
    only after ten minutes, and the restarted worker stored the batches behind it first, their
    values put on no roll (or the previous one)."""
    assert settings.REDIS_URL, "services mode needs REDIS_URL"
    plant = make_plant()
    map_tags(plant)
    cathode_route(plant)
    first_batch = batch(
        [sample("ns=2;s=COAT.RollId", "MR-K-2", 0)]
        + [sample("ns=2;s=COAT.ArealLoading", 25.0, 1 + i * 0.001) for i in range(SAMPLES)]
    )
    later = [sample("ns=2;s=COAT.ArealLoading", 25.0, 100 + i) for i in range(50)]
    log = tmp_path / "worker.log"
    queue = f"ingest.test-{uuid.uuid4().hex[:8]}"  # a line queue: one consumer, by deployment
    with _running(log, queue, visibility_s=600) as first:
        _wait(lambda: b"ready." in log.read_bytes(), "the first worker to start")
        ingest_batch.apply_async(args=[first_batch], queue=queue)
        ingest_batch.apply_async(args=[batch(later)], queue=queue)  # waits behind the first
        _kill_inside_the_batch(first)
        assert IngestBatch.objects.count() == 0
        with _running(log, queue, visibility_s=600):
            _wait(lambda: IngestBatch.objects.count() == 2, "both batches to be stored")
    stored = list(IngestBatch.objects.order_by("id").values_list("batch_id", flat=True))
    assert [str(b) for b in stored][0] == first_batch["batch_id"]
    roll = Unit.objects.get(identifier="MR-K-2")
    assert set(
        Sample.objects.filter(source_time__gte=later[0]["source_time"]).values_list(
            "unit_id", flat=True
        )
    ) == {roll.pk}
