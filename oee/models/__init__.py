from oee.models.calendar import DayOff, LineClock, ShiftPattern
from oee.models.states import IdealCycle, StateChange, StateOverride, StopReasonReport

__all__ = [
    "DayOff",
    "IdealCycle",
    "LineClock",
    "ShiftPattern",
    "StateChange",
    "StateOverride",
    "StopReasonReport",
]
