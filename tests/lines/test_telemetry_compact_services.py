"""Compaction against PostgreSQL as it runs in a plant: killed mid-window it leaves the rows or
the segments, never both nor neither; the ingest storing meanwhile loses and doubles nothing;
one compactor at a time."""

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from lines.ingest import batch_ingest
from lines.models import Sample, SampleSegment
from lines.services import telemetry_compaction as compaction
from tests.factories import make_plant, make_user
from tests.lines.compact_helpers import BASE, bits, mix_store, per_bucket, segment_buckets, stored
from tests.lines.ingest_helpers import map_tags
from tests.workers import subprocess_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _compactor(**env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "telemetry_compact", "--hot-hours", "24"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": subprocess_database_url(), "DEBUG": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_compaction_killed_before_its_commit_leaves_the_rows_and_the_rerun_finishes():
    mix_store(make_plant(), make_user("mia.manual"))
    before = stored()
    expected = per_bucket(
        [s for s in Sample.objects.all() if s.source_time < BASE + timedelta(days=1)]
    )
    compaction.samples_compact(before=compaction.hot_cutoff(24), max_buckets=1)
    first = segment_buckets()
    hot = Sample.objects.count()

    process = _compactor(**{compaction.PAUSE_ENV: "120"})
    try:
        # Written after the window's segments and its rows' delete, before the commit.
        lines = [process.stderr.readline()]
        while lines[-1] and "paused before commit" not in lines[-1]:
            lines.append(process.stderr.readline())
        assert "paused before commit" in lines[-1], "".join(lines)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()

    assert Sample.objects.count() == hot  # the killed window's rows are all there...
    assert segment_buckets() == first  # ...and none of its segments
    assert stored() == before
    # The killed session's advisory lock went with it: the next run is not refused.
    rerun = _compactor()
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "2 buckets" in out
    assert stored() == before
    assert segment_buckets() == expected
    assert Sample.objects.count() == 1  # the hot one


def _batch(node: str, times: list[float], values: list[float]) -> dict:
    def at(seconds: float) -> str:
        return (BASE + timedelta(seconds=seconds)).isoformat()

    return {
        "batch_id": str(uuid.uuid4()),
        "source": "test-bridge",
        "created_at": at(0),
        "samples": [
            {
                "node_id": node,
                "value": v,
                "source_time": at(t),
                "server_time": at(t + 0.01),
                "status": 0,
            }  # fmt: skip
            for t, v in zip(times, values, strict=True)
        ],
        "events": [],
    }


def test_samples_stored_while_compacting_are_kept_exactly_once():
    map_tags(make_plant())
    rng = random.Random(17)
    sent: list[float] = []
    failures: list[BaseException] = []

    def ingest() -> None:
        try:
            for b in range(60):
                # Spread over an hour of source time: many land in windows already compacted.
                times = sorted(rng.uniform(0, 3600) for _ in range(150))
                values = [b * 1000.0 + i for i in range(150)]
                for node in ("ns=2;s=COAT.ArealLoading", "ns=2;s=Unmapped.Node"):
                    batch_ingest(batch=_batch(node, times, values))
                    sent.extend(values)
                time.sleep(0.01)
        except BaseException as exc:  # noqa: BLE001  # reported by the test's thread
            failures.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=ingest)
    worker.start()
    runs, merged = 0, 0
    while worker.is_alive():
        done = compaction.samples_compact(before=compaction.hot_cutoff(24))
        runs, merged = runs + 1, merged + done.merged
    worker.join()
    compaction.samples_compact(before=compaction.hot_cutoff(24))

    assert not failures, failures
    everything = stored()  # fails on an id stored twice
    assert len(everything) == len(sent) == 60 * 2 * 150
    assert sorted(row[6] for row in everything.values()) == sorted(bits(v) for v in sent)
    assert not Sample.objects.exists()
    assert runs > 1 and merged > 0  # the race was run: late rows merged into stored segments
    assert compaction.segments_verify().bad == []


def test_one_compactor_at_a_time():
    mix_store(make_plant(), make_user("mia.manual"))
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_advisory_lock(%s)", [compaction.LOCK_KEY])
        with pytest.raises(compaction.CompactionBusy):
            compaction.samples_compact(before=compaction.hot_cutoff(24))
        out = StringIO()
        call_command("telemetry_compact", stdout=out)
        assert "another telemetry compaction is running" in out.getvalue()
        assert not SampleSegment.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [compaction.LOCK_KEY])
    assert compaction.samples_compact(before=compaction.hot_cutoff(24)).buckets == 3


def _other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def test_windows_compacted_in_threads_lose_and_double_nothing():
    """--workers 2: two windows at once, each in its own thread, connection and transaction."""
    mix_store(make_plant(), make_user("mia.manual"))
    before = stored()
    old = [s for s in Sample.objects.all() if s.source_time < compaction.hot_cutoff(24)]
    connected = _other_connections()

    done = compaction.samples_compact(before=compaction.hot_cutoff(24), workers=2)

    assert done.samples == len(old) and done.buckets == 3
    assert stored() == before
    assert segment_buckets() == per_bucket(old)
    assert compaction.segments_verify().bad == []
    assert _other_connections() <= connected  # the workers' connections closed, not leaked
    again = compaction.samples_compact(before=compaction.hot_cutoff(24), workers=2)
    assert again.samples == 0 and stored() == before
