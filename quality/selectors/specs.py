"""Which spec, and which version of it, applies to a value."""

from bisect import bisect_right
from datetime import datetime
from typing import NamedTuple

import numpy as np
from django.db.models import Q

from lines.ingest.columns import epoch_us
from lines.models import RouteStep, Station
from quality.models import Spec, SpecVersion


def spec_for(*, station: Station, parameter: str, recipe_id: int | None = None) -> Spec | None:
    """The most specific spec of a parameter at a station: station beats station kind, and a spec
    for the unit's recipe beats a spec for any recipe."""
    candidates = Spec.objects.filter(parameter=parameter).filter(
        Q(station=station) | Q(station__isnull=True, station_kind=station.kind)
    )
    candidates = candidates.filter(Q(recipe__isnull=True) | Q(recipe_id=recipe_id))
    ranked = sorted(
        candidates, key=lambda s: (s.station_id is not None, s.recipe_id is not None), reverse=True
    )
    return ranked[0] if ranked else None


class StepRef(NamedTuple):
    """What spec and gate look-ups read of a route step."""

    id: int
    sequence: int
    station_kind: str
    recipe_id: int | None


def route_steps(route_id: int) -> list[StepRef]:
    """A route's steps in sequence order."""
    rows = RouteStep.objects.filter(route_id=route_id).order_by("sequence")
    return [
        StepRef(*row) for row in rows.values_list("id", "sequence", "station_kind", "recipe_id")
    ]


def recipe_in(steps: list[StepRef], station_kind: str) -> int | None:
    """The recipe of the (first) route step done at this kind of station, if it names one."""
    return next((step.recipe_id for step in steps if step.station_kind == station_kind), None)


def recipe_for(*, route_id: int | None, station_kind: str) -> int | None:
    """The recipe of the route step done at this kind of station, if the route names one."""
    return None if route_id is None else recipe_in(route_steps(route_id), station_kind)


class VersionTimeline:
    """The versions of one spec in force order, to pick the one valid at each sample's time."""

    def __init__(self, spec: Spec) -> None:
        self.versions = list(
            SpecVersion.objects.filter(spec=spec).order_by("valid_from", "version")
        )
        self._starts = [v.valid_from for v in self.versions]
        self._starts_us: np.ndarray | None = None

    def index(self, when: datetime) -> int:
        """Position in `versions` of the version in force at `when`; -1 before the first."""
        return bisect_right(self._starts, when) - 1

    def indexes_us(self, moments_us: np.ndarray) -> np.ndarray:
        """`index` of many moments at once, given as epoch microseconds."""
        if self._starts_us is None:
            self._starts_us = np.array([epoch_us(s) for s in self._starts], dtype=np.int64)
        return np.searchsorted(self._starts_us, moments_us, "right") - 1

    def at(self, when: datetime) -> SpecVersion | None:
        index = self.index(when)
        return self.versions[index] if index >= 0 else None

    def current(self) -> SpecVersion | None:
        return self.versions[-1] if self.versions else None
