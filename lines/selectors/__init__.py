"""Reads of the lines domain: look-ups and genealogy traces."""

from lines.selectors.genealogy import (
    DownstreamCount,
    Trace,
    TraceColumns,
    TraceEdge,
    TraceNode,
    downstream_counts,
    trace_backward,
    trace_forward,
    unit_has_ancestor,
    unit_whereabouts,
    walk_cursor,
    whereabouts_of,
)
from lines.selectors.metres import next_free_metres, roll_free_metres
from lines.selectors.station import (
    LatestValue,
    station_latest_values,
    station_recent_operations,
    unit_open_operation,
)
from lines.selectors.telemetry import USABLE_VALUE, is_usable_value, usable_samples
from lines.selectors.units import unit_get_by_identifier

__all__ = [
    "DownstreamCount",
    "LatestValue",
    "next_free_metres",
    "roll_free_metres",
    "Trace",
    "TraceColumns",
    "TraceEdge",
    "TraceNode",
    "trace_backward",
    "downstream_counts",
    "USABLE_VALUE",
    "is_usable_value",
    "walk_cursor",
    "trace_forward",
    "unit_get_by_identifier",
    "usable_samples",
    "unit_has_ancestor",
    "unit_whereabouts",
    "unit_open_operation",
    "station_latest_values",
    "station_recent_operations",
    "whereabouts_of",
]
