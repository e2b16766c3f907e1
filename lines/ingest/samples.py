"""Turning parsed values into sample rows: which station and parameter, which unit and metre,
and why a value cannot be used. Column by column: per value, only a tag look-up and appends."""

from datetime import datetime
from typing import NamedTuple

import numpy as np
from django.utils import timezone

from lines.ingest.columns import SampleColumns, epoch_us
from lines.ingest.parse import RawEvent, RawValues
from lines.ingest.timeline import Timeline, starts_stored
from lines.models import Station, Tag, TagRole, Unit
from lines.telemetry_bounds import as_number, text_of

# Fields of a result event that describe the event, not a measurement of the cell.
EVENT_BOOKKEEPING = frozenset(
    {"serial", "result", "sequence", "feed_roll", "feed_from_m", "feed_to_m"}
)
UNKNOWN_NODE = "unknown node: not in the tag map"
# How the bridge writes a NaN or an infinity it read (docs/telemetry.md, "The batch").
NOT_FINITE = frozenset({"NaN", "Infinity", "-Infinity"})
PARAMETER_LENGTH = 64  # lines.Sample.parameter


class TagOf(NamedTuple):
    """What the ingest reads of a value's tag, thousands of times a batch: a model instance's
    foreign key id goes through a descriptor on every read, a tuple's field does not."""

    station_id: int
    role: str
    parameter: str  # the parameter, or the role of a role tag (as samples store it)


class Attribution:
    """Unit-id and web-position timelines per station, and unit ids by identifier."""

    def __init__(self, values: RawValues, tags: dict[str, Tag]) -> None:
        self.timelines: dict[tuple[int, str], Timeline] = {}
        self._units: dict[str, int | None] = {}
        self.tag_map = tags
        of = {node: TagOf(t.station_id, t.role, t.parameter or t.role) for node, t in tags.items()}
        self.tags: list[TagOf | None] = list(map(of.get, values.node_id))
        roles = (TagRole.UNIT_ID, TagRole.WEB_POSITION)
        with_role = [
            i
            for i, tag in enumerate(self.tags)
            if tag is not None and tag.role in roles and not values.problem[i]
        ]
        with_role.sort(key=values.source_us.__getitem__)  # stable: ties stay in batch order
        self._start_all(values, with_role)
        for i in with_role:
            tag = self.tags[i]
            assert tag is not None  # with_role holds known tags only
            value = values.text[i] if tag.role == TagRole.UNIT_ID else values.value[i]
            self.timelines[(tag.station_id, tag.role)].add(
                values.source_time[i], values.source_us[i], value
            )

    def _start_all(self, values: RawValues, with_role: list[int]) -> None:
        """Where every timeline starts, in one query: a role's timeline from the value stored
        before the batch; the unit id of a station whose unit id did not change in the batch
        from the one stored before the station's first value in batch order."""
        first = min(values.source_time, default=timezone.now())
        keys: dict[tuple[int, str], datetime] = {}
        for i in with_role:
            tag = self.tags[i]
            assert tag is not None  # with_role holds known tags only
            keys.setdefault((tag.station_id, tag.role), first)
        # Only stations that report a unit id have one: the dry room's values belong to no unit
        # (and a station whose unit-id tag left the map no longer names its last unit forever).
        reporting = {t.station_id for t in self.tag_map.values() if t.role == TagRole.UNIT_ID}
        for i, tag in enumerate(self.tags):
            if tag is not None and tag.role != TagRole.UNIT_ID and tag.station_id in reporting:
                keys.setdefault((tag.station_id, TagRole.UNIT_ID), values.source_time[i])
        starts = starts_stored([(*key, before) for key, before in keys.items()])
        self._starts = dict(zip(keys, starts, strict=True))
        for i in with_role:
            tag = self.tags[i]
            assert tag is not None  # with_role holds known tags only
            key = (tag.station_id, tag.role)
            if key not in self.timelines:
                self.timelines[key] = Timeline(self._starts[key])

    def attribute(self, values: RawValues) -> tuple[list[int | None], list[float | None]]:
        """The unit id and roll metre of every value (None for unit ids and unknown nodes)."""
        units: list[int | None] = [None] * len(values)
        positions: list[float | None] = [None] * len(values)
        by_station: dict[int, list[int]] = {}
        for i, tag in enumerate(self.tags):
            if tag is not None and tag.role != TagRole.UNIT_ID:
                by_station.setdefault(tag.station_id, []).append(i)
        times = np.asarray(values.source_us, dtype=np.int64)
        per_station = []
        for station_pk, members in by_station.items():
            key = (station_pk, TagRole.UNIT_ID)
            line = self.timelines.setdefault(key, Timeline(self._starts.get(key)))
            per_station.append((station_pk, members, line.at_many(times[members])))
        self._resolve_all({key for _, _, found in per_station for key in found if key})
        for station_pk, members, identifiers in per_station:
            web = self.timelines.get((station_pk, TagRole.WEB_POSITION))
            metres = web.at_many(times[members]) if web else [None] * len(members)
            for i, identifier, metre in zip(members, identifiers, metres, strict=True):
                units[i] = self._units[str(identifier)] if identifier else None
                positions[i] = metre  # type: ignore[call-overload]  # a web-position timeline holds metres (float)
        return units, positions

    def _resolve_all(self, identifiers: set[object]) -> None:
        wanted = {str(key) for key in identifiers} - self._units.keys()
        found = dict(Unit.objects.filter(identifier__in=wanted).values_list("identifier", "id"))
        self._units.update({key: found.get(key) for key in wanted})


