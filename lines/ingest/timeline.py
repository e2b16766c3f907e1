"""Which unit, and which roll metre, a station was at when a value was taken.

The PLC's own unit-id and web-position tags say it, in source time. A timeline starts from the
last value stored before the batch (so a batch can begin mid-cell) and steps at each change.
"""

from bisect import bisect_right
from datetime import datetime

from lines.models import Sample, Station, TagRole


class Timeline:
    """Values of one role at one station, in time order; `at(t)` is the value in force at t."""

    def __init__(self, start: object | None) -> None:
        self._times: list[datetime] = []
        self._values: list[object] = []
        self.start = start

    def add(self, moment: datetime, value: object) -> None:
        self._times.append(moment)
        self._values.append(value)

    def changes(self) -> list[tuple[datetime, object]]:
        """(time, value) where the value differs from the one before it (the start included)."""
        out, last = [], self.start
        for moment, value in zip(self._times, self._values, strict=True):
            if value != last:
                out.append((moment, value))
                last = value
        return out

    def at(self, moment: datetime) -> object | None:
        index = bisect_right(self._times, moment) - 1
        return self._values[index] if index >= 0 else self.start


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
