"""Pressure history per cell: when a cell's operation at the press or the formation fixture has
ended, its profile's figures are recorded and stored as derived samples of the cell, which the
evaluation judges against their specs (flags, holds) and gates require like any measurement.

Runs after each ingest batch (lines.hooks.AFTER_INGEST) for operations of the batch's stations
that ended within LOOKBACK and have no profile yet; `pressure_profile_record` may be called for
any ended operation. The figures are conditions.pressure; docs/solid-state.md has the rules.
"""

from dataclasses import replace
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from conditions.models import PressureProfile
from conditions.pressure import PROFILES, ProfileFigures, profile_figures
from conditions.selectors.pressure import readings_during
from lines.ingest.columns import SampleColumns
from lines.models import Operation, Recipe, Sample
from lines.selectors import is_usable_value
from mes.actors import Actor
from quality.models import Flag
from quality.selectors.spec_cache import SpecResolver
from quality.services.audit import audit_record, snapshot
from quality.services.evaluate import samples_evaluate

LOOKBACK = timedelta(hours=1)  # operations that ended this long before a batch's first reading
# No press or formation operation lasts longer: bounds the look-up on the (station, started_at)
# index, so it reads the last week's operations, not the station's whole history.
LONGEST_OPERATION = timedelta(days=7)
DERIVED_NODE = "derived:pressure_profile"  # node_id of derived samples: no PLC node sent them
READ_PARAMETERS = frozenset(
    name
    for profile in PROFILES.values()
    for key in ("pressure", "temperature", "hold_time")
    if (name := profile[key])
)
PROFILE_FIELDS = (
    "unit",
    "station",
    "started_at",
    "ended_at",
    "readings",
    "threshold_mpa",
    "threshold_source",
    "time_at_pressure_s",
    "peak_pressure_mpa",
    "min_pressure_mpa",
    "peak_temperature_c",
    "plc_hold_time_s",
)


def pressure_threshold(operation: Operation, parameter: str) -> tuple[float | None, str]:
    """The pressure that counts as "at pressure": the LSL of the pressure spec in force for the
    cell at the operation's start, else the recipe's set-point, else none."""
    station, unit = operation.station, operation.unit
    resolver = SpecResolver()  # the worker's cached specs: four reads a profile before
    recipe_id = resolver.recipe_id(station, unit)
    spec = resolver.spec(station, parameter, unit)
    version = resolver.timeline(spec).at(operation.started_at) if spec else None
    if version is not None and version.lsl is not None:
        return version.lsl, f"spec LSL v{version.version}"
    recipe = Recipe.objects.filter(pk=recipe_id).first() if recipe_id else None
    setpoint = (recipe.setpoints or {}).get(parameter) if recipe else None
    if recipe is not None and isinstance(setpoint, int | float):
        return float(setpoint), f"recipe {recipe.code} v{recipe.version} set-point"
    return None, ""


def _series(operation: Operation) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per parameter: seconds from the operation's start, and values (NaN where unusable)."""
    assert operation.completed_at is not None  # profiles are of completed operations
    rows = readings_during(
        unit_id=operation.unit_id,
        station_id=operation.station_id,
        parameters=READ_PARAMETERS,
        start=operation.started_at,
        end=operation.completed_at,
    )
    series: dict[str, tuple[list, list]] = {}
    for parameter, at, value, status, rejected in (
        (s.parameter, s.source_time, s.value, s.status_code, s.rejected_reason) for s in rows
    ):
        usable = is_usable_value(value) and status == 0 and not rejected  # within the bound
        times, values = series.setdefault(parameter, ([], []))
        times.append((at - operation.started_at).total_seconds())
        values.append(value if usable else np.nan)
    return {name: (np.array(t), np.array(v, dtype=np.float64)) for name, (t, v) in series.items()}


