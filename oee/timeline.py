"""State changes of one station as intervals that tile a window (docs/oee.md, "Timeline").

Pure: no Django. The ingest hands changes over in whatever order batches arrive (late batches,
PLC clocks that jump); here they are ordered by source time, repeats merged, and the window is
tiled exactly: every second belongs to one interval, none overlap, none is negative. Time the
bridge had no connection is NO_DATA whatever the last state said.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from oee.states import STOPPED, Category


@dataclass(frozen=True)
class Change:
    at: datetime
    category: str
    plc_state: str = ""  # what the PLC said, as text
    reason: str = ""  # the PLC's stop-reason code at that moment, if it has one


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    category: str
    plc_state: str = ""
    reason: str = ""

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def tile(
    changes: Iterable[Change],
    start: datetime,
    end: datetime,
    gaps: Sequence[tuple[datetime, datetime]] = (),
) -> list[Interval]:
    """Intervals covering [start, end). A change before `start` sets the state the window opens
    in; without one the window opens in NO_DATA. Of several changes at the same instant the last
    given wins (arrival order), as a PLC's last word does."""
    if end <= start:
        return []
    ordered = sorted(enumerate(changes), key=lambda pair: (pair[1].at, pair[0]))
    opening = Change(start, Category.NO_DATA)
    inside: list[Change] = []
    for _, change in ordered:
        if change.at <= start:
            opening = Change(start, change.category, change.plc_state, change.reason)
        elif change.at < end:
            inside.append(change)
    points = [opening, *inside]
    raw = [
        Interval(
            c.at,
            points[i + 1].at if i + 1 < len(points) else end,
            c.category,
            c.plc_state,
            c.reason,
        )
        for i, c in enumerate(points)
    ]
    return merge(_blank_gaps([r for r in raw if r.end > r.start], gaps))


def _blank_gaps(
    intervals: list[Interval], gaps: Sequence[tuple[datetime, datetime]]
) -> list[Interval]:
    """Cut every gap out of the intervals (in time order, not overlapping) and put NO_DATA
    there; overlapping gaps count once. One pass over both."""
    merged: list[tuple[datetime, datetime]] = []
    for gap_start, gap_end in sorted(g for g in gaps if g[1] > g[0]):
        if merged and gap_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], gap_end))
        else:
            merged.append((gap_start, gap_end))
    out: list[Interval] = []
    g = 0
    for interval in intervals:
        at = interval.start
        while g < len(merged) and merged[g][1] <= at:
            g += 1
        n = g
        while n < len(merged) and merged[n][0] < interval.end:
            gap_start, gap_end = merged[n]
            if gap_start > at:
                out.append(_span(interval, at, gap_start))
            out.append(Interval(max(at, gap_start), min(interval.end, gap_end), Category.NO_DATA))
            at = min(interval.end, gap_end)
            n += 1
        if at < interval.end:
            out.append(_span(interval, at, interval.end))
    return out


def clip(intervals: Sequence[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The part of a tiled timeline (in time order, not overlapping) inside [start, end)."""
    n = bisect_right(intervals, start, key=lambda i: i.end)
    out = []
    while n < len(intervals) and intervals[n].start < end:
        out.append(_span(intervals[n], max(intervals[n].start, start), min(intervals[n].end, end)))
        n += 1
    return out


def _span(interval: Interval, start: datetime, end: datetime) -> Interval:
    return Interval(start, end, interval.category, interval.plc_state, interval.reason)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Neighbours that say the same thing become one: a PLC that repeats its state every scan
    makes one interval, not thousands."""
    merged: list[Interval] = []
    for interval in intervals:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.end == interval.start
            and (last.category, last.plc_state, last.reason)
            == (interval.category, interval.plc_state, interval.reason)
        ):
            merged[-1] = _span(last, last.start, interval.end)
        else:
            merged.append(interval)
    return merged


STOPS = frozenset({Category.DOWN, STOPPED})
REASON_LEAD = timedelta(seconds=1)
NO_REASON = frozenset({"", "0"})  # a PLC may set its reason code just before it stops


def with_reasons(
    intervals: Sequence[Interval], reports: Sequence[tuple[datetime, str]]
) -> list[Interval]:
    """Each stop with the PLC's reason code: the first code reported from just before the stop
    began until it ended, or, without one, the last code reported before it (OPC UA reports
    changes only: a second jam with the same code reports nothing new). A PLC resets its code to
    0 (or empty) when it runs again; 0 is no reason. Other intervals keep no reason."""
    ordered = sorted(reports)
    times = [at for at, _ in ordered]
    meaningful = [(at, code) for at, code in ordered if code not in NO_REASON]
    meaningful_times = [at for at, _ in meaningful]
    out = []
    for interval in intervals:
        if interval.category not in STOPS:
            out.append(interval)
            continue
        lead = interval.start - REASON_LEAD
        first = bisect_left(meaningful_times, lead)
        if first < len(meaningful) and meaningful[first][0] < interval.end:
            reason = meaningful[first][1]
        else:
            before = bisect_left(times, lead)
            reason = ordered[before - 1][1] if before else ""
        reason = "" if reason in NO_REASON else reason
        out.append(
            Interval(interval.start, interval.end, interval.category, interval.plc_state, reason)
        )
    return out
