"""One station parameter's usable values over a window, hot rows and compacted segments as one.

Two reads (docs/telemetry.md, "Long-range series"):
- series_extremes: at most N buckets of (start, min, max, count) for a chart. Extremes are kept,
  never averaged: a one-sample spike shows at any zoom. Compacted time is read from the segment
  rows' per-minute summaries (`minutes`) and their whole-segment value_min/value_max, without
  decoding a sample; hot time is aggregated in SQL (GROUP BY bucket, PostgreSQL and SQLite).
- series_points: every usable point, for statistics (SPC), decoded from segments where needed.

"Usable" is lines.selectors.telemetry.usable_samples' rule (accepted, Good, finite within the
ingest's bound) on hot rows and lines.sample_segments.usable_mask on decoded segments; the
segment summaries were computed with the latter.

Hot rows are read before segments: a compaction committing between the two reads moves samples
from rows into segments, so every sample is seen at least once; series_points drops the sample
read twice by its id, series_extremes' count may then include it twice (its min and max are
still exact).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db.models import Count, F, Func, IntegerField, Max, Min, QuerySet, Sum

from lines import sample_segments as ss
from lines import telemetry_codec as codec
from lines.models import Sample, SampleSegment, Station
from lines.models.telemetry_segment import BUCKET_SECONDS
from lines.selectors.telemetry import usable_samples

MINUTE_US = 60_000_000
SEGMENT_US = BUCKET_SECONDS * 1_000_000


@dataclass(frozen=True)
class Bucket:
    start: datetime
    min: float
    max: float
    count: int


@dataclass(frozen=True)
class Extremes:
    width: timedelta  # of every bucket; buckets start at the epoch plus a multiple of it
    buckets: list[Bucket]  # non-empty ones only, oldest first


@dataclass(frozen=True)
class Points:
    ids: np.ndarray  # int64 sample ids
    times: np.ndarray  # int64 source time, microseconds since the epoch (UTC)
    values: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.ids)


def bucket_width_us(since: datetime, until: datetime, points: int) -> int:
    """The narrowest width (a whole number of minutes when a minute or more, else of
    microseconds) whose grid, anchored at the epoch, covers [since, until) in at most `points`
    buckets."""
    start, end = ss.microseconds(since), ss.microseconds(until)
    span = max(end - start, 1)
    width = max(-(-span // points), 1)
    if width >= MINUTE_US:
        width = -(-width // MINUTE_US) * MINUTE_US
    step = MINUTE_US if width >= MINUTE_US else 1
    while (end - 1) // width - start // width + 1 > points:
        # At most a step or two: the grid's first cell may begin before `since`.
        width += step if step == MINUTE_US else max(width // 1000, 1)
    return width


def series_extremes(
    station: Station, parameter: str, since: datetime, until: datetime, *, points: int = 1000
) -> Extremes:
    """The usable values of [since, until) as at most `points` buckets of (start, min, max,
    count), empty buckets left out.

    Edge rule: bucket k holds the values with source time in [epoch + k*w, epoch + (k+1)*w),
    w from bucket_width_us; the window's ends clip the first and last bucket (half-open, as the
    API's time filters). When w is a minute or more every edge is a whole minute, so a segment's
    minute summaries fall wholly in one bucket and the figures are exact: each bucket's min,
    max and count equal a brute force over the raw usable points in it. A segment the window
    cuts (one at each end, at most) is decoded, so a window starting or ending mid-minute is
    exact too. A bucket narrower than a minute (a window shorter than `points` minutes) cuts
    through minutes: every segment of the window is then decoded.
    """
    width = bucket_width_us(since, until, points)
    start, end = ss.microseconds(since), ss.microseconds(until)
    cells: dict[int, list[float]] = {}  # cell -> [min, max, count]

    def add(cell: int, lo: float, hi: float, n: int) -> None:
        found = cells.get(cell)
        if found is None:
            cells[cell] = [lo, hi, n]
        else:
            found[0] = min(found[0], lo)
            found[1] = max(found[1], hi)
            found[2] += n

    rows = _hot(station, parameter, since, until)
    for cell, lo, hi, n in (
        rows.annotate(cell=_CellOf("source_time", width=width))
        .values("cell")
        .annotate(lo=Min("value"), hi=Max("value"), n=Count("id"))
        .values_list("cell", "lo", "hi", "n")
    ):
        add(int(cell), float(lo), float(hi), int(n))

    segments = _segments(station, parameter, since, until).filter(usable__gt=0)
    clipped = segments
    if width >= MINUTE_US:
        # Segments wholly in the window: those within one bucket are summed in SQL from their
        # value_min/value_max, the others (crossing a bucket edge) by their minutes.
        inside = segments.filter(first_time__gte=since, last_time__lt=until).annotate(
            first_cell=_CellOf("first_time", width=width),
            last_cell=_CellOf("last_time", width=width),
        )
        whole = (
            inside.filter(first_cell=F("last_cell"))
            .order_by()  # else the ordering joins the GROUP BY
            .values("first_cell")
            .annotate(lo=Min("value_min"), hi=Max("value_max"), n=Sum("usable"))
            .values_list("first_cell", "lo", "hi", "n")
        )
        for cell, lo, hi, n in whole:
            add(int(cell), float(lo), float(hi), int(n))
        crossing = inside.exclude(first_cell=F("last_cell")).values_list("bucket", "minutes")
        for bucket, minutes in crossing:
            base = ss.microseconds(bucket)
            for offset, m_lo, m_hi, m_n in minutes:
                add((base + offset * MINUTE_US) // width, m_lo, m_hi, m_n)
        clipped = segments.exclude(first_time__gte=since, last_time__lt=until)
    for seg in _decoded(clipped):
        keep = ss.usable_mask(seg) & (seg.source_us >= start) & (seg.source_us < end)
        _add_points(add, seg.source_us[keep], seg.value[keep], width)

    buckets = [
        Bucket(ss.moment_of(cell * width), lo, hi, int(n))
        for cell, (lo, hi, n) in sorted(cells.items())
    ]
    return Extremes(width=timedelta(microseconds=width), buckets=buckets)


def series_points(
    station: Station,
    parameter: str,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    newest: int | None = None,
) -> Points:
    """Every usable point of since <= source time <= until (either end open when None), hot and
    compacted (decoded), in (source time, id) order: what statistics are computed from. With
    `newest`, only that many of the newest, and only the segments that can hold them are
    decoded."""
    hot = _hot(station, parameter, since, until, closed=True)
    if newest is not None:
        hot = hot.order_by("-source_time", "-id")[:newest]
    # Times as integer microseconds from the database: no datetime is built per row.
    found = list(hot.annotate(us=_CellOf("source_time", width=1)).values_list("id", "us", "value"))
    ids = [np.array([r[0] for r in found], dtype=np.int64)]
    times = [np.array([r[1] for r in found], dtype=np.int64)]
    values = [np.array([r[2] for r in found], dtype=np.float64)]

    segments = _segments(station, parameter, since, until, closed=True).filter(usable__gt=0)
    if newest is not None:
        # The newest segments holding `newest` usable points start at `oldest`: the newest
        # `newest` points are all at or after it, so older segments need no decoding.
        # Only a segment wholly in the window counts towards them.
        total, oldest = 0, None
        walk = segments.order_by("-last_time").values_list("first_time", "last_time", "usable")
        for first, last, usable in walk:
            oldest = first if oldest is None else min(oldest, first)
            if (since is None or first >= since) and (until is None or last <= until):
                total += usable
            if total >= newest:
                segments = segments.filter(last_time__gte=oldest)
                break
    lo = ss.microseconds(since) if since else None
    hi = ss.microseconds(until) if until else None
    for seg in _decoded(segments):
        keep = ss.usable_mask(seg)
        if lo is not None:
            keep &= seg.source_us >= lo
        if hi is not None:
            keep &= seg.source_us <= hi
        ids.append(seg.id[keep])
        times.append(seg.source_us[keep])
        values.append(seg.value[keep])

    all_ids, all_times, all_values = (
        np.concatenate(ids),
        np.concatenate(times),
        np.concatenate(values),
    )
    finite = np.isfinite(all_values)  # the SQL filter's test once more, as SPC always did
    all_ids, all_times, all_values = all_ids[finite], all_times[finite], all_values[finite]
    order = np.lexsort((all_ids, all_times))
    all_ids, all_times, all_values = all_ids[order], all_times[order], all_values[order]
    # A sample read as a row and again in its segment (a compaction committed in between): the
    # same id at the same time, so next to each other once sorted.
    again = np.zeros(len(all_ids), dtype=bool)
    again[1:] = all_ids[1:] == all_ids[:-1]
    all_ids, all_times, all_values = all_ids[~again], all_times[~again], all_values[~again]
    if newest is not None:
        all_ids, all_times, all_values = (
            all_ids[-newest:],
            all_times[-newest:],
            all_values[-newest:],
        )
    return Points(ids=all_ids, times=all_times, values=all_values)


def datetimes(times_us: np.ndarray) -> list[datetime]:
    """Microseconds since the epoch as aware UTC datetimes."""
    return [t.replace(tzinfo=UTC) for t in times_us.astype("datetime64[us]").astype(object)]


# ----- reads -----------------------------------------------------------------------------------


def _hot(
    station: Station,
    parameter: str,
    since: datetime | None,
    until: datetime | None,
    *,
    closed: bool = False,
) -> QuerySet[Sample]:
    rows = usable_samples(Sample.objects.filter(station=station, parameter=parameter))
    if since is not None:
        rows = rows.filter(source_time__gte=since)
    if until is not None:
        rows = rows.filter(source_time__lte=until) if closed else rows.filter(source_time__lt=until)
    return rows.order_by()


def _segments(
    station: Station,
    parameter: str,
    since: datetime | None,
    until: datetime | None,
    *,
    closed: bool = False,
) -> QuerySet[SampleSegment]:
    segments = SampleSegment.objects.filter(station=station, parameter=parameter)
    if since is not None:
        segments = segments.filter(last_time__gte=since)
    if until is not None:
        segments = (
            segments.filter(first_time__lte=until)
            if closed
            else segments.filter(first_time__lt=until)
        )
    return segments.order_by("bucket")


def _decoded(segments: QuerySet[SampleSegment]) -> list[codec.Segment]:
    return [codec.decode(bytes(data)) for data in segments.values_list("data", flat=True)]


def _add_points(add: Any, times: np.ndarray, values: np.ndarray, width: int) -> None:
    if not len(times):
        return
    cell = times // width
    order = np.argsort(cell, kind="stable")
    cell, values = cell[order], values[order]
    edges = np.flatnonzero(np.diff(cell)) + 1
    starts = np.concatenate(([0], edges))
    lows = np.minimum.reduceat(values, starts)
    highs = np.maximum.reduceat(values, starts)
    counts = np.diff(np.concatenate((starts, [len(values)])))
    for c, lo, hi, n in zip(cell[starts], lows, highs, counts, strict=True):
        add(int(c), float(lo), float(hi), int(n))


class _CellOf(Func):
    """floor(source time in microseconds since the epoch / width), on PostgreSQL and SQLite.

    Integer arithmetic throughout (a numeric or float division could round a time onto the next
    bucket); `x - ((x % w) + w) % w` is the floor also for times before 1970, where SQL's `/` and
    `%` truncate towards zero.
    """

    output_field = IntegerField()

    def __init__(self, expression: str, *, width: int) -> None:
        super().__init__(expression)
        self.width = int(width)

    def _sql(self, micros: str, params: list[Any]) -> tuple[str, list[Any]]:
        w = self.width  # an int we computed, not user text
        # `%%`: the driver's placeholder syntax makes a literal % a doubled one.
        return f"((({micros}) - (((({micros}) %% {w}) + {w}) %% {w})) / {w})", params * 3

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        return self._sql(f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint", list(params))

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC. SQLite's date functions work in
        # milliseconds (and round: '...:26.999850' is second 27), so the whole seconds are
        # taken from the text without its fraction and the microseconds from the fraction.
        column, params = compiler.compile(self.source_expressions[0])
        micros = (
            f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
            f" + COALESCE(CAST(NULLIF(substr({column}, 21, 6), '') AS INTEGER), 0))"
        )
        return self._sql(micros, list(params) * 2)
