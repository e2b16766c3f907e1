"""The bridge's state, as a JSON file other processes (bridge_status, a health check) can read.

Written atomically (temp file + rename) to MES_VAR_DIR/bridge-status-<name>.json; a reader sees
either the old or the new document, never half of one.
"""

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opcua_bridge.bridge.mapping import iso_utc


def _now_iso() -> str | None:
    return iso_utc(datetime.now(UTC))


@dataclass
class BridgeStatus:
    """What the bridge is doing now; `samples_per_s` is measured between two writes."""

    name: str
    endpoint: str
    pid: int = field(default_factory=os.getpid)
    state: str = "starting"  # starting, connecting, connected, reconnecting, stopping, stopped
    connected: bool = False
    subscribed_tags: int = 0
    event_nodes: int = 0
    skipped_nodes: list[dict[str, Any]] = field(default_factory=list)
    deadband_tags: int = 0  # subscribed with the deadband of the tag map
    # node_id, deadband, reason: the server refused the deadband; subscribed without it
    deadband_refused: list[dict[str, Any]] = field(default_factory=list)
    tag_map_tags: int = 0
    samples_total: int = 0
    events_total: int = 0
    duplicates_suppressed: int = 0
    samples_per_s: float = 0.0
    batches_created: int = 0
    batches_delivered: int = 0
    batches_spooled: int = 0
    batches_waiting: int = 0
    spool_depth: int = 0  # on disk, not handed to the broker yet
    unconfirmed: int = 0  # handed over, the ingest has not confirmed storing them yet
    unconfirmed_mb: float = 0.0
    oldest_unconfirmed_s: float = 0.0  # age of the oldest batch the ingest has not confirmed
    bound_reached: bool = False  # max unconfirmed reached: new batches wait in the spool
    batches_resent: int = 0
    batches_confirmed: int = 0
    batches_refused: int = 0
    reconnects: int = 0
    # The connection gap open now (lost, not subscribed again), kept here so that a run killed
    # during an outage hands the same gap to the next run (opcua_bridge/bridge/gaps.py).
    gap_open_since: str | None = None
    gaps_reported: int = 0  # gap entries handed over in batches (an open and a closed per gap)
    # The stations of the nodes monitored at the last subscription: a gap the next run resumes
    # covers these.
    reading_stations: list[str] = field(default_factory=list)
    last_error: str = ""
    last_error_at: str | None = None
    started_at: str | None = field(default_factory=_now_iso)
    connected_since: str | None = None
    updated_at: str | None = None
    closed_loop: dict[str, Any] = field(default_factory=dict)  # handshakes and heartbeats
    # per mapped node: last_value_at, last_error, last_error_at, failing (tag_health.py)
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)

    def error(self, message: str) -> None:
        self.last_error = message
        self.last_error_at = _now_iso()


def degraded_reason(status: dict[str, Any]) -> str:
    """The status document's delivery trouble in words; "" when there is none."""
    if status.get("bound_reached"):
        return (
            f"{status.get('unconfirmed')} batches unconfirmed by the ingest, oldest "
            f"{status.get('oldest_unconfirmed_s')} s: bound reached, "
            f"{status.get('spool_depth')} batches wait in the spool"
        )
    return ""


class RateMeter:
    """Samples per second between two readings of a running total."""

    def __init__(self) -> None:
        self._last_total = 0
        self._last_at = time.monotonic()

    def rate(self, total: int) -> float:
        now = time.monotonic()
        elapsed = now - self._last_at
        if elapsed <= 0:
            return 0.0
        value = (total - self._last_total) / elapsed
        self._last_total, self._last_at = total, now
        return round(value, 1)


def write_status(path: Path, status: BridgeStatus) -> None:
    status.updated_at = _now_iso()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A file of its own per write: a status write cancelled at shutdown still runs in its thread
    # beside the final one, and a shared temporary name let one rename the other's file away.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, 0o644)  # readable by the web's health check and monitoring, as before
    with os.fdopen(fd, "w") as out:
        out.write(json.dumps(asdict(status), indent=2) + "\n")
    os.replace(tmp, path)


def running_statuses(var_dir: Path | None = None) -> list[dict[str, Any]]:
    """The status documents of the bridges in MES_VAR_DIR that are not stopped, by name."""
    from django.conf import settings

    found = []
    for path in sorted(Path(var_dir or settings.VAR_DIR).glob("bridge-status-*.json")):
        status = read_status(path)
        if status and status.get("state") != "stopped":
            found.append(status)
    return found


def running_tags_health() -> dict[str, dict[str, Any]]:
    """{node id: health + the bridge's name} over the running bridges (the newest status wins
    for a node two bridges read)."""
    found: dict[str, dict[str, Any]] = {}
    for status in sorted(running_statuses(), key=lambda s: s.get("updated_at") or ""):
        for node_id, health in (status.get("tags") or {}).items():
            found[node_id] = {**health, "bridge": status.get("name")}
    return found


def read_status(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
