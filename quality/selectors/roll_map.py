"""A roll's metres judged per coating parameter: in spec, out of spec or no data per metre range,
with the flagged segments, the daughter rolls and the cells built from each range.

A lane slit from a mother roll has the mother's metres (lines.services.roll_split), so the
readings of a lane are those of its roll ancestors at the same metres.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lines.choices import UnitKind
from lines.models import GenealogyEdge, Station, Unit
from lines.selectors import samples, trace_backward
from quality.evaluation import DATA_QUALITY, IN_SPEC, Limits, evaluate
from quality.models import Flag
from quality.selectors.specs import VersionTimeline, spec_for

BINS = 100
NO_DATA, IN, OUT = "no_data", "in_spec", "out_of_spec"
CELLS_SHOWN = 40


@dataclass(frozen=True, slots=True)
class Bin:
    from_m: float
    to_m: float
    state: str
    readings: int


@dataclass
class Strip:
    """One parameter along the roll."""

    parameter: str
    station: str
    bins: list[Bin]
    out_count: int = 0


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of out-of-spec metres, or a flagged segment, and the cells built from it."""

    parameter: str
    from_m: float
    to_m: float
    cells: list[str]
    cell_count: int
    source: str  # "flag": a segment flag's metres; "readings": a run of out-of-spec ranges


@dataclass
class RollMap:
    roll: Unit
    length_m: float
    strips: list[Strip] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    daughters: list[Unit] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    cells_built: int = 0


def roll_map(*, roll: Unit, bins: int = BINS) -> RollMap:
    length = float(roll.quantity_initial)
    result = RollMap(roll=roll, length_m=length)
    sources = [roll.id] + [
        n.id for n in trace_backward(unit=roll).nodes.values() if n.kind == UnitKind.ROLL
    ]
    result.strips = _strips(sources, length, bins)
    result.flags = list(
        Flag.objects.filter(unit_id__in=sources, position_from_m__isnull=False)
        .select_related("station")
        .order_by("position_from_m")
    )
    result.daughters = list(
        Unit.objects.filter(parent_edges__parent=roll, kind=UnitKind.ROLL).order_by("identifier")
    )
    feeders = [roll.id] + [d.id for d in result.daughters]
    cell_edges = GenealogyEdge.objects.filter(parent_id__in=feeders, child__kind=UnitKind.CELL)
    result.cells_built = cell_edges.count()
    result.segments = _segments(result, cell_edges)
    return result


def _strips(sources: list[int], length: float, bins: int) -> list[Strip]:
    found = samples.samples(samples.Where(units=sources, positioned=True))
    found.sort(key=lambda s: (s.station_id or 0, s.parameter))  # stable: source time kept
    rows: list[tuple[Any, ...]] = [  # as the values_list it replaces gave them
        (
            s.station_id,
            s.parameter,
            s.position_m,
            s.value,
            s.status_code,
            s.rejected_reason,
            s.source_time,
        )
        for s in found
    ]
    series: dict[tuple[int, str], list[list[Any]]] = {}
    for station_id, parameter, *rest in rows:
        series.setdefault((station_id, parameter), []).append(rest)
    stations = Station.objects.in_bulk([s for s, _ in series])
    return [
        _strip(stations[station_id], parameter, readings, length, bins)
        for (station_id, parameter), readings in sorted(series.items(), key=lambda kv: kv[0][1])
    ]


