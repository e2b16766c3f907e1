"""Celery entry points of the lines app: thin, idempotent, retrying only transient errors."""

import dataclasses
import logging
from functools import partial

from celery import shared_task
from django.db import OperationalError, transaction

from lines.confirm import DUPLICATE, REFUSED, STORED, batch_confirm
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
    database connection is retried with backoff. Either way, once the outcome is committed the
    bridge is told (lines/confirm.py), so it forgets the batch only when it is safe to.
    """
    try:
        report = batch_ingest(batch=batch)
    except InvalidInput as exc:
        log.error(
            "batch %s refused: %s",
            batch.get("batch_id") if isinstance(batch, dict) else "?",
            exc.message,
        )
        _confirm_after_commit(batch, REFUSED)
        return {"refused": exc.message}
    if report.problems:
        log.warning("batch %s: %s", report.batch_id, "; ".join(report.problems[:5]))
    _confirm_after_commit(batch, DUPLICATE if report.duplicate else STORED)
    return dataclasses.asdict(report)


def _confirm_after_commit(batch: object, outcome: str) -> None:
    """The duplicate path confirms too: it heals a confirmation the broker lost."""
    if not isinstance(batch, dict):
        return
    batch_id, source = batch.get("batch_id"), batch.get("source")
    if not isinstance(batch_id, str) or not isinstance(source, str):
        return  # nobody to tell; the refusal is in the log
    # Eager (embedded mode, in the bridge's own process) or no Redis: it stays in this process.
    url = str(ingest_batch.app.conf.broker_url or "")
    redis_broker = url.startswith(("redis://", "rediss://", "unix://"))
    broker_url = url if redis_broker and not ingest_batch.request.is_eager else None
    transaction.on_commit(
        partial(
            batch_confirm, batch_id=batch_id, source=source, outcome=outcome, broker_url=broker_url
        )
    )


@shared_task(name="lines.telemetry_compact", time_limit=3600, soft_time_limit=3300)
def telemetry_compact(max_buckets: int | None = None) -> dict:
    """Samples older than the hot window into segments (celery beat, every 10 minutes). A kill
    or a time limit leaves whole windows done; the next run goes on. When another compaction
    holds the lock, this one leaves it to it."""
    from django.conf import settings

    from lines.services import telemetry_compaction as compaction

    before = compaction.hot_cutoff(settings.TELEMETRY_HOT_HOURS)
    try:
        done = compaction.samples_compact(
            before=before,
            max_buckets=max_buckets,
            rest=settings.TELEMETRY_COMPACT_REST,
            workers=settings.TELEMETRY_COMPACT_WORKERS,
        )
    except compaction.CompactionBusy:
        log.info("telemetry compaction: another one runs")
        return {"busy": True}
    log.info(
        "telemetry compaction: %d buckets, %d segments, %d samples in %.1f s",
        done.buckets, done.segments, done.samples, done.seconds,
    )  # fmt: skip
    return dataclasses.asdict(done)
