"""Which unit, and which roll metre, a station was at when a value was taken.

The PLC's own unit-id and web-position tags say it, in source time. A timeline starts from the
last value stored before the batch (so a batch can begin mid-cell) and steps at each change.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection

from lines import sample_segments
from lines import telemetry_codec as codec
from lines.models import Sample, SampleSegment, TagRole


class Timeline:
    """Values of one role at one station, in time order; `at(t)` is the value in force at t."""

    def __init__(self, start: object | None) -> None:
        self._times: list[datetime] = []
        self._times_us: list[int] = []
        self._values: list[object] = []
        self.start = start

    def add(self, moment: datetime, moment_us: int, value: object) -> None:
        self._times.append(moment)
        self._times_us.append(moment_us)
        self._values.append(value)

    def changes(self) -> list[tuple[datetime, object]]:
        """(time, value) where the value differs from the one before it (the start included)."""
        out, last = [], self.start
        for moment, value in zip(self._times, self._values, strict=True):
            if value != last:
                out.append((moment, value))
                last = value
        return out

    def at_many(self, moments_us: np.ndarray) -> list[object | None]:
        """The value in force at each moment (epoch microseconds), as `at` would say one by one."""
        index = np.searchsorted(np.asarray(self._times_us, dtype=np.int64), moments_us, "right")
        in_force = [self.start, *self._values]  # index 0: before the first change
        return [in_force[i] for i in index.tolist()]


_TABLE = Sample._meta.db_table
# The newest usable value of one role at one station in [since, before); the (station, parameter,
# source_time) index answers each. Wrapped so that SQLite takes ORDER BY/LIMIT inside UNION ALL.
_ONE = (
    f"SELECT * FROM (SELECT %s AS k, raw_value, value, source_time FROM {_TABLE} "
    "WHERE station_id = %s AND parameter = %s AND source_time < %s AND source_time >= %s "
    "AND rejected_reason = '' ORDER BY source_time DESC LIMIT 1) AS k{n}"
)
# Looked for first: a running station reported its unit id within the last day. The bound lets
# PostgreSQL skip older partitions (planning and probing them was most of the query's time);
# the rest are looked for without it.
RECENT = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def starts_stored(keys: list[tuple[int, str, datetime]]) -> list[object | None]:
    """For each (station id, role, time): the role's last stored value at the station before the
    time (where a batch's timeline starts): one query for all keys, a second for those with no
    value within RECENT, and for those the compacted segments too (a roll mounted for days, a
    station idle over a weekend: its last unit id may be past the hot window)."""
    found = _newest(keys, recent=True)
    older = [n for n in range(len(keys)) if n not in found]
    if older:
        more = _newest([keys[n] for n in older], recent=False)
        for m, n in enumerate(older):
            compacted = newest_compacted(*keys[n])
            hot = more.get(m)
            if compacted is not None and (hot is None or compacted[2] > hot[2]):
                found[n] = compacted
            elif hot is not None:
                found[n] = hot
    return [_start(found.get(n), role) for n, (_, role, _) in enumerate(keys)]


def newest_compacted(
    station_id: int, parameter: str, before: datetime
) -> tuple[str, float | None, datetime] | None:
    """The newest accepted sample of a station's parameter before `before` among the segments:
    (raw value, value, source time), or None. Segments are searched newest first and only those
    that begin before `before` are decoded."""
    segments = (
        SampleSegment.objects.filter(
            station_id=station_id, parameter=parameter, first_time__lt=before
        )
        .order_by("-last_time")
        .only("station_id", "parameter", "node_id", "last_time", "data")
    )
    best: tuple[str, float | None, datetime] | None = None
    for segment in segments.iterator(chunk_size=8):
        if best is not None and segment.last_time < best[2]:
            break
        for sample in sample_segments.to_samples(segment, codec.decode(bytes(segment.data))):
            if sample.rejected_reason or sample.source_time >= before:
                continue
            if best is None or sample.source_time > best[2]:
                best = (sample.raw_value, sample.value, sample.source_time)
    return best


def _newest(keys: list[tuple[int, str, datetime]], *, recent: bool) -> dict[int, tuple]:
    if not keys:
        return {}
    sql = " UNION ALL ".join(_ONE.format(n=n) for n in range(len(keys)))
    params: list[Any] = []
    adapt = connection.ops.adapt_datetimefield_value
    for n, (station_id, role, before) in enumerate(keys):
        since = before - RECENT if recent else _EPOCH
        params += [n, station_id, role, adapt(before), adapt(since)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            n: (raw_value, value, _aware(moment))
            for n, raw_value, value, moment in cursor.fetchall()
        }


def _aware(moment: datetime | str) -> datetime:
    """A source_time as the raw cursor gives it (SQLite: text) as an aware datetime."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _start(stored: tuple[str, float | None, datetime] | None, role: str) -> object | None:
    if stored is None:
        return None
    raw_value, value, _ = stored
    return raw_value or None if role == TagRole.UNIT_ID else value
