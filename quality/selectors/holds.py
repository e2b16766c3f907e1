"""Reads about holds: what a hold would reach before it is placed."""

from collections import Counter
from typing import Any

from lines import selectors as lines_selectors
from lines.choices import UnitKind, UnitStatus
from lines.models import Unit

_HOLDABLE = {UnitStatus.CREATED, UnitStatus.IN_PROCESS, UnitStatus.RELEASED}


def hold_impact(*, unit: Unit) -> dict[str, Any]:
    """ "If I hold this unit": the units a hold would reach, by kind, how many would stop, and
    where the cells are now (status and station)."""
    trace = lines_selectors.trace_forward(unit=unit)
    nodes = list(trace.nodes.values())
    return {
        "root": unit.identifier,
        "units": len(nodes),
        "by_kind": dict(Counter(n.kind for n in nodes)),
        "would_stop": sum(1 for n in nodes if n.status in _HOLDABLE),
        "already_on_hold": sum(1 for n in nodes if n.status == UnitStatus.ON_HOLD),
        "cells": lines_selectors.trace_whereabouts(trace=trace, kind=UnitKind.CELL),
    }
