"""A line's shift calendar as planned production windows in UTC (docs/oee.md, "Calendar").

Pure: no Django. Shifts and breaks are wall-clock times in the plant's time zone: a night shift
from 22:00 to 06:00 ends at 06:00 on the clock, so on the night the clocks change it is 7 or 9
hours long. Everything leaves here in UTC.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Break:
    start: time  # wall clock
    minutes: int


@dataclass(frozen=True)
class ShiftPattern:
    name: str
    start: time  # wall clock
    hours: float
    weekdays: frozenset[int] = frozenset(range(7))  # Monday 0 .. Sunday 6, of the start
    breaks: tuple[Break, ...] = ()


@dataclass(frozen=True)
class Shift:
    name: str
    day: date  # the local day it starts
    start: datetime  # UTC
    end: datetime  # UTC
    breaks: tuple[tuple[datetime, datetime], ...] = field(default=())

    def planned(self) -> list[tuple[datetime, datetime]]:
        """The shift without its breaks: planned production time."""
        windows, at = [], self.start
        for start, end in sorted(self.breaks):
            if start > at:
                windows.append((at, min(start, self.end)))
            at = max(at, end)
        if at < self.end:
            windows.append((at, self.end))
        return windows


def _utc(day: date, wall: time, zone: ZoneInfo, extra: timedelta = timedelta()) -> datetime:
    """A wall-clock moment on `day` (+ `extra` of wall-clock time) in UTC. A time the clocks
    skip (spring forward) is read with the offset before the change, as zoneinfo does."""
    local = datetime.combine(day, wall) + extra
    return local.replace(tzinfo=zone).astimezone(UTC)


def shifts_between(
    patterns: Sequence[ShiftPattern],
    tz: str,
    start: datetime,
    end: datetime,
    days_off: frozenset[date] = frozenset(),
) -> list[Shift]:
    """Every shift that overlaps [start, end) (UTC), in time order."""
    zone = ZoneInfo(tz)
    first = start.astimezone(zone).date() - timedelta(days=2)  # a shift may start the day before
    last = end.astimezone(zone).date() + timedelta(days=1)
    shifts = []
    day = first
    while day <= last:
        if day not in days_off:
            for pattern in patterns:
                if day.weekday() not in pattern.weekdays:
                    continue
                begin = _utc(day, pattern.start, zone)
                finish = _utc(day, pattern.start, zone, timedelta(hours=pattern.hours))
                breaks = tuple(_break(day, pattern, b, zone) for b in pattern.breaks)
                if finish > start and begin < end and finish > begin:
                    shifts.append(Shift(pattern.name, day, begin, finish, breaks))
        day += timedelta(days=1)
    return sorted(shifts, key=lambda s: s.start)


def _break(
    day: date, pattern: ShiftPattern, brk: Break, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    # A break earlier on the clock than the shift's start falls on the next day (night shift).
    offset = timedelta(days=1) if brk.start < pattern.start else timedelta()
    begin = _utc(day, brk.start, zone, offset)
    return begin, _utc(day, brk.start, zone, offset + timedelta(minutes=brk.minutes))


def overlapping(
    patterns: Sequence[ShiftPattern], tz: str, around: datetime
) -> tuple[str, str] | None:
    """The first two patterns whose shifts overlap in the fortnight from `around`, or None: a
    calendar with overlapping shifts would count the same time twice, so it is refused."""
    shifts = shifts_between(patterns, tz, around, around + timedelta(days=14))
    for earlier, later in zip(shifts, shifts[1:], strict=False):
        if later.start < earlier.end:
            return earlier.name, later.name
    return None
