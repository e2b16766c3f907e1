"""A Celery worker keeps its database connection across tasks as Django keeps one across
requests (DB_CONN_MAX_AGE), and drops a broken one: mes.celery replaces Celery's Django fix-up,
which closed every connection around every task."""

import pytest
from django.db import connection, connections

from mes.celery import app
from tests.workers import fresh_worker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@app.task(name="tests.backend_pid")
def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _pids_of_three_tasks() -> list[int]:
    with fresh_worker():
        return [backend_pid.delay().get(timeout=30) for _ in range(3)]


@pytest.fixture
def max_age():
    """Set CONN_MAX_AGE for the connections the worker thread opens (restored afterwards)."""
    default = connections.settings["default"]
    before = default["CONN_MAX_AGE"]
    yield lambda seconds: default.__setitem__("CONN_MAX_AGE", seconds)
    default["CONN_MAX_AGE"] = before
    # The stopped worker thread's kept connection would outlive the test database otherwise.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


def test_with_a_max_age_the_worker_reuses_its_connection(max_age):
    max_age(60)
    pids = _pids_of_three_tasks()
    assert len(set(pids)) == 1, pids


def test_with_max_age_0_each_task_has_a_new_connection(max_age):
    max_age(0)
    pids = _pids_of_three_tasks()
    assert len(set(pids)) == 3, pids


def test_a_connection_killed_between_tasks_is_replaced_not_reused(max_age):
    max_age(60)
    with fresh_worker():
        first = backend_pid.delay().get(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        second = backend_pid.delay().get(timeout=30)
    assert second != first
