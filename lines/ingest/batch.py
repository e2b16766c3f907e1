"""Ingesting one batch from the bridge: idempotent, in one transaction.

1. The PLC's unit-id and web-position timelines are read from the batch (and the values stored
   before it), so every value can be put to its unit and roll metre.
2. Unit events are applied in source-time order, as the machines did them: a new serial starts
   its operation; a result event consumes the roll metres the cell's sheets used, stores and
   judges the measurements it carries, then completes the operation (a quality gate sees them).
3. All other values are stored, rejected ones with their reason, and judged
   (lines.hooks.AFTER_INGEST: quality evaluation, flags, holds).
4. The bridge's connection gaps, if the batch has any, are stored (lines/ingest/gaps.py).
A batch id seen before changes nothing: a redelivered batch is a no-op.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from lines import hooks
from lines.ingest.columns import SampleColumns
from lines.ingest.gaps import RawGap, gaps_parse, gaps_store
from lines.ingest.parse import ParsedBatch, RawEvent, batch_parse
from lines.ingest.samples import Attribution, event_columns, sample_columns
from lines.ingest.scope import batch_scope
from lines.ingest.store import samples_store
from lines.ingest.tagmap import tag_map
from lines.ingest.unit_events import UnitEvents
from lines.models import IngestBatch, Tag, TagRole


@dataclass
class IngestReport:
    batch_id: str
    duplicate: bool = False
    samples: int = 0
    rejected: int = 0
    events: int = 0
    flags: int = 0
    problems: list[str] = field(default_factory=list)
    gaps: int = 0


def batch_ingest(*, batch: dict) -> IngestReport:
    """Store and judge one batch (docs/telemetry.md); a malformed batch raises InvalidInput."""
    parsed = batch_parse(batch)
    gaps, gap_problems = gaps_parse(batch.get("gaps"), timezone.now())
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IngestBatch.objects.create(
                    batch_id=parsed.batch_id, source=parsed.source, received_at=timezone.now()
                )
        except IntegrityError:
            return IngestReport(batch_id=str(parsed.batch_id), duplicate=True)
        with batch_scope():
            return _ingest(parsed, record, gaps, gap_problems)


def _ingest(
    parsed: ParsedBatch, record: IngestBatch, gaps: list[RawGap], gap_problems: list[str]
) -> IngestReport:
    tags = tag_map()
    where = Attribution(parsed.samples, tags)
    events = UnitEvents()
    events.problems += parsed.problems  # events the parse could not read
    flags: list = []
    stored = _unit_events(parsed, tags, where, events, record, flags)
    rows = sample_columns(values=parsed.samples, where=where)
    stored.append(_store_and_judge(rows, record, flags))
    record.samples, record.events = sum(map(len, stored)), len(parsed.events)
    record.rejected = sum(rows.rejected() for rows in stored)
    events.problems += gap_problems + gaps_store(gaps=gaps, source=parsed.source)
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
        len(gaps),
    )


def _store_and_judge(rows: SampleColumns, record: IngestBatch, flags: list) -> SampleColumns:
    samples_store(rows=rows, batch=record)
    hooks.run(hooks.AFTER_INGEST, rows=rows, raised=flags)
    return rows


def _unit_events(parsed, tags, where, events, record, flags) -> list[SampleColumns]:  # noqa: ANN001
    """Arrivals and results, merged in the order the machines did them."""
    stations = {t.station_id: t.station for t in tags.values()}
    with_results = {t.station_id for t in tags.values() if t.role == TagRole.RESULT_EVENT}
    timeline: list[tuple] = []
    for (station_id, role), line in where.timelines.items():
        if role == TagRole.UNIT_ID:
            before = line.start
            for moment, value in line.changes():
                timeline.append((moment, 1, station_id, (value, before)))
                before = value
    timeline += [(event.time, 0, None, event) for event in parsed.events]  # a result before a move
    stored: list[SampleColumns] = []
    for moment, _order, station_id, what in sorted(timeline, key=lambda item: (item[0], item[1])):
        if isinstance(what, RawEvent):
            stored += _result(what, tags, events, record, flags)
        else:
            # Where the machine reports each cell's result, the result ends the operation.
            identifier, before = what
            events.arrived(
                station=stations[station_id],
                identifier=str(identifier or ""),
                at=moment,
                leaves_previous=station_id not in with_results,
                previous=None if before is None else str(before),
            )
    return stored


def _result(
    event: RawEvent, tags: dict[str, Tag], events: UnitEvents, record: IngestBatch, flags: list
) -> list[SampleColumns]:
    tag = tags.get(event.node_id)
    serial = str(event.fields.get("serial") or "")
    if tag is None or tag.role != TagRole.RESULT_EVENT or not serial:
        events.problems.append(
            f"event {event.type} from {event.node_id}: unknown node or no serial"
        )
        return []
    unit, operation = events.at_station(station=tag.station, identifier=serial, at=event.time)
    if unit is None:
        return []
    events.consume_feed(cell=unit, operation=operation, fields=event.fields, at=event.time)
    stored = _store_and_judge(
        event_columns(event=event, station=tag.station, unit_id=unit.pk), record, flags
    )
    events.finished(
        unit=unit,
        station=tag.station,
        operation=operation,
        ok=event.fields.get("result") == "OK",
        at=event.time,
    )
    return [stored]
