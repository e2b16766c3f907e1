"""The suite runs in the mode the environment asks for, and fails (never skips) when a service of
services mode is missing: CI sets MES_REQUIRE_SERVICES=1 with DATABASE_URL and REDIS_URL."""

import redis
from django.conf import settings
from django.db import connection

from mes.celery import app, ping
from tests.workers import fresh_worker


def test_database_backend_matches_the_mode(db):
    expected = "postgresql" if settings.MES_REQUIRE_SERVICES else "sqlite"
    assert connection.vendor == expected, f"DATABASE_URL should select {expected}"


def test_a_task_round_trips_through_the_configured_celery():
    if not settings.MES_REQUIRE_SERVICES:
        assert settings.CELERY_TASK_ALWAYS_EAGER is True
        assert ping.delay().get(timeout=5) == "pong"
        return
    assert settings.REDIS_URL, "services mode needs REDIS_URL"
    assert redis.Redis.from_url(settings.REDIS_URL).ping() is True
    app.conf.task_always_eager = False
    with fresh_worker():
        assert ping.delay().get(timeout=20) == "pong"


def test_broker_matches_the_mode():
    expected = settings.REDIS_URL if settings.MES_REQUIRE_SERVICES else "memory://"
    assert settings.CELERY_BROKER_URL == expected
    assert expected
