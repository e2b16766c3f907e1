"""OEE of one station over one window, from its timeline, its planned production time and its
unit counts (docs/oee.md, "Figures": every figure is defined there so a plant engineer can
recompute it). Pure: no Django.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from oee.states import STOPPED, Category
from oee.timeline import Interval

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class Counts:
    processed: int = 0  # units whose operation at the station ended in the window
    good_first_time: int = 0  # of those, passed at the first attempt
    ideal_s: float | None = None  # the ideal cycle time of each processed unit, summed


@dataclass(frozen=True)
class Figures:
    planned_s: float
    run_s: float
    down_s: float
    idle_s: float
    setup_s: float
    micro_stop_s: float
    unmapped_s: float
    no_data_s: float
    planned_stop_s: float
    availability: float | None
    performance: float | None
    quality: float | None
    oee: float | None
    performance_capped: bool  # the ideal cycle time is slower than what the station did


@dataclass(frozen=True)
class Stop:
    start: datetime
    end: datetime
    category: str  # of its first interval: down, or stopped inside planned time
    plc_state: str
    reason: str  # the PLC's stop-reason code at its first interval
    micro_stop: bool

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


def stops(
    intervals: Sequence[Interval], planned: Sequence[Window] | None, micro_stop_s: float
) -> list[Stop]:
    """The stops inside planned production time: runs of consecutive down time (down, or
    stopped inside planned time). A break or the end of planned time ends a stop. A stop shorter
    than `micro_stop_s` is a micro-stop."""
    out: list[Stop] = []
    run: list[Interval] = []

    def close() -> None:
        if run:
            length = sum(i.seconds for i in run)
            first = run[0]
            out.append(
                Stop(
                    first.start,
                    run[-1].end,
                    first.category,
                    first.plc_state,
                    next((i.reason for i in run if i.reason), ""),
                    length < micro_stop_s,
                )
            )
            run.clear()

    for piece in _inside(intervals, planned):
        if piece.category in (Category.DOWN, STOPPED):
            if piece.seconds > 0:
                run.append(piece)
        else:
            close()
    close()
    return out


def seconds_by_category(
    intervals: Sequence[Interval],
    planned: Sequence[Window] | None,
    micro_stop_s: float,
    found: Sequence[Stop] | None = None,
) -> dict[str, float]:
    """Seconds per category inside planned production time (all time when `planned` is None).
    Stop time (stops() above) is "down", or "micro_stop" for micro-stops: run time lost to
    speed, not to availability. `found`: the stops as found over a longer stretch than
    `intervals` (a shift of a month), so a stop that crosses the window's edge is judged by its
    whole length; only the part inside the window counts."""
    totals = {c: 0.0 for c in (*Category, "micro_stop")}
    for piece in _inside(intervals, planned):
        if piece.category not in (Category.DOWN, STOPPED):
            totals[Category(piece.category)] += piece.seconds
    if found is None:
        for stop in stops(intervals, planned, micro_stop_s):
            totals["micro_stop" if stop.micro_stop else Category.DOWN] += stop.duration_s
    elif intervals:
        start, end = intervals[0].start, intervals[-1].end
        for stop in found:
            seconds = (min(stop.end, end) - max(stop.start, start)).total_seconds()
            if seconds > 0:
                totals["micro_stop" if stop.micro_stop else Category.DOWN] += seconds
    return totals


def _inside(intervals: Sequence[Interval], planned: Sequence[Window] | None) -> list[Interval]:
    """The intervals (in time order, not overlapping: as tile() gives them) cut to planned
    production time; a planned-time boundary ends a stop (a stop that runs into a break is two
    stops)."""
    if planned is None:
        return list(intervals)
    pieces: list[Interval] = []
    ordered = sorted(intervals, key=lambda i: i.start)
    ends = [i.end for i in ordered]
    for window_start, window_end in union(planned):
        n = bisect_right(ends, window_start)  # the first interval that ends after the window opens
        while n < len(ordered) and ordered[n].start < window_end:
            interval = ordered[n]
            start, end = max(interval.start, window_start), min(interval.end, window_end)
            if end > start:
                pieces.append(
                    Interval(start, end, interval.category, interval.plc_state, interval.reason)
                )
            n += 1
        pieces.append(Interval(window_end, window_end, Category.NO_DATA))  # zero-length: a break
    return pieces


def union(windows: Sequence[Window]) -> list[Window]:
    """Windows merged where they overlap or touch, so no second is counted twice."""
    merged: list[Window] = []
    for start, end in sorted(w for w in windows if w[1] > w[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def oee_figures(
    intervals: Sequence[Interval],
    planned: Sequence[Window] | None,
    counts: Counts,
    micro_stop_s: float = 120.0,
    found: Sequence[Stop] | None = None,
) -> Figures:
    """`intervals` tile the window (tile(), clip()); `found`: see seconds_by_category."""
    s = seconds_by_category(intervals, planned, micro_stop_s, found)
    return _figures(
        {
            "run_s": s[Category.RUNNING] + s["micro_stop"],
            "down_s": s[Category.DOWN],
            "idle_s": s[Category.IDLE],
            "setup_s": s[Category.SETUP],
            "micro_stop_s": s["micro_stop"],
            "unmapped_s": s[Category.UNMAPPED],
            "no_data_s": s[Category.NO_DATA],
            "planned_stop_s": s[Category.PLANNED_STOP],
        },
        counts,
    )


def combined(rows: Sequence[tuple[Figures, Counts]]) -> tuple[Figures, Counts]:
    """Several stations' (or periods') figures as one: seconds and counts summed, the figures
    computed from the sums, so each station weighs by its planned time, run time and units (the
    line row of the OEE table, docs/oee.md)."""
    names = ("run_s", "down_s", "idle_s", "setup_s", "micro_stop_s", "unmapped_s", "no_data_s",
             "planned_stop_s")  # fmt: skip
    seconds = {name: sum(getattr(f, name) for f, _ in rows) for name in names}
    ideal = [c.ideal_s for _, c in rows if c.processed]
    counts = Counts(
        processed=sum(c.processed for _, c in rows),
        good_first_time=sum(c.good_first_time for _, c in rows),
        ideal_s=None if not ideal or None in ideal else sum(i for i in ideal if i is not None),
    )
    return _figures(seconds, counts), counts


def _figures(s: dict[str, float], counts: Counts) -> Figures:
    # Planned production time leaves out what the PLC itself reports as planned (maintenance
    # mode) and the time nobody knows about (no data): neither is run nor lost.
    planned_s = s["run_s"] + s["down_s"] + s["idle_s"] + s["setup_s"] + s["unmapped_s"]
    run_s = s["run_s"]
    availability = _ratio(run_s, planned_s)
    performance: float | None = None
    capped = False
    if counts.ideal_s is not None and counts.processed and run_s > 0:
        performance = counts.ideal_s / run_s
        if performance > 1.0:
            performance, capped = 1.0, True
    quality = _ratio(min(counts.good_first_time, counts.processed), counts.processed)
    oee = None
    if availability is not None and performance is not None and quality is not None:
        oee = availability * performance * quality
    return Figures(
        planned_s=planned_s,
        run_s=run_s,
        down_s=s["down_s"],
        idle_s=s["idle_s"],
        setup_s=s["setup_s"],
        micro_stop_s=s["micro_stop_s"],
        unmapped_s=s["unmapped_s"],
        no_data_s=s["no_data_s"],
        planned_stop_s=s["planned_stop_s"],
        availability=availability,
        performance=performance,
        quality=quality,
        oee=oee,
        performance_capped=capped,
    )


def _ratio(part: float, whole: float) -> float | None:
    if whole <= 0:
        return None
    return min(max(part / whole, 0.0), 1.0)
