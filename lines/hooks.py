"""Checks and follow-ups that other apps add to the lines transitions.

lines knows nothing of quality; quality registers its gate checks and hold propagation here in its
AppConfig.ready(). Hooks run inside the service's transaction, after the service's own checks, in
registration order. A check refuses by raising a mes.errors.DomainError; a follow-up may write.
"""

from collections.abc import Callable, Iterable
from typing import Any

START_CHECKS: list[Callable[..., None]] = []  # (unit=, step=) before an operation starts
COMPLETE_CHECKS: list[Callable[..., None]] = []  # (unit=, operation=, result=) before completion
AFTER_CONSUME: list[Callable[..., None]] = []  # (edge=, by=) after a genealogy edge is written
# (rows=, raised=) after a batch's samples are stored: rows is a lines.ingest.SampleColumns
# with the stored ids; rows without a station (unknown nodes) are not for judging
AFTER_INGEST: list[Callable[..., None]] = []
# (station=, writes=[lines.services.recipes.SetpointWrite], results=[]) writes set-points to the
# station's PLC, reads them back and appends one dict per write to results. Registered by
# opcua_bridge (lines knows no OPC UA); the first one is used. It raises mes.errors.Unavailable
# when the PLC cannot be reached.
SETPOINT_WRITERS: list[Callable[..., None]] = []
# (report=) when seed_demo loads the demo line, so other apps load their part of the demo
AFTER_DEMO_SEED: list[Callable[..., None]] = []
# (station_id=, running_from=, running_to=, stops=[(start, end, PLC code)], notes=) when
# generate_history has written its cells: the stacker's machine time that matches them (datetimes)
AFTER_HISTORY: list[Callable[..., None]] = []
# What the station screens show from quality: an object with the reads of
# lines.web.station_quality.StationQuality (quality registers quality.station_reads); the first
# one is used.
STATION_QUALITY: list[Any] = []
# (station=) -> URL of a panel another app adds to the station screen's side column (oee: the
# machine's state, the shift's OEE and the open stop asking for its reason); loaded by htmx.
STATION_PANELS: list[Callable[..., str]] = []
# () -> {node id: {last_value_at, last_error, last_error_at, failing, bridge}}: what the running
# bridges report per mapped node (opcua_bridge registers it; lines knows no bridge).
TAG_HEALTH: list[Callable[[], dict[str, dict[str, Any]]]] = []
# (station_kinds=) -> {(station kind, station id or None, parameter)}: the parameters a spec
# judges (quality registers it), for the tag map's "no spec" warning.
SPECIFIED_PARAMETERS: list[Callable[..., set[tuple[str, int | None, str]]]] = []

# () -> iterable of lines.services.telemetry_retention.Referenced: the samples (by id) and the
# windows of a station's parameter that records of another app refer to (quality registers its
# flags and SPC baselines); retention keeps them for the product period.
RETENTION_REFERENCES: list[Callable[[], Iterable[Any]]] = []


def run(hooks: list[Callable[..., None]], **kwargs: Any) -> None:
    for hook in hooks:
        hook(**kwargs)


def register(hooks: list[Callable[..., None]], hook: Callable[..., None]) -> None:
    """Add a hook once (AppConfig.ready() can run more than once in tests)."""
    if hook not in hooks:
        hooks.append(hook)


def provide(providers: list[Any], provider: object) -> None:
    """Add a provider of several reads (a module or an object) once, like register()."""
    if provider not in providers:
        providers.append(provider)
