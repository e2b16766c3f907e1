"""Evaluating stored samples against their specs: flags for out-of-spec and unusable values, holds
for out-of-spec units, segment flags for out-of-spec metres of a roll.

Called by the telemetry ingest and by manual measurements with the samples they just stored.
Samples are grouped by series and by the spec version in force at their source time, and each
group is judged in one vectorised call (quality.evaluation.evaluate).
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, Max

from lines.choices import UnitKind
from lines.models import RouteStep, Sample, Station, Unit
from lines.services.common import User
from quality.choices import FlagKind
from quality.evaluation import ABOVE_USL, BELOW_LSL, DATA_QUALITY, Limits, distance_beyond, evaluate
from quality.models import Flag, Spec, SpecVersion
from quality.selectors.specs import VersionTimeline, recipe_for, spec_for
from quality.services.flags import flag_new, flags_raise
from quality.services.holds import hold_place
from quality.services.segments import SEGMENT_GAP_M, segment_flag

MAX_SAMPLE_IDS = 100  # a flag lists its first samples; the series itself stays in the sample table


@dataclass
class _Group:
    station: Station
    spec: Spec
    version: SpecVersion
    unit: Unit | None
    samples: list[Sample]


def _groups(samples: Sequence[Sample]) -> list[_Group]:
    """Split samples by series (station, parameter, unit), then by the spec version valid at each.

    The per-sample work is one tuple and one append on plain id attributes: relation descriptors
    and spec look-ups run once per series, not once per sample (100,000 samples per call).
    """
    series: dict[tuple, list[Sample]] = defaultdict(list)
    for sample in samples:
        series[(sample.station_id, sample.parameter, sample.unit_id)].append(sample)
    resolve = _SpecResolver()
    groups = []
    for members in series.values():
        station, unit = members[0].station, members[0].unit
        spec = resolve.spec(station, members[0].parameter, unit)
        if spec is None:
            continue  # a parameter with no spec yet is stored, not judged
        for version, in_force in resolve.split_by_version(spec, members):
            groups.append(_Group(station, spec, version, unit, in_force))
    return groups


class _SpecResolver:
    """Specs, recipes and version timelines, cached for the worker process.

    Specs change rarely and every ingest batch needs them: a few counts per evaluation call check
    that nothing changed (counts and newest ids of specs, versions and route steps), and the
    caches are dropped when something did.
    """

    _cache: dict[str, object] = {"token": None}

    def __init__(self) -> None:
        # The newest version's time, not only ids: SQLite reuses ids after a rollback.
        versions = SpecVersion.objects.aggregate(n=Max("id"), at=Max("valid_from"), c=Count("id"))
        steps = RouteStep.objects.aggregate(n=Max("id"), r=Count("recipe"))
        token = (
            Spec.objects.count(),
            versions["n"],
            versions["at"],
            versions["c"],
            steps["n"],
            steps["r"],
        )
        cache = _SpecResolver._cache
        if cache["token"] != token:
            cache.update(token=token, recipes={}, specs={}, timelines={})
        self.recipes: dict[tuple, int | None] = cache["recipes"]  # type: ignore[assignment]
        self.specs: dict[tuple, Spec | None] = cache["specs"]  # type: ignore[assignment]
        self.timelines: dict[int, VersionTimeline] = cache["timelines"]  # type: ignore[assignment]

    def spec(self, station: Station, parameter: str, unit: Unit | None) -> Spec | None:
        route_key = (unit.route_id if unit else None, station.kind)
        if route_key not in self.recipes:
            self.recipes[route_key] = recipe_for(route_id=route_key[0], station_kind=station.kind)
        key = (station.pk, parameter, self.recipes[route_key])
        if key not in self.specs:
            self.specs[key] = spec_for(station=station, parameter=parameter, recipe_id=key[2])
        return self.specs[key]

    def split_by_version(
        self, spec: Spec, members: list[Sample]
    ) -> list[tuple[SpecVersion, list[Sample]]]:
        if spec.pk not in self.timelines:
            self.timelines[spec.pk] = VersionTimeline(spec)
        timeline = self.timelines[spec.pk]
        by_version: dict[int, tuple[SpecVersion, list[Sample]]] = {}
        for sample in members:
            version = timeline.at(sample.source_time)
            if version is not None:  # a value from before the spec existed is not judged
                by_version.setdefault(version.pk, (version, []))[1].append(sample)
        return list(by_version.values())


@transaction.atomic
def samples_evaluate(*, samples: Sequence[Sample], by: User = None) -> list[Flag]:
    """Judge stored samples; raise flags; hold what the specs say to hold. Returns the new flags.

    Give the samples with `station` and `unit` loaded (select_related) to avoid a query each.
    """
    raised: list[Flag] = []
    for group in _groups(samples):
        raised.extend(_judge(group, by))
    return raised


def _judge(group: _Group, by: User) -> list[Flag]:
    version, spec = group.version, group.spec
    limits = Limits(lsl=version.lsl, usl=version.usl)
    values = np.array([math.nan if s.value is None else s.value for s in group.samples])
    statuses = np.array([s.status_code for s in group.samples], dtype=np.int64)
    usable = np.array([not s.rejected_reason for s in group.samples])
    verdicts = evaluate(values, statuses, limits, usable=usable)
    flags = []
    unusable = np.flatnonzero(verdicts == DATA_QUALITY)
    if unusable.size:
        flags.extend(flags_raise(flags=[_data_quality_flag(group, unusable)], by=by))
    bad = np.flatnonzero((verdicts == BELOW_LSL) | (verdicts == ABOVE_USL))
    if bad.size == 0:
        return flags
    distance = distance_beyond(values, verdicts, limits)
    positions = [group.samples[i].position_m for i in bad]
    if group.unit is not None and group.unit.kind == UnitKind.ROLL and None not in positions:
        return flags + _segment_flags(group, bad, values, verdicts, distance, limits, by)
    worst = bad[np.argmax(distance[bad])]
    flag = flags_raise(
        flags=[_flag(group, bad, values[worst], limits.describe(verdicts[worst]))], by=by
    )[0]
    if group.unit is not None and spec.holds_on_violation:
        hold_place(
            unit=group.unit,
            reason=f"{spec.parameter} {values[worst]:g} out of spec "
            f"({flag.limit}) at {group.station.code}",
            flag=flag,
            by=by,
        )
    return flags + [flag]


def _flag(group: _Group, picked: np.ndarray, value: float, limit: str, **extra) -> Flag:
    return flag_new(
        kind=FlagKind.OUT_OF_SPEC,
        station=group.station,
        parameter=group.spec.parameter,
        unit=group.unit,
        value=float(value),
        limit=limit,
        spec_version=group.version,
        severity=group.spec.severity,
        sample_ids=[group.samples[i].pk for i in picked[:MAX_SAMPLE_IDS]],
        **extra,
    )


def _data_quality_flag(group: _Group, picked: np.ndarray) -> Flag:
    first = group.samples[picked[0]]
    why = first.rejected_reason or (
        f"OPC UA status 0x{first.status_code:08X}" if first.status_code else "not a finite number"
    )
    finite = first.value is not None and math.isfinite(first.value)
    return flag_new(
        kind=FlagKind.DATA_QUALITY,
        station=group.station,
        parameter=group.spec.parameter,
        unit=group.unit,
        value=first.value if finite else None,
        spec_version=group.version,
        severity=group.spec.severity,
        limit="usable value",
        sample_ids=[group.samples[i].pk for i in picked[:MAX_SAMPLE_IDS]],
        detail=f"{picked.size} unusable value(s); first: {why}",
    )


def _segment_flags(group, bad, values, verdicts, distance, limits, by) -> list[Flag]:  # noqa: ANN001
    """One segment flag per run of out-of-spec metres (runs split where readings are far apart)."""
    order = bad[np.argsort([group.samples[i].position_m for i in bad])]
    positions = np.array([group.samples[i].position_m for i in order])
    breaks = np.flatnonzero(np.diff(positions) > SEGMENT_GAP_M) + 1
    flags = []
    for run in np.split(order, breaks):
        worst = run[np.argmax(distance[run])]
        where = (
            min(group.samples[i].position_m for i in run),
            max(group.samples[i].position_m for i in run),
        )
        if where[1] <= where[0]:
            where = (where[0], where[0] + 0.001)  # a single reading still marks a millimetre
        draft = _flag(group, run, values[worst], limits.describe(verdicts[worst]), position_m=where)
        flags.append(segment_flag(draft=draft, hold=group.spec.holds_on_violation, by=by))
    return flags


def after_ingest(*, samples: Sequence[Sample], raised: list[Flag]) -> None:
    """lines.hooks.AFTER_INGEST: judge a batch's stored samples; report the flags raised."""
    raised.extend(samples_evaluate(samples=samples))
