"""Evaluating stored samples against their specs: flags for out-of-spec and unusable values, holds
for out-of-spec units, segment flags for out-of-spec metres of a roll.

Called by the telemetry ingest with a batch's rows as columns, and by manual measurements with
the Sample objects they just stored. Values are grouped by series and by the spec version in
force at their source time (quality.services.evaluation_groups), and each group is judged in one
vectorised call (quality.evaluation.evaluate).
"""

import math
from collections.abc import Sequence

import numpy as np
from django.db import transaction

from lines.choices import UnitKind
from lines.ingest.columns import SampleColumns
from lines.models import Sample
from mes.actors import Actor
from quality.choices import FlagKind
from quality.evaluation import ABOVE_USL, BELOW_LSL, DATA_QUALITY, Limits, distance_beyond, evaluate
from quality.models import Flag
from quality.reasons import system_reason
from quality.services.evaluation_groups import Group, groups_of_rows, groups_of_samples
from quality.services.flags import flag_new, flags_raise
from quality.services.holds import hold_place
from quality.services.segments import SEGMENT_GAP_M, segment_flag

MAX_SAMPLE_IDS = 100  # a flag lists its first samples; the series itself stays in the sample table


# No savepoint when nested (the ingest calls these in its batch's transaction, several times a
# batch): nothing catches their errors to go on, so a failure rolls back the caller's whole
# transaction anyway, and a savepoint was two statements per call for nothing.
@transaction.atomic(savepoint=False)
def samples_evaluate(*, samples: Sequence[Sample], by: Actor = None) -> list[Flag]:
    """Judge stored samples; raise flags; hold what the specs say to hold. Returns the new flags.

    Give the samples with `station` and `unit` loaded (select_related) to avoid a query each.
    """
    return _judge_all(groups_of_samples(samples), by)


@transaction.atomic(savepoint=False)
def rows_evaluate(*, rows: SampleColumns, by: Actor = None) -> list[Flag]:
    """samples_evaluate for an ingest batch's stored rows (lines.ingest.SampleColumns)."""
    return _judge_all(groups_of_rows(rows), by)


def _judge_all(groups: list[Group], by: Actor) -> list[Flag]:
    raised: list[Flag] = []
    for group in groups:
        raised.extend(_judge(group, by))
    return raised


def _judge(group: Group, by: Actor) -> list[Flag]:
    version, spec = group.version, group.spec
    limits = Limits(lsl=version.lsl, usl=version.usl)
    values = group.values
    usable = np.array([not reason for reason in group.reasons], dtype=bool)
    verdicts = evaluate(values, group.statuses, limits, usable=usable)
    flags = []
    unusable = np.flatnonzero(verdicts == DATA_QUALITY)
    if unusable.size:
        flags.extend(flags_raise(flags=[_data_quality_flag(group, unusable)], by=by))
    bad = np.flatnonzero((verdicts == BELOW_LSL) | (verdicts == ABOVE_USL))
    if bad.size == 0:
        return flags
    distance = distance_beyond(values, verdicts, limits)
    placed = not np.isnan(group.positions[bad]).any()
    if group.unit is not None and group.unit.kind == UnitKind.ROLL and placed:
        return flags + _segment_flags(group, bad, values, verdicts, distance, limits, by)
    worst = bad[np.argmax(distance[bad])]
    flag = flags_raise(
        flags=[_flag(group, bad, values[worst], limits.describe(verdicts[worst]))], by=by
    )[0]
    if group.unit is not None and spec.holds_on_violation:
        hold_place(
            unit=group.unit,
            reason=system_reason(
                "out_of_spec",
                parameter=spec.parameter,
                value=f"{values[worst]:g}",
                limit=flag.limit,
                station=group.station.code,
            ),
            flag=flag,
            by=by,
        )
    return flags + [flag]


def _flag(group: Group, picked: np.ndarray, value: float, limit: str, **extra) -> Flag:
    return flag_new(
        kind=FlagKind.OUT_OF_SPEC,
        station=group.station,
        parameter=group.spec.parameter,
        unit=group.unit,
        value=float(value),
        limit=limit,
        spec_version=group.version,
        severity=group.spec.severity,
        sample_ids=group.ids[picked[:MAX_SAMPLE_IDS]].tolist(),
        **extra,
    )


def _data_quality_flag(group: Group, picked: np.ndarray) -> Flag:
    first = int(picked[0])
    value, status = float(group.values[first]), int(group.statuses[first])
    if group.reasons[first]:
        why = system_reason("unusable_rejected", count=picked.size, why=group.reasons[first])
    elif status:
        why = system_reason("unusable_status", count=picked.size, status=f"0x{status:08X}")
    else:
        why = system_reason("unusable_not_finite", count=picked.size)
    finite = math.isfinite(value)  # NaN also stands for no value at all
    return flag_new(
        kind=FlagKind.DATA_QUALITY,
        station=group.station,
        parameter=group.spec.parameter,
        unit=group.unit,
        value=value if finite else None,
        spec_version=group.version,
        severity=group.spec.severity,
        limit="usable value",
        sample_ids=group.ids[picked[:MAX_SAMPLE_IDS]].tolist(),
        detail=why,
    )


def _segment_flags(group, bad, values, verdicts, distance, limits, by) -> list[Flag]:  # noqa: ANN001
    """One segment flag per run of out-of-spec metres (runs split where readings are far apart)."""
    order = bad[np.argsort(group.positions[bad])]
    positions = group.positions[order]
    breaks = np.flatnonzero(np.diff(positions) > SEGMENT_GAP_M) + 1
    flags = []
    for run in np.split(order, breaks):
        worst = run[np.argmax(distance[run])]
        where = (float(group.positions[run].min()), float(group.positions[run].max()))
        if where[1] <= where[0]:
            where = (where[0], where[0] + 0.001)  # a single reading still marks a millimetre
        draft = _flag(group, run, values[worst], limits.describe(verdicts[worst]), position_m=where)
        flags.append(segment_flag(draft=draft, hold=group.spec.holds_on_violation, by=by))
    return flags


def after_ingest(*, rows: SampleColumns, raised: list[Flag]) -> None:
    """lines.hooks.AFTER_INGEST: judge a batch's stored rows; report the flags raised."""
    raised.extend(rows_evaluate(rows=rows))
