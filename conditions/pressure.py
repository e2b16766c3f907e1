"""Figures of a cell's pressure history at a press or formation fixture. Pure numpy, no database.

A profile is the cell's readings at one station between the start and the end of its operation.
Each reading is held until the next one; the last one until the operation ends. Time at or above
a threshold is the sum of the intervals whose reading is at or above it; an unusable reading
(NaN: bad status, not a number) counts as not at pressure, so a failed sensor never adds time.
"""

from dataclasses import dataclass

import numpy as np

# Per station kind: the pressure and temperature parameters read, and the names of the figures.
DENSIFICATION = {
    "pressure": "isostatic_pressure_mpa",
    "temperature": "temperature_c",
    "hold_time": "hold_time_s",
    "time_at_pressure": "time_at_pressure_s",
    "peak_pressure": "peak_pressure_mpa",
    "min_pressure": "",
    "peak_temperature": "peak_temperature_c",
}
FORMATION = {
    "pressure": "stack_pressure_mpa",
    "temperature": "",
    "hold_time": "",
    "time_at_pressure": "time_at_stack_pressure_s",
    "peak_pressure": "peak_stack_pressure_mpa",
    "min_pressure": "min_stack_pressure_mpa",
    "peak_temperature": "",
}
PROFILES = {"densification": DENSIFICATION, "formation": FORMATION}
# Figures that exist only once the operation has ended: a gate asks for them when the cell starts
# the next step, not when it completes their own (quality.services.gates).
FIGURES_AFTER_END = frozenset(
    name
    for profile in PROFILES.values()
    for key in ("time_at_pressure", "peak_pressure", "min_pressure", "peak_temperature")
    if (name := profile[key])
)


@dataclass(frozen=True)
class ProfileFigures:
    """What a profile gives to specs and gates (None: no usable reading)."""

    time_at_pressure_s: float | None
    peak_pressure_mpa: float | None
    min_pressure_mpa: float | None
    peak_temperature_c: float | None


def time_at_or_above(
    times_s: np.ndarray, values: np.ndarray, end_s: float, threshold: float
) -> float:
    """Seconds the held readings were at or above `threshold`, from the first reading to `end_s`."""
    times_s = np.asarray(times_s, dtype=np.float64)
    if times_s.size == 0:
        return 0.0
    values = np.asarray(values, dtype=np.float64)
    durations = np.clip(np.diff(np.append(times_s, max(end_s, times_s[-1]))), 0.0, None)
    at = np.isfinite(values) & (values >= threshold)
    return float(durations[at].sum())


def _finite(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values)]


def profile_figures(
    *,
    pressure_times_s: np.ndarray,
    pressures: np.ndarray,
    temperatures: np.ndarray,
    end_s: float,
    threshold: float,
) -> ProfileFigures:
    """The figures of one profile: time at or above `threshold`, peak and lowest pressure, peak
    temperature. Times are seconds from any common origin (the operation's start)."""
    usable_p, usable_t = _finite(pressures), _finite(temperatures)
    return ProfileFigures(
        time_at_pressure_s=time_at_or_above(pressure_times_s, pressures, end_s, threshold),
        peak_pressure_mpa=float(usable_p.max()) if usable_p.size else None,
        min_pressure_mpa=float(usable_p.min()) if usable_p.size else None,
        peak_temperature_c=float(usable_t.max()) if usable_t.size else None,
    )
