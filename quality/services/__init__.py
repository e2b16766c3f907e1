"""Every state change of the quality domain. Views, tasks and hooks call these only."""

from quality.services.dispositions import disposition_decide
from quality.services.evaluate import samples_evaluate
from quality.services.gate_setup import gate_requirement_create
from quality.services.holds import hold_add_units, hold_place, hold_place_once
from quality.services.ncrs import ncr_close, ncr_open
from quality.services.recall import unit_recall_hold, window_recall_hold
from quality.services.segments import segment_flag
from quality.services.spc_baselines import spc_baseline_set
from quality.services.spc_flags import spc_flag_violations
from quality.services.specs import spec_create, spec_revise

__all__ = [
    "disposition_decide",
    "gate_requirement_create",
    "hold_add_units",
    "hold_place",
    "hold_place_once",
    "ncr_close",
    "ncr_open",
    "unit_recall_hold",
    "window_recall_hold",
    "samples_evaluate",
    "segment_flag",
    "spc_baseline_set",
    "spc_flag_violations",
    "spec_create",
    "spec_revise",
]