def _strip(
    station: Station, parameter: str, readings: list[list[Any]], length: float, bins: int
) -> Strip:
    positions = np.array([r[0] for r in readings], dtype=np.float64)
    verdicts = _verdicts(station, parameter, readings)
    edges = np.linspace(0.0, length, bins + 1)
    which = np.clip(np.searchsorted(edges, positions, side="right") - 1, 0, bins - 1)
    judged = verdicts != DATA_QUALITY  # an unusable value is no reading of the coating
    counted = np.bincount(which[judged], minlength=bins)
    out = np.bincount(which[judged & (verdicts != IN_SPEC)], minlength=bins)
    strip = Strip(parameter=parameter, station=station.code, bins=[])
    for index in range(bins):
        state = NO_DATA if counted[index] == 0 else OUT if out[index] else IN
        strip.bins.append(
            Bin(float(edges[index]), float(edges[index + 1]), state, int(counted[index]))
        )
    strip.out_count = sum(1 for b in strip.bins if b.state == OUT)
    return strip


def _verdicts(station: Station, parameter: str, readings: list[list[Any]]) -> np.ndarray:
    """Each reading judged by the spec version in force at its time, as the ingest judged it:
    one vectorised evaluation per version."""
    values = np.array([np.nan if r[1] is None else r[1] for r in readings], dtype=np.float64)
    status = np.array([r[2] for r in readings], dtype=np.int64)
    usable = np.array([r[3] == "" for r in readings], dtype=bool)
    spec = spec_for(station=station, parameter=parameter)
    versions = VersionTimeline(spec).versions if spec else []
    starts = np.array([v.valid_from.timestamp() for v in versions], dtype=np.float64)
    times = np.array([r[4].timestamp() for r in readings], dtype=np.float64)
    in_force = np.searchsorted(starts, times, side="right") - 1
    verdicts = np.full(values.shape, IN_SPEC, dtype=np.int8)
    for index in np.unique(in_force):
        mask = in_force == index
        version = versions[index] if index >= 0 else None
        limits = Limits(version.lsl, version.usl) if version else Limits()
        verdicts[mask] = evaluate(values[mask], status[mask], limits, usable=usable[mask])
    return verdicts


def _runs(strip: Strip) -> list[tuple[float, float]]:
    runs: list[tuple[float, float]] = []
    for b in strip.bins:
        if b.state != OUT:
            continue
        if runs and runs[-1][1] == b.from_m:
            runs[-1] = (runs[-1][0], b.to_m)
        else:
            runs.append((b.from_m, b.to_m))
    return runs


def _segments(result: RollMap, cell_edges) -> list[Segment]:  # noqa: ANN001
    ranges = [(s.parameter, lo, hi, "readings") for s in result.strips for lo, hi in _runs(s)]
    ranges += [
        (f.parameter, f.position_from_m, f.position_to_m, "flag")
        for f in result.flags
        if f.position_from_m is not None and f.position_to_m is not None  # as queried
    ]
    segments = []
    for parameter, lo, hi, source in sorted(set(ranges), key=lambda r: (r[1], r[3], r[0])):
        built = cell_edges.filter(position_from_m__lt=hi, position_to_m__gt=lo)
        names = list(
            built.order_by("position_from_m").values_list("child__identifier", flat=True)[
                :CELLS_SHOWN
            ]
        )
        segments.append(Segment(parameter, lo, hi, names, built.count(), source))
    return segments


@dataclass(frozen=True)
class WholeRollFlag:
    """A flag on the roll with no metres (a manual measurement, or a reading without the metre
    counter): it holds the whole roll, so the map shows it beside the metres."""

    flag: Flag
    source: str  # lines SampleSource of its first reading ("manual", "plc"), "" when none


def whole_roll_flags(*, roll: Unit) -> list[WholeRollFlag]:
    flags = list(
        Flag.objects.filter(unit=roll, position_from_m__isnull=True)
        .select_related("station")
        .prefetch_related("holds")
        .order_by("raised_at", "id")
    )
    first_ids = {f.pk: f.sample_ids[0] for f in flags if f.sample_ids}
    read = samples.samples(samples.Where(ids=list(first_ids.values())))
    sources = {s.pk: s.source for s in read}
    return [
        WholeRollFlag(f, sources.get(first_ids[f.pk], "") if f.pk in first_ids else "")
        for f in flags
    ]
