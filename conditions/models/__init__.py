"""Models of process conditions: dry-room exposure budgets and accounts, pressure profiles."""

from conditions.models.exposure import (
    DryZone,
    ExposureBudget,
    ExposureEvent,
    ExposurePeriod,
    LotExposure,
)
from conditions.models.pressure import PressureProfile

__all__ = [
    "DryZone",
    "ExposureBudget",
    "ExposureEvent",
    "ExposurePeriod",
    "LotExposure",
    "PressureProfile",
]
