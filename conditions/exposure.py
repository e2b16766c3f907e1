"""Moisture exposure of a lot: the dew-point weighting and the weighted minutes of an open period.

Pure functions, no database. The weight of one open minute is the water-vapour pressure at the
room's dew point (frost point: below 0 degC the dew-point transmitter reads the frost point)
relative to the vapour pressure at the reference dew point of -40 degC:

    w(Td) = e_ice(Td) / e_ice(-40 degC),   e_ice(T) = 6.112 hPa * exp(22.46 * T / (272.62 + T))

(Magnus formula over ice, WMO CIMO Guide, constants for -65..0 degC). The reaction of a sulfide
electrolyte or of lithium metal with moist air runs at a rate roughly proportional to the water
partial pressure, so a minute at -40 degC weighs 1, a minute at -60 degC weighs 0.084 and one at
-30 degC weighs 2.96. A lot's weighted minutes are the integral of w over the time it is open,
times the weight of its form (powder 1, slurry, laminated, sealed less: per budget).

Readings are held until the next one (a transmitter reports a value, not a trend). A reading older
than STALE_AFTER_S, or no reading at all, counts as the fallback dew point -40 degC: a dead sensor
must not make exposure free.
"""

import math
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

REFERENCE_DEW_POINT_C = -40.0
FALLBACK_DEW_POINT_C = -40.0
STALE_AFTER_S = 900.0  # 15 min without a reading: the room's state is unknown
WARNING_FRACTION = 0.8
HOLD_FRACTION = 1.0

Reading = tuple[datetime, float]
Piece = tuple[datetime, datetime, float]  # from, to, weight per minute


def ice_vapour_pressure_hpa(dew_point_c: float) -> float:
    """Saturation vapour pressure over ice at this frost point (Magnus, WMO constants)."""
    return 6.112 * math.exp(22.46 * dew_point_c / (272.62 + dew_point_c))


def dew_point_weight(dew_point_c: float) -> float:
    """The weight of one open minute at this dew point; 1.0 at the reference -40 degC."""
    return ice_vapour_pressure_hpa(dew_point_c) / ice_vapour_pressure_hpa(REFERENCE_DEW_POINT_C)


def _pieces(reading: Reading | None, start: datetime, end: datetime) -> Iterator[Piece]:
    """(from, to, weight per minute) with `reading` in force from start to end: the reading's
    weight while it is fresh, the fallback's once it is STALE_AFTER_S old (or when there is none)."""
    fallback = dew_point_weight(FALLBACK_DEW_POINT_C)
    if reading is None or not math.isfinite(reading[1]):
        yield start, end, fallback
        return
    stale_at = min(end, max(start, reading[0] + timedelta(seconds=STALE_AFTER_S)))
    if stale_at > start:
        yield start, stale_at, dew_point_weight(reading[1])
    if end > stale_at:
        yield stale_at, end, fallback


def _segments(readings: Iterable[Reading], start: datetime, end: datetime) -> Iterator[Piece]:
    """The open period cut into pieces of constant weight per minute, in time order."""
    ordered = sorted(readings)
    current = next((r for r in reversed(ordered) if r[0] <= start), None)
    cursor = start
    for reading in [r for r in ordered if start < r[0] < end]:
        yield from _pieces(current, cursor, reading[0])
        cursor, current = reading[0], reading
    yield from _pieces(current, cursor, end)


def weighted_minutes(
    readings: Iterable[Reading], start: datetime, end: datetime, *, form_weight: float
) -> float:
    """Dew-point-weighted minutes of a lot open from `start` to `end`, times its form weight.

    `readings` are (time, dew point degC) of the lot's zone: the last one at or before `start`
    (it is in force at the start) and those up to `end`; others are ignored.
    """
    if end <= start or form_weight == 0:
        return 0.0
    total = sum(
        weight * (to - since).total_seconds() / 60.0
        for since, to, weight in _segments(readings, start, end)
    )
    return total * form_weight


def time_reaching(
    readings: Iterable[Reading],
    start: datetime,
    end: datetime,
    *,
    form_weight: float,
    amount: float,
) -> datetime | None:
    """The instant between `start` and `end` at which the weighted minutes counted from `start`
    reach `amount` (the minutes grow linearly within a piece), or None if they do not."""
    if (
        end <= start
        or form_weight == 0
        or amount > weighted_minutes(readings, start, end, form_weight=form_weight)
    ):
        return None
    left = amount
    for since, to, weight in _segments(readings, start, end):
        rate = weight * form_weight / 60.0  # weighted minutes per second
        span = (to - since).total_seconds()
        if rate > 0 and left <= rate * span:
            return since + timedelta(seconds=left / rate)
        left -= rate * span
    return end