def _derived(operation: Operation, names: dict[str, str], figures: ProfileFigures) -> list[Sample]:
    values = {
        names["time_at_pressure"]: figures.time_at_pressure_s,
        names["peak_pressure"]: figures.peak_pressure_mpa,
        names["min_pressure"]: figures.min_pressure_mpa,
        names["peak_temperature"]: figures.peak_temperature_c,
    }
    now = timezone.now()
    assert operation.completed_at is not None  # profiles are of completed operations
    return [
        Sample(
            station_id=operation.station_id,
            parameter=name,
            value=value,
            node_id=DERIVED_NODE,
            source_time=operation.completed_at,
            server_time=now,
            unit_id=operation.unit_id,
        )
        for name, value in values.items()
        if name and value is not None
    ]


@transaction.atomic(savepoint=False)  # why no savepoint: see samples_evaluate
def pressure_profile_record(
    *, operation: Operation, by: Actor = None
) -> tuple[PressureProfile | None, list[Flag]]:
    """Record the profile of an ended press or formation operation once; judge its figures.

    Returns the profile (None for an open operation or another station kind) and the flags its
    figures raised.
    """
    names = PROFILES.get(operation.station.kind)
    if names is None or operation.completed_at is None:
        return None, []
    existing = PressureProfile.objects.filter(operation=operation).first()
    if existing is not None:
        return existing, []
    series = _series(operation)
    empty = (np.array([]), np.array([]))
    times, pressures = series.get(names["pressure"], empty)
    threshold, source = pressure_threshold(operation, names["pressure"])
    end_s = (operation.completed_at - operation.started_at).total_seconds()
    figures = profile_figures(
        pressure_times_s=times,
        pressures=pressures,
        temperatures=series.get(names["temperature"], empty)[1],
        end_s=end_s,
        threshold=threshold if threshold is not None else np.inf,
    )
    if threshold is None or times.size == 0:
        figures = replace(figures, time_at_pressure_s=None)  # unknown, never zero
    return _store(operation, names, figures, series, (threshold, source), by)


def _store(
    operation: Operation,
    names: dict[str, str],
    figures: ProfileFigures,
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    threshold: tuple[float | None, str],
    by: Actor,
) -> tuple[PressureProfile, list[Flag]]:
    assert operation.completed_at is not None  # profiles are of completed operations
    derived = Sample.objects.bulk_create(_derived(operation, names, figures))
    hold_times = series.get(names["hold_time"], (np.array([]), np.array([])))[1]
    usable_hold = hold_times[np.isfinite(hold_times)]
    profile = PressureProfile.objects.create(
        operation=operation,
        unit_id=operation.unit_id,
        station_id=operation.station_id,
        started_at=operation.started_at,
        ended_at=operation.completed_at,
        readings=int(sum(values.size for _times, values in series.values())),
        threshold_mpa=threshold[0],
        threshold_source=threshold[1],
        time_at_pressure_s=figures.time_at_pressure_s,
        peak_pressure_mpa=figures.peak_pressure_mpa,
        min_pressure_mpa=figures.min_pressure_mpa,
        peak_temperature_c=figures.peak_temperature_c,
        plc_hold_time_s=float(usable_hold[-1]) if usable_hold.size else None,
        derived_sample_ids=[s.pk for s in derived],
        computed_at=timezone.now(),
    )
    audit_record(
        by=by,
        entity="pressure_profile",
        entity_id=profile.pk,
        action="recorded",
        after=snapshot(profile, PROFILE_FIELDS),
    )
    for sample in derived:  # as samples_evaluate wants them, without reading them back
        sample.station, sample.unit = operation.station, operation.unit
    return profile, samples_evaluate(samples=derived, by=by)


def after_ingest(*, rows: SampleColumns, raised: list[Flag]) -> None:
    """lines.hooks.AFTER_INGEST: record the profiles of press and formation operations that have
    ended, once the batch holding their last readings is stored."""
    read = rows.readings(READ_PARAMETERS)
    if not read:
        return
    since = min(s.source_time for s in read) - LOOKBACK
    ended = (
        Operation.objects.filter(
            station_id__in={s.station_id for s in read},
            completed_at__isnull=False,
            started_at__gte=since - LONGEST_OPERATION,
            completed_at__gte=since,
            pressure_profile__isnull=True,
        )
        .select_related("station", "unit")
        .order_by("completed_at", "id")
    )
    for operation in ended:
        raised += pressure_profile_record(operation=operation)[1]
