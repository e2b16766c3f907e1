"""Reads of the lines domain: look-ups and genealogy traces."""

from lines.selectors.genealogy import (
    Trace,
    TraceEdge,
    TraceNode,
    trace_backward,
    trace_forward,
    trace_whereabouts,
    unit_has_ancestor,
)
from lines.selectors.units import unit_get_by_identifier

__all__ = [
    "Trace",
    "TraceEdge",
    "TraceNode",
    "trace_backward",
    "trace_forward",
    "trace_whereabouts",
    "unit_get_by_identifier",
    "unit_has_ancestor",
]
