"""OEE rows and Pareto parts by period, read from the stored periods where they are kept and
computed (and kept) where not (docs/oee.md, "Stored periods").

A period is a shift of the line's calendar, or a local day when the line has none. A period that
ended more than 20 minutes ago is kept in PeriodSummary the first time it is read; every write
that could change it removes it (oee/services/period_summaries.py). So a month's per-shift table
reads 90 rows per station, and a year's Pareto about a thousand, whatever the number of state
changes behind them.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone

from lines.models import Station
from oee.figures import Counts, Figures, combined
from oee.models import PeriodStamp, PeriodSummary
from oee.models.summaries import KEEP_AFTER
from oee.selectors.machine_time import Clock, Parts, Row, computed, groups, line_clock

Span = tuple[str, datetime, datetime]


@dataclass(frozen=True)
class Period:
    row: Row | None  # None when only the parts were asked for and the period was kept
    parts: Parts


def period_kind(clock: Clock) -> str:
    return "shift" if clock.patterns else "day"


def station_figures(
    station: Station, start: datetime, end: datetime, group_by: str = "", clock: Clock | None = None
) -> list[Row]:
    """OEE rows of one station: one for the window, or one per shift, local day or hour."""
    clock = clock or line_clock(station.line)
    spans = list(groups(clock, start, end, group_by))
    if group_by != period_kind(clock):
        return [row for row, _ in computed(station, clock, spans)]
    periods = by_period([station], clock, spans, parts=False)[station.pk]
    return [p.row for p in periods if p.row is not None]


def line_rows(rows: list[Row]) -> list[Row]:
    """One row per group of the stations' rows: their seconds and counts summed (combined())."""
    by_group: dict[tuple[str, datetime, datetime], list[Row]] = {}
    for row in rows:
        by_group.setdefault((row.group, row.start, row.end), []).append(row)
    out = []
    for (group, start, end), together in by_group.items():
        figures, counts = combined([(r.figures, r.counts) for r in together])
        out.append(Row(None, group, start, end, counts, figures))
    return out


def stations_parts(
    stations: Sequence[Station], clock: Clock, start: datetime, end: datetime
) -> dict[int, list[Parts]]:
    """Each station's stop seconds by Pareto key, period by period over [start, end)."""
    spans = list(groups(clock, start, end, period_kind(clock)))
    periods = by_period(stations, clock, spans, parts=True)
    return {pk: [p.parts for p in found] for pk, found in periods.items()}


ROW_FIELDS = ("figures", "processed", "good_first_time", "ideal_s")


def by_period(
    stations: Sequence[Station], clock: Clock, spans: list[Span], *, parts: bool
) -> dict[int, list[Period]]:
    """Per station, the spans' rows (or, with `parts`, their Pareto parts): whole ended
    periods from the kept ones, in one read for all the stations; the rest computed. Whole
    ended periods computed here are kept, with both their row and their parts."""
    if not spans:
        return {s.pk: [] for s in stations}
    settled = timezone.now() - KEEP_AFTER
    day = timedelta(days=1)
    every = groups(clock, spans[0][1] - day, spans[-1][2] + day, period_kind(clock))
    periods = {(a, b) for _, a, b in every}
    keepable = {s for s in spans if (s[1], s[2]) in periods and s[2] <= settled}
    # Counted before anything is read: what is computed below is kept only if no write removed
    # a period of the station meanwhile (oee/services/period_summaries.py).
    stamps = _stamps(stations) if keepable else {}
    fields = ("pareto",) if parts else ROW_FIELDS
    stored: dict[tuple[int, datetime], dict[str, Any]] = {
        (kept["station_id"], kept["start"]): kept
        for kept in PeriodSummary.objects.filter(
            station__in=stations, start__in=[a for _, a, _ in keepable]
        ).values("station_id", "start", "end", *fields)
    }
    out: dict[int, list[Period]] = {}
    for station in stations:
        found: dict[Span, Period] = {}
        for span in spans:
            kept = stored.get((station.pk, span[1]))
            if span in keepable and kept is not None and kept["end"] == span[2]:
                found[span] = _from_stored(station, span, kept, parts)
        missing = [s for s in spans if s not in found]
        fresh: list[tuple[Span, tuple[Row, Parts]]] = []
        for run in _runs([s for s in missing if s in keepable]):
            fresh += zip(run, computed(station, clock, run, with_parts=True), strict=True)
        _keep(station, fresh, stamps.get(station.pk, 0))
        for run in _runs([s for s in missing if s not in keepable]):
            fresh += zip(
                run,
                computed(station, clock, run, with_parts=parts, with_counts=not parts),
                strict=True,
            )
        found.update((span, Period(row, got)) for span, (row, got) in fresh)
        out[station.pk] = [found[s] for s in spans]
    return out


def _runs(spans: list[Span]) -> list[list[Span]]:
    """Spans that follow each other (a gap of less than 12 h: a night without shifts), together:
    one read of the stored changes for each run, never one over the year for its two ends."""
    runs: list[list[Span]] = []
    for span in spans:
        if runs and runs[-1][-1][2] >= span[1] - timedelta(hours=12):
            runs[-1].append(span)
        else:
            runs.append([span])
    return runs


def _stamps(stations: Sequence[Station]) -> dict[int, int]:
    pks = [s.pk for s in stations]
    PeriodStamp.objects.bulk_create(
        [PeriodStamp(station_id=pk) for pk in pks], ignore_conflicts=True
    )  # a station made before stamps existed, or in bulk
    return dict(PeriodStamp.objects.filter(station_id__in=pks).values_list("station", "removals"))


def _keep(station: Station, rows: list[tuple[Span, tuple[Row, Parts]]], before: int) -> None:
    if not rows:
        return
    summaries = [
        PeriodSummary(
            station=station,
            start=row.start,
            end=row.end,
            label=row.group,
            figures=asdict(row.figures),
            processed=row.counts.processed,
            good_first_time=row.counts.good_first_time,
            ideal_s=row.counts.ideal_s,
            pareto=parts,
        )
        for _, (row, parts) in rows
    ]
    try:
        with transaction.atomic():
            # Waits for a write that is removing periods of the station to commit, then sees it.
            now = (
                PeriodStamp.objects.select_for_update(no_key=True)
                .filter(station=station)
                .values_list("removals", flat=True)
                .first()
            )
            if now != before:
                return  # computed from what a late write changed meanwhile: not kept
            # Two readers may compute the same period at once: the first one's row stands.
            PeriodSummary.objects.bulk_create(summaries, ignore_conflicts=True)
    except DatabaseError:
        return  # a cache: what could not be kept now is computed again on the next read


def _from_stored(station: Station, span: Span, kept: dict[str, Any], parts: bool) -> Period:
    if parts:
        return Period(None, dict(kept["pareto"]))
    counts = Counts(kept["processed"], kept["good_first_time"], kept["ideal_s"])
    row = Row(station, span[0], kept["start"], kept["end"], counts, Figures(**kept["figures"]))
    return Period(row, {})
