"""OEE rows and Pareto parts by period, read from the stored periods where they are kept and
computed (and kept) where not (docs/oee.md, "Stored periods").

A period is a shift of the line's calendar, or a local day when the line has none. A period that
ended more than one micro-stop threshold ago is kept in PeriodSummary the first time it is read;
every write that could change it removes it (oee/services/period_summaries.py). So a month's
per-shift table reads 90 rows per station, and a year's Pareto a thousand, whatever the number of
state changes behind them.
"""

from dataclasses import asdict
from datetime import datetime, timedelta

from django.utils import timezone

from lines.models import Station
from oee.figures import Counts, Figures, combined
from oee.models import PeriodSummary
from oee.selectors.machine_time import Clock, Parts, Row, computed, groups, line_clock

Span = tuple[str, datetime, datetime]


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
    return [row for row, _ in by_period(station, clock, spans)]


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


def station_parts(station: Station, clock: Clock, start: datetime, end: datetime) -> list[Parts]:
    """The station's stop seconds by Pareto key in each period of [start, end)."""
    spans = list(groups(clock, start, end, period_kind(clock)))
    return [parts for _, parts in by_period(station, clock, spans)]


def by_period(station: Station, clock: Clock, spans: list[Span]) -> list[tuple[Row, Parts]]:
    """Rows and parts of the spans (periods in time order, the first and last maybe cut by the
    window): whole, ended periods from the stored ones, the rest computed; whole ended periods
    computed here are kept."""
    if not spans:
        return []
    settled = timezone.now() - timedelta(seconds=clock.micro_stop_s)
    day = timedelta(days=1)
    periods = {
        (a, b)
        for _, a, b in groups(clock, spans[0][1] - day, spans[-1][2] + day, period_kind(clock))
    }
    keepable = {s for s in spans if (s[1], s[2]) in periods and s[2] <= settled}
    stored = {
        p.start: p
        for p in PeriodSummary.objects.filter(
            station=station, start__in=[a for _, a, _ in keepable]
        )
    }
    found = {
        s: _from_stored(station, s, stored[s[1]])
        for s in keepable
        if s[1] in stored and stored[s[1]].end == s[2]
    }
    fresh: dict[Span, tuple[Row, Parts]] = {}
    for run in _runs([s for s in spans if s not in found]):
        fresh.update(zip(run, computed(station, clock, run, with_parts=True), strict=True))
    _keep(station, [(s, fresh[s]) for s in spans if s in fresh and s in keepable])
    return [found[s] if s in found else fresh[s] for s in spans]


def _runs(spans: list[Span]) -> list[list[Span]]:
    """Spans that follow each other without a gap, together: one read of the stored changes for
    each run, never one over the year for two days at its ends."""
    runs: list[list[Span]] = []
    for span in spans:
        if runs and runs[-1][-1][2] >= span[1] - timedelta(hours=12):
            runs[-1].append(span)
        else:
            runs.append([span])
    return runs


def _keep(station: Station, rows: list[tuple[Span, tuple[Row, Parts]]]) -> None:
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
    # Two readers may compute the same period at once: the first one's row stands.
    PeriodSummary.objects.bulk_create(summaries, ignore_conflicts=True)


def _from_stored(station: Station, span: Span, p: PeriodSummary) -> tuple[Row, Parts]:
    counts = Counts(p.processed, p.good_first_time, p.ideal_s)
    return Row(station, span[0], p.start, p.end, counts, Figures(**p.figures)), dict(p.pareto)
