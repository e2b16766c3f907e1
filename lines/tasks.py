"""Celery entry points of the lines app: thin, idempotent, retrying only transient errors."""

import dataclasses
import logging

from celery import shared_task
from django.db import OperationalError

from lines.ingest import batch_ingest
from mes.errors import InvalidInput

log = logging.getLogger(__name__)


@shared_task(
    name="lines.ingest_batch",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=10,
    serializer="plain-json",  # registered in mes.celery: a batch is plain JSON, decoded fast
)
def ingest_batch(batch: dict) -> dict:
    """Store one batch of telemetry from the bridge. A redelivered batch changes nothing.

    A malformed batch is logged and dropped with its reason (retrying cannot fix it); a lost
    database connection is retried with backoff.
    """
    try:
        report = batch_ingest(batch=batch)
    except InvalidInput as exc:
        log.error(
            "batch %s refused: %s",
            batch.get("batch_id") if isinstance(batch, dict) else "?",
            exc.message,
        )
        return {"refused": exc.message}
    if report.problems:
        log.warning("batch %s: %s", report.batch_id, "; ".join(report.problems[:5]))
    return dataclasses.asdict(report)
