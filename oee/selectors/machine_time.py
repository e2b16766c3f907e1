"""A station's machine time and OEE over windows, read from what the ingest stored and from the
operations lines recorded (docs/oee.md: every figure's definition)."""

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from lines.choices import OperationResult
from lines.models import Line, Operation, Station
from oee.figures import Counts, Figures, Stop, Window, oee_figures, stops
from oee.models import DayOff, IdealCycle, LineClock, ShiftPattern, StateChange, StopReasonReport
from oee.models.calendar import DEFAULT_MICRO_STOP_S
from oee.models.downtime import DowntimeReason, StopAssignment
from oee.models.summaries import MAX_MARGIN
from oee.selectors.gaps import in_gap, station_gaps
from oee.selectors.stop_reasons import current_assignments, plc_reasons
from oee.shifts import Break, Shift, shifts_between
from oee.shifts import ShiftPattern as Pattern
from oee.states import Category
from oee.timeline import Change, Interval, clip, tile, with_reasons


@dataclass(frozen=True)
class Clock:
    time_zone: str
    micro_stop_s: float
    patterns: list[Pattern]
    days_off: frozenset[date]


def line_clock(line: Line) -> Clock:
    clock = LineClock.objects.filter(line=line).first()
    return Clock(
        time_zone=clock.time_zone if clock else settings.TIME_ZONE,
        micro_stop_s=float(clock.micro_stop_s if clock else DEFAULT_MICRO_STOP_S),
        patterns=[pattern_of(p) for p in ShiftPattern.objects.filter(line=line)],
        days_off=frozenset(DayOff.objects.filter(line=line).values_list("day", flat=True)),
    )


def pattern_of(row: ShiftPattern) -> Pattern:
    return Pattern(
        name=row.name,
        start=row.start,
        hours=float(Decimal(row.hours)),
        weekdays=frozenset(int(d) for d in row.weekdays),
        breaks=tuple(
            Break(time.fromisoformat(b["start"]), int(b["minutes"])) for b in row.breaks or []
        ),
    )


def state_now(station: Station, at: datetime) -> str:
    """The category the station's last reported state puts it in at `at` (no data before any,
    and inside a connection gap of its bridge)."""
    if in_gap(station, at):
        return Category.NO_DATA
    category = (
        StateChange.objects.filter(station=station, at__lte=at)
        .order_by("-at", "-id")
        .values_list("category", flat=True)
        .first()
    )
    return category or Category.NO_DATA


def station_timeline(station: Station, start: datetime, end: datetime) -> list[Interval]:
    """The station's states tiling [start, end), stops with the PLC's reason code."""
    last = StateChange.objects.filter(station=station, at__lte=start).order_by("-at", "-id").first()
    inside = StateChange.objects.filter(station=station, at__gt=start, at__lt=end).order_by(
        "at", "id"
    )
    changes = [Change(c.at, c.category, c.plc_state) for c in ([last] if last else [])]
    changes += [Change(c.at, c.category, c.plc_state) for c in inside]
    reports = StopReasonReport.objects.filter(
        station=station, at__gte=start - timedelta(days=1), at__lt=end
    ).values_list("at", "code")
    gaps = station_gaps(station, start, end)
    return with_reasons(tile(changes, start, end, gaps), list(reports))


def planned_windows(clock: Clock, start: datetime, end: datetime) -> list[Window] | None:
    """Planned production time inside [start, end); None (all of it) without a calendar."""
    if not clock.patterns:
        return None
    windows = []
    for shift in shifts_between(clock.patterns, clock.time_zone, start, end, clock.days_off):
        for a, b in shift.planned():
            if b > start and a < end:
                windows.append((max(a, start), min(b, end)))
    return windows


@dataclass(frozen=True)
class Ended:
    """One operation that ended at the station: when, whether it passed first time, its product."""

    at: datetime
    good_first_time: bool
    product_id: int | None


def operations_ended(station: Station, start: datetime, end: datetime) -> list[Ended]:
    """The station's operations that ended in [start, end), in time order, in one query: a unit
    passed first time when it passed and failed no earlier operation at a station of the same
    kind."""
    failed_before = Operation.objects.filter(
        unit=OuterRef("unit"),
        station__kind=station.kind,
        result=OperationResult.FAILED,
        completed_at__lt=OuterRef("completed_at"),
    )
    rows = (
        Operation.objects.filter(station=station, completed_at__gte=start, completed_at__lt=end)
        .annotate(failed_before=Exists(failed_before))
        .order_by("completed_at", "id")
        .values_list("completed_at", "result", "failed_before", "unit__product_id")
    )
    return [
        Ended(at, result == OperationResult.PASSED and not failed, product)
        for at, result, failed, product in rows
        if at is not None
    ]


