"""Reads about holds: the holds a unit is in, and what a hold would reach before it is placed."""

from collections import Counter
from typing import Any

from lines import selectors as lines_selectors
from lines.choices import UnitKind, UnitStatus
from lines.models import Unit
from quality.choices import HoldState
from quality.models import Hold


def hold_impact(*, unit: Unit) -> dict[str, Any]:
    """ "If I hold this unit": the units a hold would reach, by kind, how many would stop, and
    where the cells are now (status and station)."""
    downstream = lines_selectors.downstream_counts(unit=unit)
    rows = [*downstream, _itself(unit)]
    by_kind: Counter[str] = Counter()
    for row in rows:
        by_kind[row.kind] += row.count
    return {
        "root": unit.identifier,
        "units": sum(row.count for row in rows),
        "by_kind": dict(by_kind),
        "would_stop": sum(row.count for row in rows if row.status in UnitStatus.holdable()),
        "already_on_hold": sum(row.count for row in rows if row.status == UnitStatus.ON_HOLD),
        "cells": lines_selectors.whereabouts_of(counts=downstream, kind=UnitKind.CELL),
    }


def _itself(unit: Unit) -> lines_selectors.DownstreamCount:
    return lines_selectors.DownstreamCount(unit.kind, unit.status, unit.station_id, 1)


def active_holds_of(unit_id: int) -> list[Hold]:
    """The active holds a unit is a member of."""
    return list(Hold.objects.filter(state=HoldState.ACTIVE, members__unit_id=unit_id).distinct())


def recall_holds_on(*, unit: Unit) -> list[Hold]:
    """The active recall holds placed on `unit` itself (no flag behind them): while one is
    active, signing another recall of the unit would only be refused."""
    return list(Hold.objects.filter(unit=unit, state=HoldState.ACTIVE, flag__isnull=True))
