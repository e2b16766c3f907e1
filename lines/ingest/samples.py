"""Turning parsed values into Sample rows: which station and parameter, which unit and metre,
and why a value cannot be used."""

from datetime import datetime

from django.utils import timezone

from lines.ingest.parse import RawEvent, RawSample
from lines.ingest.timeline import Timeline, last_stored, start_value
from lines.models import IngestBatch, Sample, Station, Tag, TagRole, Unit

# Fields of a result event that describe the event, not a measurement of the cell.
EVENT_BOOKKEEPING = frozenset(
    {"serial", "result", "sequence", "feed_roll", "feed_from_m", "feed_to_m"}
)


class Attribution:
    """Unit-id and web-position timelines per station, and unit ids by identifier."""

    def __init__(self, samples: list[RawSample], tags: dict[str, Tag]) -> None:
        self.timelines: dict[tuple[int, str], Timeline] = {}
        self._units: dict[str, int | None] = {}
        first = min((s.source_time for s in samples), default=timezone.now())
        for sample in sorted(samples, key=lambda s: s.source_time):
            tag = tags.get(sample.node_id)
            if (
                tag is None
                or tag.role not in (TagRole.UNIT_ID, TagRole.WEB_POSITION)
                or sample.problem
            ):
                continue
            line = self._line(tag.station, tag.role, first)
            line.add(
                sample.source_time, sample.text if tag.role == TagRole.UNIT_ID else sample.value
            )

    def _line(self, station: Station, role: str, first: datetime) -> Timeline:
        key = (station.pk, role)
        if key not in self.timelines:
            before = last_stored(station=station, role=role, before=first)
            self.timelines[key] = Timeline(start_value(before, role))
        return self.timelines[key]

    def unit_id(self, station: Station, at: datetime) -> int | None:
        line = self.timelines.get((station.pk, TagRole.UNIT_ID))
        if line is None:
            before = last_stored(station=station, role=TagRole.UNIT_ID, before=at)
            line = self.timelines.setdefault(
                (station.pk, TagRole.UNIT_ID), Timeline(start_value(before, TagRole.UNIT_ID))
            )
        identifier = line.at(at)
        return self.resolve(identifier) if identifier else None

    def position(self, station: Station, at: datetime) -> float | None:
        line = self.timelines.get((station.pk, TagRole.WEB_POSITION))
        return line.at(at) if line else None  # type: ignore[return-value]

    def resolve(self, identifier: object) -> int | None:
        key = str(identifier)
        if key not in self._units:
            self._units[key] = (
                Unit.objects.filter(identifier=key).values_list("id", flat=True).first()
            )
        return self._units[key]


def sample_rows(
    *, samples: list[RawSample], tags: dict[str, Tag], where: Attribution, batch: IngestBatch
) -> list[Sample]:
    rows = []
    for raw in samples:
        tag = tags.get(raw.node_id)
        row = Sample(
            node_id=raw.node_id,
            value=raw.value,
            raw_value=raw.text,
            source_time=raw.source_time,
            server_time=raw.server_time,
            status_code=raw.status,
            batch=batch,
        )
        if tag is None:
            row.rejected_reason = "unknown node: not in the tag map"
        else:
            row.station, row.parameter = tag.station, tag.parameter or tag.role
            row.rejected_reason = raw.problem or _not_a_number(tag, raw)
            if tag.role != TagRole.UNIT_ID:
                row.unit_id = where.unit_id(tag.station, raw.source_time)
                row.position_m = where.position(tag.station, raw.source_time)
        rows.append(row)
    return rows


def _not_a_number(tag: Tag, raw: RawSample) -> str:
    if tag.role == TagRole.UNIT_ID or raw.value is not None:
        return ""
    return f"not a number: {raw.text!r}"


def event_rows(
    *, event: RawEvent, station: Station, unit_id: int, batch: IngestBatch
) -> list[Sample]:
    """The measurements a result event carries, as samples of its cell."""
    rows = []
    for name, value in event.fields.items():
        if (
            name in EVENT_BOOKKEEPING
            or isinstance(value, bool)
            or not isinstance(value, int | float)
        ):
            continue
        rows.append(
            Sample(
                station=station,
                parameter=name,
                value=float(value),
                node_id=event.node_id,
                source_time=event.time,
                server_time=event.time,
                unit_id=unit_id,
                batch=batch,
            )
        )
    return rows
