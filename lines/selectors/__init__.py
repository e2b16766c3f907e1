"""Reads of the lines domain: look-ups and genealogy traces."""

from lines.selectors.genealogy import (
    DownstreamCount,
    Trace,
    TraceEdge,
    TraceNode,
    downstream_counts,
    plan_for_walks,
    trace_backward,
    trace_forward,
    unit_has_ancestor,
    unit_whereabouts,
    whereabouts_of,
)
from lines.selectors.units import unit_get_by_identifier

__all__ = [
    "DownstreamCount",
    "Trace",
    "TraceEdge",
    "TraceNode",
    "trace_backward",
    "downstream_counts",
    "plan_for_walks",
    "trace_forward",
    "unit_get_by_identifier",
    "unit_has_ancestor",
    "unit_whereabouts",
    "whereabouts_of",
]
