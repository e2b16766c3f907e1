"""Specs, recipes, version timelines, gate requirements and route steps, cached for the process.

They change rarely (by the quality engineer, through services and the admin) and the ingest
needs them for every batch and every unit event. One statement checks that nothing changed
(counts, newest ids and times of specs, versions, route steps and gate requirements) and drops
the caches when something did; inside an ingest batch it is asked once per batch
(lines.ingest.scope), elsewhere once per resolver.
"""

from typing import TypedDict

from django.db import connection

from lines.ingest.scope import current_batch
from lines.models import RouteStep, Station, Unit
from quality.models import GateRequirement, Spec, SpecVersion
from quality.selectors.specs import StepRef, VersionTimeline, recipe_in, route_steps, spec_for

_STEPS = RouteStep._meta.db_table
_GATES = GateRequirement._meta.db_table
# Times as well as ids: SQLite reuses ids after a rollback. Route steps are edited in place in
# the admin (updated_at); gate requirements only ever created, so their sums of ids say enough.
_TOKEN = (
    f"SELECT (SELECT COUNT(*) FROM {Spec._meta.db_table}), "
    f"(SELECT MAX(id) FROM {SpecVersion._meta.db_table}), "
    f"(SELECT MAX(valid_from) FROM {SpecVersion._meta.db_table}), "
    f"(SELECT COUNT(*) FROM {SpecVersion._meta.db_table}), "
    f"(SELECT MAX(id) FROM {_STEPS}), (SELECT COUNT(recipe_id) FROM {_STEPS}), "
    f"(SELECT COUNT(*) FROM {_STEPS}), (SELECT MAX(updated_at) FROM {_STEPS}), "
    f"(SELECT COUNT(*) FROM {_GATES}), (SELECT MAX(id) FROM {_GATES}), "
    f"(SELECT SUM(step_id) FROM {_GATES}), (SELECT SUM(spec_id) FROM {_GATES})"
)


class _Cache(TypedDict, total=False):
    token: tuple | None
    checked_in: object  # the ingest batch the token was last checked in
    routes: dict[int, list[StepRef]]
    specs: dict[tuple, Spec | None]
    timelines: dict[int, VersionTimeline]
    requirements: dict


class SpecResolver:
    """Cached reads of the quality configuration (module docstring)."""

    _cache: _Cache = {"token": None, "checked_in": None}

    def __init__(self) -> None:
        cache, batch = SpecResolver._cache, current_batch()
        if batch is None or cache["checked_in"] is not batch:
            with connection.cursor() as cursor:
                cursor.execute(_TOKEN)
                token = cursor.fetchone()
            if cache["token"] != token:
                cache.update(
                    {"token": token, "routes": {}, "specs": {}, "timelines": {}, "requirements": {}}
                )
            cache["checked_in"] = batch
        self._routes = cache["routes"]
        self.specs = cache["specs"]
        self.timelines = cache["timelines"]
        self._requirements = cache["requirements"]

    def _route(self, route_id: int) -> list[StepRef]:
        if route_id not in self._routes:
            self._routes[route_id] = route_steps(route_id)
        return self._routes[route_id]

    def recipe_id(self, station: Station, unit: Unit | None) -> int | None:
        """The recipe of the unit's route for this kind of station (None: none)."""
        if unit is None or unit.route_id is None:
            return None
        return recipe_in(self._route(unit.route_id), station.kind)

    def spec(self, station: Station, parameter: str, unit: Unit | None) -> Spec | None:
        key = (station.pk, parameter, self.recipe_id(station, unit))
        if key not in self.specs:
            self.specs[key] = spec_for(station=station, parameter=parameter, recipe_id=key[2])
        return self.specs[key]

    def timeline(self, spec: Spec) -> VersionTimeline:
        if spec.pk not in self.timelines:
            self.timelines[spec.pk] = VersionTimeline(spec)
        return self.timelines[spec.pk]

    def requirements(self, step_id: int | None) -> list[GateRequirement]:
        """The gate of a route step (with their specs); none for no step."""
        if step_id is None:
            return []
        if step_id not in self._requirements:
            self._requirements[step_id] = list(
                GateRequirement.objects.filter(step_id=step_id).select_related("spec")
            )
        return self._requirements[step_id]

    def step_before(self, step: RouteStep) -> int | None:
        """The id of the step before `step` in its route (None for the first)."""
        before = [s.id for s in self._route(step.route_id) if s.sequence < step.sequence]
        return before[-1] if before else None