def unit_counts(
    station: Station,
    start: datetime,
    end: datetime,
    ended: list[Ended] | None = None,
    cycles: Mapping[int | None, float] | None = None,
) -> Counts:
    """Units whose operation at the station ended in the window, those passed at their first
    attempt there, and the ideal seconds they need (None when a product has no ideal cycle).
    `ended` may hold the operations of a wider window, read once for many groups."""
    if ended is None:
        inside = operations_ended(station, start, end)
    else:  # in time order (operations_ended): the window's part found by bisection
        inside = ended[
            bisect_left(ended, start, key=lambda e: e.at) : bisect_left(
                ended, end, key=lambda e: e.at
            )
        ]
    per_product: dict[int | None, int] = {}
    for e in inside:
        per_product[e.product_id] = per_product.get(e.product_id, 0) + 1
    return Counts(
        processed=len(inside),
        good_first_time=sum(e.good_first_time for e in inside),
        ideal_s=ideal_seconds(
            cycles if cycles is not None else ideal_cycles(station.kind), per_product
        )
        if inside
        else None,
    )


def ideal_cycles(kind: str) -> dict[int | None, float]:
    """Ideal seconds per unit at a station kind, by product (None: every product)."""
    return dict(IdealCycle.objects.filter(station_kind=kind).values_list("product_id", "seconds"))


def ideal_seconds(
    cycles: Mapping[int | None, float], per_product: Mapping[int | None, int]
) -> float | None:
    total = 0.0
    for product, count in per_product.items():
        seconds = cycles[product] if product in cycles else cycles.get(None)
        if seconds is None:
            return None  # never guess a product's speed
        total += seconds * count
    return total


@dataclass(frozen=True)
class Row:
    station: Station | None  # None: a line's row (periods.line_rows)
    group: str
    start: datetime
    end: datetime
    counts: Counts
    figures: Figures


Parts = dict[str, list[float]]  # Pareto key -> [stop seconds, stops]


def stretch(
    station: Station, clock: Clock, start: datetime, end: datetime
) -> tuple[list[Interval], list[Stop]]:
    """The station's timeline around [start, end) and the stops found over it. It reaches one
    micro-stop threshold beyond each edge (never past now), so a stop that crosses an edge is
    judged micro or not by its whole length, whichever window it is read in."""
    margin = min(timedelta(seconds=clock.micro_stop_s), MAX_MARGIN)
    lo, hi = start - margin, max(end, min(end + margin, timezone.now()))
    timeline = station_timeline(station, lo, hi)
    return timeline, stops(timeline, planned_windows(clock, lo, hi), clock.micro_stop_s)


def computed(
    station: Station,
    clock: Clock,
    spans: list[tuple[str, datetime, datetime]],
    *,
    with_parts: bool = False,
    with_counts: bool = True,
) -> list[tuple[Row, Parts]]:
    """Each span's OEE row (and, when asked, its stop seconds by Pareto key), computed from the
    stored changes, operations and reasons: one read of each for all the spans. Without counts
    (a Pareto needs none) the operations are not read and the rows have no units."""
    if not spans:
        return []
    first, last = spans[0][1], spans[-1][2]
    timeline, found = stretch(station, clock, first, last)
    ended = operations_ended(station, first, last) if with_counts else []
    cycles = ideal_cycles(station.kind) if with_counts else {}
    assigned = list(current_assignments(station, first, last)) if with_parts else []
    out = []
    for label, a, b in spans:
        n = bisect_right(found, a, key=lambda s: s.end)  # found: in time order, not overlapping
        here = []
        while n < len(found) and found[n].start < b:
            here.append(found[n])
            n += 1
        counts = unit_counts(station, a, b, ended, cycles)
        figures = oee_figures(
            clip(timeline, a, b), planned_windows(clock, a, b), counts, clock.micro_stop_s, here
        )
        parts: Parts = {}
        for stop in here if with_parts else []:
            whole = _station_stop(station, stop, None, assigned)
            for key, seconds in stop_parts(whole, a, b):
                entry = parts.setdefault(key, [0.0, 0])
                entry[0] += seconds
                entry[1] += 1
        out.append((Row(station, label, a, b, counts, figures), parts))
    return out


@dataclass(frozen=True)
class StationStop:
    station: Station
    start: datetime
    end: datetime
    duration_s: float
    category: str
    plc_state: str
    reason: str  # the PLC's own code
    micro_stop: bool
    plc_reason: DowntimeReason | None = None  # the tree's reason the PLC's code means
    assignments: tuple[StopAssignment, ...] = ()  # people's reasons in force, oldest first

    def covers(self) -> list[tuple[StopAssignment, datetime, datetime]]:
        """Each assignment with the part of this stop it covers: its own range, or, when it was
        given while the stop ran, on to the stop's end or the next assignment's start."""
        ordered = sorted(self.assignments, key=lambda a: (a.start, a.pk))
        out = []
        for n, a in enumerate(ordered):
            end = a.end
            if a.until_stop_end:
                later = [b.start for b in ordered[n + 1 :] if b.start > a.start]
                end = min([self.end, *later])
            start, end = max(a.start, self.start), min(end, self.end)
            if end > start:
                out.append((a, start, end))
        return out

    @property
    def unassigned_s(self) -> float:
        """Seconds of the stop with no reason from a person nor from the PLC's code."""
        if self.plc_reason is not None:
            return 0.0
        covered = sum((end - start).total_seconds() for _, start, end in self.covers())
        return max(self.duration_s - covered, 0.0)


