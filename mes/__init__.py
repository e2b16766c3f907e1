"""Project package: settings, URLs, the Celery app, ASGI/WSGI entry points. No business rules."""

from mes.celery import app as celery_app

__all__ = ["celery_app"]
