"""Which unit, and which roll metre, a station was at when a value was taken.

The PLC's own unit-id and web-position tags say it, in source time. A timeline starts from the
last value stored before the batch (so a batch can begin mid-cell) and steps at each change.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection

from lines.models import Sample, TagRole


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
    f"SELECT * FROM (SELECT %s AS k, raw_value, value FROM {_TABLE} "
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
    value within RECENT."""
    found = _newest(keys, recent=True)
    older = [n for n in range(len(keys)) if n not in found]
    if older:
        more = _newest([keys[n] for n in older], recent=False)
        found.update({older[m]: row for m, row in more.items()})
    return [_start(found.get(n), role) for n, (_, role, _) in enumerate(keys)]


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
        return {n: (raw_value, value) for n, raw_value, value in cursor.fetchall()}


def _start(stored: tuple[str, float | None] | None, role: str) -> object | None:
    if stored is None:
        return None
    raw_value, value = stored
    return raw_value or None if role == TagRole.UNIT_ID else value