def station_stops(
    station: Station,
    start: datetime,
    end: datetime,
    *,
    with_reasons: bool = False,
    clock: Clock | None = None,
) -> list[StationStop]:
    """The station's stops inside planned production time in [start, end), oldest first; with
    the reasons people and the PLC gave them when asked. `clock`: the line's, read once by a
    caller that asks for several stations."""
    clock = clock or line_clock(station.line)
    _, found = stretch(station, clock, start, end)
    plc = plc_reasons(station.kind) if with_reasons else {}
    assigned = list(current_assignments(station, start, end)) if with_reasons else []
    out = []
    for s in found:
        a, b = max(s.start, start), min(s.end, end)
        if b > a:
            piece = Stop(a, b, s.category, s.plc_state, s.reason, s.micro_stop)
            out.append(_station_stop(station, piece, plc.get(s.reason), assigned))
    return out


def _station_stop(
    station: Station, s: Stop, plc_reason: DowntimeReason | None, assigned: list[StopAssignment]
) -> StationStop:
    return StationStop(
        station,
        s.start,
        s.end,
        s.duration_s,
        s.category,
        s.plc_state,
        s.reason,
        s.micro_stop,
        plc_reason,
        tuple(a for a in assigned if a.start < s.end and a.end > s.start),
    )


def stop_parts(stop: StationStop, start: datetime, end: datetime) -> list[tuple[str, float]]:
    """The stop's seconds inside [start, end) by Pareto key: a person's reason for the part it
    covers ("reason:<code>"), the rest the PLC's code ("plc:<code>", the tree's reason it maps
    to is looked up when read) or "unassigned"; a micro-stop is all "micro"."""
    inside = (min(stop.end, end) - max(stop.start, start)).total_seconds()
    if inside <= 0:
        return []
    if stop.micro_stop:
        return [("micro", inside)]
    parts = []
    covered = 0.0
    for a, a_start, a_end in stop.covers():
        seconds = (min(a_end, end) - max(a_start, start)).total_seconds()
        if seconds > 0:
            covered += seconds
            parts.append((f"reason:{a.reason.code}", seconds))
    rest = inside - covered
    if rest > 0:
        parts.append((f"plc:{stop.reason}" if stop.reason else "unassigned", rest))
    return parts


def groups(
    clock: Clock, start: datetime, end: datetime, group_by: str
) -> Iterator[tuple[str, datetime, datetime]]:
    """(label, start, end) of each group inside [start, end), in time order."""
    zone = ZoneInfo(clock.time_zone)
    if group_by == "shift":
        for shift in shifts_between(clock.patterns, clock.time_zone, start, end, clock.days_off):
            yield _shift_label(shift), max(shift.start, start), min(shift.end, end)
    elif group_by in ("day", "hour"):
        step = timedelta(days=1) if group_by == "day" else timedelta(hours=1)
        local = start.astimezone(zone)
        at = (
            datetime.combine(local.date(), time(), tzinfo=zone)
            if group_by == "day"
            else local.replace(minute=0, second=0, microsecond=0)
        )
        while at.astimezone(UTC) < end:
            # A local day is 23, 24 or 25 hours: the next one starts at its own midnight.
            nxt = (
                datetime.combine(at.date() + step, time(), tzinfo=zone)
                if group_by == "day"
                else (at.astimezone(UTC) + step).astimezone(zone)
            )
            a, b = max(at.astimezone(UTC), start), min(nxt.astimezone(UTC), end)
            if b > a:
                yield at.strftime("%Y-%m-%d" if group_by == "day" else "%Y-%m-%dT%H:%M%z"), a, b
            at = nxt
    else:
        yield "", start, end


def _shift_label(shift: Shift) -> str:
    return f"{shift.day:%Y-%m-%d} {shift.name}"


def current_shift(clock: Clock, now: datetime) -> tuple[str, datetime]:
    """(name, start) of the shift running now, or of the local day when there is none."""
    for shift in shifts_between(clock.patterns, clock.time_zone, now - timedelta(days=1), now):
        if shift.start <= now < shift.end:
            return shift.name, shift.start
    zone = ZoneInfo(clock.time_zone)
    return "day", datetime.combine(now.astimezone(zone).date(), time(), tzinfo=zone)
