"""Which unit, and which roll metre, a station was at when a value was taken.

The PLC's own unit-id and web-position tags say it, in source time. A timeline starts from the
last value stored before the batch (so a batch can begin mid-cell) and steps at each change.
"""

from datetime import datetime

import numpy as np

from lines.models import Sample, Station, TagRole


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


def last_stored(*, station: Station, role: str, before: datetime) -> Sample | None:
    """The station's last stored value of a role tag before a time (where the batch starts from)."""
    return (
        Sample.objects.filter(
            station=station, parameter=role, source_time__lt=before, rejected_reason=""
        )
        .order_by("-source_time")  # by time alone, so the (station, parameter, time) index answers
        .first()
    )


def start_value(sample: Sample | None, role: str) -> object | None:
    if sample is None:
        return None
    return sample.raw_value or None if role == TagRole.UNIT_ID else sample.value
