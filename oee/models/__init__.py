from oee.models.calendar import DayOff, LineClock, ShiftPattern
from oee.models.downtime import DowntimeReason, PlcStopCode, StopAssignment
from oee.models.states import IdealCycle, StateChange, StateOverride, StopReasonReport

__all__ = [
    "DayOff",
    "DowntimeReason",
    "IdealCycle",
    "LineClock",
    "PlcStopCode",
    "ShiftPattern",
    "StateChange",
    "StateOverride",
    "StopAssignment",
    "StopReasonReport",
]
