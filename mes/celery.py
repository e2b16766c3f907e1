"""The Celery app. Broker is Redis in services mode; in embedded mode tasks run eagerly in-process."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")

app = Celery("mes")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
