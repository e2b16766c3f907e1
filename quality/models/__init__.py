"""Models of the quality app, one module per concern."""

from quality.models.audit import AuditEntry, ChainHead
from quality.models.decision import Disposition, Signature
from quality.models.flag import Flag
from quality.models.gate import GateRequirement
from quality.models.hold import Hold, HoldMember
from quality.models.ncr import Ncr
from quality.models.spc_baseline import SpcBaseline
from quality.models.spec import Spec, SpecVersion

__all__ = [
    "AuditEntry",
    "ChainHead",
    "Disposition",
    "Flag",
    "GateRequirement",
    "Hold",
    "HoldMember",
    "Ncr",
    "Signature",
    "SpcBaseline",
    "Spec",
    "SpecVersion",
]
