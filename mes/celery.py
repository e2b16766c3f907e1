"""The Celery app. Broker is Redis in services mode; in embedded mode tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")

app = Celery("mes")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="mes.ping")
def ping() -> str:
    """Round trip through the broker and a worker; used by health checks and the mode test."""
    return "pong"
