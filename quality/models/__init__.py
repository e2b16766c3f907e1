"""Models of the quality app, one module per concern."""

from quality.models.audit import AuditEntry, ChainHead
from quality.models.decision import Disposition, Signature
from quality.models.exposure import (
    DryZone,
    ExposureBudget,
    ExposureEvent,
    ExposurePeriod,
    LotExposure,
)
from quality.models.flag import Flag
from quality.models.gate import GateRequirement
from quality.models.grading import CellGrade, GradingScheme
from quality.models.hold import Hold, HoldMember
from quality.models.ncr import Ncr
from quality.models.passport import PassportProfile
from quality.models.pressure import PressureProfile
from quality.models.spec import Spec, SpecVersion

__all__ = [
    "AuditEntry",
    "CellGrade",
    "ChainHead",
    "Disposition",
    "DryZone",
    "ExposureBudget",
    "ExposureEvent",
    "ExposurePeriod",
    "Flag",
    "GateRequirement",
    "GradingScheme",
    "Hold",
    "HoldMember",
    "LotExposure",
    "Ncr",
    "PassportProfile",
    "PressureProfile",
    "Signature",
    "Spec",
    "SpecVersion",
]
