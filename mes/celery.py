"""The Celery app. Broker is Redis in services mode; in embedded mode tasks run eagerly in-process."""

import json
import os

from celery import Celery, signals
from kombu.serialization import register

from mes.line_queues import ReclaimLineBatches

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")

# Telemetry batches are plain JSON (docs/telemetry.md, "The batch"). kombu's own JSON serializer
# calls a Python hook on every decoded object for the extra types it knows: 4 us per sample,
# 20 ms of a 5,000-sample batch. This one is the standard library's, without the hook.
PLAIN_JSON = "plain-json"
register(
    PLAIN_JSON,
    lambda payload: json.dumps(payload, separators=(",", ":")),
    json.loads,
    content_type="application/x-plain-json",
    content_encoding="utf-8",
)

app = Celery("mes")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["consumer"].add(ReclaimLineBatches)  # mes/line_queues.py says why


@signals.task_prerun.connect
@signals.task_postrun.connect
def _database_connections(sender=None, **_: object) -> None:  # noqa: ANN001
    """Around each task, what Django does around each request: close a connection that is
    broken or older than DB_CONN_MAX_AGE, keep the rest. Celery's own Django fix-up would close
    every connection twice per task (settings: CELERY_DB_REUSE_MAX); reconnecting cost the
    ingest ~8 ms a batch and psycopg's prepared statements."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # in the caller's own request or test, whose connection is not ours to close
    from django.db import close_old_connections

    close_old_connections()


@app.task(name="mes.ping")
def ping() -> str:
    """Round trip through the broker and a worker; used by health checks and the mode test."""
    return "pong"
