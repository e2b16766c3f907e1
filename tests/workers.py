"""A real Celery worker thread for services-mode tests, on a queue emptied first.

Batches a previous test's bridge published after its worker stopped stay in Redis; a worker
that first had to chew through them would see this test's batches late (or never, on a busy
machine), so each worker starts from an empty queue.
"""

from celery.contrib.testing.worker import start_worker

from mes.celery import app


def fresh_worker():  # noqa: ANN201
    app.control.purge()
    return start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)
