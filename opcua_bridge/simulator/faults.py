"""Sensor faults the simulator can inject into one process value. Pure: no asyncua, no clock.

Times are line seconds (the model's clock, which --speed compresses); the server shell converts
the wall-clock durations a user gives into line seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

GOOD = 0
# OPC UA StatusCode BadSensorFailure (Part 4, 7.39); kept here so the model needs no asyncua.
BAD_SENSOR_FAILURE = 0x808C0000


class FaultKind(StrEnum):
    DRIFT = "drift"  # linear ramp from 0 to magnitude over duration, then held until cleared
    SPIKE = "spike"  # the next value only is off by magnitude
    STUCK = "stuck"  # the value freezes at the last written value for duration
    BAD_STATUS = (
        "bad_status"  # values are written with BadSensorFailure (and no value) for duration
    )
    NAN = "nan"  # values are NaN (status Good: a PLC that publishes garbage) for duration


@dataclass
class Fault:
    """One injected fault on one channel, from start_s (line time) for duration_s."""

    kind: FaultKind
    start_s: float
    duration_s: float
    magnitude: float = 0.0
    frozen: float | None = None
    spent: bool = False

    def expired(self, now_s: float) -> bool:
        if self.kind is FaultKind.DRIFT:
            return False
        if self.kind is FaultKind.SPIKE:
            return self.spent
        return now_s >= self.start_s + self.duration_s

    def drift_offset(self, now_s: float) -> float:
        if self.duration_s <= 0:
            return self.magnitude
        return self.magnitude * min(1.0, max(0.0, (now_s - self.start_s) / self.duration_s))


def apply_faults(faults: list[Fault], now_s: float, value: float) -> tuple[float, int]:
    """The value and status a faulty sensor reports instead of `value` at `now_s`.

    Offsets (drift, spike) first, then a frozen value, then NaN, then the bad status: a stuck
    sensor ignores the drift, and a failed one reports nothing at all.
    """
    status = GOOD
    for fault in faults:
        if fault.kind is FaultKind.DRIFT:
            value += fault.drift_offset(now_s)
        elif fault.kind is FaultKind.SPIKE and not fault.spent:
            value += fault.magnitude
            fault.spent = True
    for fault in faults:
        if fault.kind is FaultKind.STUCK and fault.frozen is not None:
            value = fault.frozen
    if any(fault.kind is FaultKind.NAN for fault in faults):
        value = math.nan
    if any(fault.kind is FaultKind.BAD_STATUS for fault in faults):
        status = BAD_SENSOR_FAILURE
    return value, status


def prune(faults: list[Fault], now_s: float) -> list[Fault]:
    """The faults still in force at now_s."""
    return [fault for fault in faults if not fault.expired(now_s)]
