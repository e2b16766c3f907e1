"""Turning parsed values into sample rows: which station and parameter, which unit and metre,
and why a value cannot be used. Column by column: per value, only a tag look-up and appends."""

import numpy as np
from django.utils import timezone

from lines.ingest.columns import SampleColumns, epoch_us
from lines.ingest.parse import RawEvent, RawValues
from lines.ingest.timeline import Timeline, last_stored, start_value
from lines.models import Station, Tag, TagRole, Unit

# Fields of a result event that describe the event, not a measurement of the cell.
EVENT_BOOKKEEPING = frozenset(
    {"serial", "result", "sequence", "feed_roll", "feed_from_m", "feed_to_m"}
)
UNKNOWN_NODE = "unknown node: not in the tag map"


class Attribution:
    """Unit-id and web-position timelines per station, and unit ids by identifier."""

    def __init__(self, values: RawValues, tags: dict[str, Tag]) -> None:
        self.timelines: dict[tuple[int, str], Timeline] = {}
        self._units: dict[str, int | None] = {}
        self.tags: list[Tag | None] = [tags.get(node) for node in values.node_id]
        first = min(values.source_time, default=timezone.now())
        roles = (TagRole.UNIT_ID, TagRole.WEB_POSITION)
        with_role = [
            i
            for i, tag in enumerate(self.tags)
            if tag is not None and tag.role in roles and not values.problem[i]
        ]
        for i in sorted(with_role, key=values.source_us.__getitem__):  # stable: batch order ties
            tag = self.tags[i]
            value = values.text[i] if tag.role == TagRole.UNIT_ID else values.value[i]
            self._line(tag.station, tag.role, first).add(
                values.source_time[i], values.source_us[i], value
            )

    def _line(self, station: Station, role: str, before: object) -> Timeline:
        key = (station.pk, role)
        if key not in self.timelines:
            stored = last_stored(station=station, role=role, before=before)
            self.timelines[key] = Timeline(start_value(stored, role))
        return self.timelines[key]

    def attribute(self, values: RawValues) -> tuple[list[int | None], list[float | None]]:
        """The unit id and roll metre of every value (None for unit ids and unknown nodes).

        A station whose unit id did not change in the batch starts from the unit id stored
        before its first value in batch order.
        """
        units: list[int | None] = [None] * len(values)
        positions: list[float | None] = [None] * len(values)
        by_station: dict[int, list[int]] = {}
        for i, tag in enumerate(self.tags):
            if tag is not None and tag.role != TagRole.UNIT_ID:
                by_station.setdefault(tag.station_id, []).append(i)
        times = np.asarray(values.source_us, dtype=np.int64)
        for station_pk, members in by_station.items():
            station, moments = self.tags[members[0]].station, times[members]
            first = values.source_time[members[0]]
            identifiers = self._line(station, TagRole.UNIT_ID, first).at_many(moments)
            ids = {key: self.resolve(key) if key else None for key in set(identifiers)}
            web = self.timelines.get((station_pk, TagRole.WEB_POSITION))
            metres = web.at_many(moments) if web else [None] * len(members)
            for i, identifier, metre in zip(members, identifiers, metres, strict=True):
                units[i], positions[i] = ids[identifier], metre  # type: ignore[assignment]
        return units, positions

    def resolve(self, identifier: object) -> int | None:
        key = str(identifier)
        if key not in self._units:
            self._units[key] = (
                Unit.objects.filter(identifier=key).values_list("id", flat=True).first()
            )
        return self._units[key]


def sample_columns(*, values: RawValues, where: Attribution) -> SampleColumns:
    """The batch's values as sample rows, attributed; unusable ones with the reason."""
    units, positions = where.attribute(values)
    out = SampleColumns(
        node_id=values.node_id,
        value=values.value,
        raw_value=values.text,
        source_time=values.source_time,
        source_us=values.source_us,
        server_time=values.server_time,
        status_code=values.status,
        unit_id=units,
        position_m=positions,
    )
    for tag, problem, value, text in zip(
        where.tags, values.problem, values.value, values.text, strict=True
    ):
        if tag is None:
            out.station_id.append(None)
            out.parameter.append("")
            out.rejected_reason.append(UNKNOWN_NODE)
            continue
        if tag.station_id not in out.stations:
            out.stations[tag.station_id] = tag.station
        out.station_id.append(tag.station_id)
        out.parameter.append(tag.parameter or tag.role)
        if problem or value is not None or tag.role == TagRole.UNIT_ID:
            out.rejected_reason.append(problem)
        else:
            out.rejected_reason.append(f"not a number: {text!r}")
    return out


def event_columns(*, event: RawEvent, station: Station, unit_id: int) -> SampleColumns:
    """The measurements a result event carries, as samples of its cell."""
    out = SampleColumns(stations={station.pk: station})
    moment_us = epoch_us(event.time)
    for name, value in event.fields.items():
        if (
            name in EVENT_BOOKKEEPING
            or isinstance(value, bool)
            or not isinstance(value, int | float)
        ):
            continue
        out.node_id.append(event.node_id)
        out.station_id.append(station.pk)
        out.parameter.append(name)
        out.value.append(float(value))
        out.raw_value.append("")
        out.source_time.append(event.time)
        out.source_us.append(moment_us)
        out.server_time.append(event.time)
        out.status_code.append(0)
        out.unit_id.append(unit_id)
        out.position_m.append(None)
        out.rejected_reason.append("")
    return out
