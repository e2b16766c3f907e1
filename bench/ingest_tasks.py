"""Baselines of bench.ingest run by a worker: the naive pipeline (one Celery task per sample, one
ORM insert each) and the transport alone (each batch to a task that does nothing with it).

Imported by the benchmark's worker only (`celery -A mes worker -I bench.ingest_tasks`).
"""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from lines.ingest.wire import sample_count
from lines.models import Sample, Tag


@shared_task(name="bench.ingest_one_sample", acks_late=True)
def ingest_one_sample(sample: dict, batch_pk: int) -> None:
    """Look the tag up and insert one Sample row: what a per-value pipeline does."""
    tag = Tag.objects.filter(node_id=sample["node_id"]).first()
    value = sample["value"]
    source_time = parse_datetime(sample["source_time"])
    Sample.objects.create(
        station_id=tag.station_id if tag else None,
        parameter=(tag.parameter or tag.role) if tag else "",
        node_id=sample["node_id"],
        value=value if isinstance(value, float | int) and not isinstance(value, bool) else None,
        raw_value="" if isinstance(value, float | int) else str(value or "")[:200],
        source_time=source_time,
        server_time=parse_datetime(sample["server_time"]) or source_time,
        status_code=sample["status"],
        batch_id=batch_pk,
    )


@shared_task(name="bench.transport_only", acks_late=True, serializer="plain-json")
def transport_only(batch: dict) -> int:
    """The batch as lines.ingest_batch receives it (same serializer, acks late), then nothing:
    what Celery and Redis alone cost per batch."""
    return sample_count(batch)