def sample_columns(*, values: RawValues, where: Attribution) -> SampleColumns:
    """The batch's values as sample rows, attributed; unusable ones with the reason."""
    units, positions = where.attribute(values)
    tags, with_text = where.tags, TagRole.with_text()
    present = (tag for tag in map(where.tag_map.get, set(values.node_id)) if tag is not None)
    return SampleColumns(
        node_id=values.node_id,
        station_id=[None if tag is None else tag.station_id for tag in tags],
        parameter=["" if tag is None else tag.parameter for tag in tags],
        value=values.value,
        raw_value=values.text,
        source_time=values.source_time,
        source_us=values.source_us,
        server_time=values.server_time,
        status_code=values.status,
        unit_id=units,
        position_m=positions,
        rejected_reason=[
            UNKNOWN_NODE
            if tag is None
            else problem
            if problem or value is not None or tag.role in with_text
            else f"not a number: {text!r}"[:200]
            for tag, problem, value, text in zip(
                tags, values.problem, values.value, values.text, strict=True
            )
        ],
        stations={tag.station_id: tag.station for tag in present},
    )


def _measurement(name: str, raw: object) -> tuple[float | None, str, str] | None:
    """(value, raw text, problem) of an event field that is a measurement (a JSON number, or
    a NaN or infinity as the bridge writes it); None for the event's other fields."""
    if name in EVENT_BOOKKEEPING or isinstance(raw, bool):
        return None
    if isinstance(raw, str) and raw in NOT_FINITE:
        return None, raw, "not a finite number"
    if not isinstance(raw, int | float):
        return None
    value, problem = as_number(raw)
    if len(name) > PARAMETER_LENGTH:
        value, problem = None, f"field name longer than {PARAMETER_LENGTH}: {name!r}"
    return value, text_of(raw) if problem else "", problem[:200]


def event_columns(*, event: RawEvent, station: Station, unit_id: int) -> SampleColumns:
    """The measurements a result event carries, as samples of its cell; an unusable one
    (NaN, infinity, beyond telemetry_bounds.MAX_ABS_VALUE) stored rejected with the reason."""
    out = SampleColumns(stations={station.pk: station})
    moment_us = epoch_us(event.time)
    for name, raw in event.fields.items():
        measured = _measurement(text_of(name, 1000), raw)
        if measured is None:
            continue
        value, text, problem = measured
        out.node_id.append(event.node_id)
        out.station_id.append(station.pk)
        out.parameter.append(text_of(name, PARAMETER_LENGTH))
        out.value.append(value)
        out.raw_value.append(text)
        out.source_time.append(event.time)
        out.source_us.append(moment_us)
        out.server_time.append(event.time)
        out.status_code.append(0)
        out.unit_id.append(unit_id)
        out.position_m.append(None)
        out.rejected_reason.append(problem)
    return out
