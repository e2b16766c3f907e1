"""Ingesting one batch from the bridge: idempotent, in one transaction, in four phases.

1. unit-id changes, in source-time order: units arrive at stations (operations start);
2. result events: the cell is at the machine, the roll metres its sheets used are consumed;
3. every value is stored with its unit and roll metre, rejected ones with their reason, and
   judged (lines.hooks.AFTER_INGEST: quality evaluation, flags, holds);
4. result events complete their operations, so a quality gate sees the values just judged.
A batch id seen before changes nothing: a redelivered batch is a no-op.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from lines import hooks
from lines.ingest.parse import ParsedBatch, RawEvent, batch_parse
from lines.ingest.samples import Attribution, event_rows, sample_rows
from lines.ingest.tagmap import tag_map
from lines.ingest.unit_events import UnitEvents
from lines.models import IngestBatch, Sample, Tag, TagRole, Unit


@dataclass
class IngestReport:
    batch_id: str
    duplicate: bool = False
    samples: int = 0
    rejected: int = 0
    events: int = 0
    flags: int = 0
    problems: list[str] = field(default_factory=list)


def batch_ingest(*, batch: dict) -> IngestReport:
    """Store and judge one batch (docs/telemetry.md); a malformed batch raises InvalidInput."""
    parsed = batch_parse(batch)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IngestBatch.objects.create(
                    batch_id=parsed.batch_id, source=parsed.source, received_at=timezone.now()
                )
        except IntegrityError:
            return IngestReport(batch_id=str(parsed.batch_id), duplicate=True)
        return _ingest(parsed, record)


def _ingest(parsed: ParsedBatch, record: IngestBatch) -> IngestReport:
    tags = tag_map()
    where = Attribution(parsed.samples, tags)
    events = UnitEvents()
    _arrivals(where, tags, events)
    results = _results_begin(parsed.events, tags, events)
    rows = sample_rows(samples=parsed.samples, tags=tags, where=where, batch=record)
    for event, station, unit in results:
        rows.extend(event_rows(event=event, station=station, unit_id=unit.pk, batch=record))
    stored = Sample.objects.bulk_create(rows, batch_size=5000)
    judged = [s for s in stored if s.station_id is not None]
    flags: list = []
    hooks.run(hooks.AFTER_INGEST, samples=judged, raised=flags)
    for event, station, unit in results:
        events.finished(
            unit=unit, station=station, ok=event.fields.get("result") == "OK", at=event.time
        )
    record.samples, record.events = len(stored), len(parsed.events)
    record.rejected = sum(1 for s in stored if s.rejected_reason)
    record.problems = events.problems
    record.save(update_fields=["samples", "events", "rejected", "problems"])
    return IngestReport(
        str(parsed.batch_id),
        False,
        record.samples,
        record.rejected,
        record.events,
        len(flags),
        events.problems,
    )


def _arrivals(where: Attribution, tags: dict[str, Tag], events: UnitEvents) -> None:
    stations = {t.station_id: t.station for t in tags.values()}
    with_results = {t.station_id for t in tags.values() if t.role == TagRole.RESULT_EVENT}
    changes = []
    for (station_id, role), line in where.timelines.items():
        if role == TagRole.UNIT_ID:
            changes.extend((moment, station_id, value) for moment, value in line.changes())
    for moment, station_id, identifier in sorted(changes, key=lambda c: c[0]):
        # Where the machine reports each cell's result, the result ends the operation.
        events.arrived(
            station=stations[station_id],
            identifier=str(identifier or ""),
            at=moment,
            leaves_previous=station_id not in with_results,
        )


def _results_begin(
    raw_events: list[RawEvent], tags: dict[str, Tag], events: UnitEvents
) -> list[tuple]:
    begun = []
    for event in sorted(raw_events, key=lambda e: e.time):
        tag = tags.get(event.node_id)
        serial = str(event.fields.get("serial") or "")
        if tag is None or tag.role != TagRole.RESULT_EVENT or not serial:
            events.problems.append(
                f"event {event.type} from {event.node_id}: unknown node or no serial"
            )
            continue
        unit: Unit | None = events.unit_for(station=tag.station, identifier=serial)
        if unit is None:
            continue
        operation = events.started(unit=unit, station=tag.station, at=event.time)
        events.consume_feed(cell=unit, operation=operation, fields=event.fields, at=event.time)
        begun.append((event, tag.station, unit))
    return begun
