"""Real Celery workers for services-mode tests: a worker thread on a queue emptied first, and the
test database's URL for workers (and other processes) started as subprocesses.

Batches a previous test's bridge published after its worker stopped stay in Redis; a worker
that first had to chew through them would see this test's batches late (or never, on a busy
machine), so each worker starts from an empty queue.
"""

from celery.contrib.testing.worker import start_worker
from django.db import connection

from mes.celery import app


def fresh_worker():  # noqa: ANN201
    app.control.purge()
    return start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)


def subprocess_database_url() -> str:
    """The URL of the database this test runs on, for a subprocess to use the same one."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
