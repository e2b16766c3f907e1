from oee.models.calendar import DayOff, LineClock, ShiftPattern
from oee.models.downtime import DowntimeReason, PlcStopCode, StopAssignment
from oee.models.states import IdealCycle, StateChange, StateOverride, StopReasonReport
from oee.models.summaries import PeriodStamp, PeriodSummary

__all__ = [
    "DayOff",
    "DowntimeReason",
    "IdealCycle",
    "LineClock",
    "PeriodStamp",
    "PeriodSummary",
    "PlcStopCode",
    "ShiftPattern",
    "StateChange",
    "StateOverride",
    "StopAssignment",
    "StopReasonReport",
]
