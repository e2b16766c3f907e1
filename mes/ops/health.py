"""Health checks for each component, each returning (ok, detail). Used by the /health/ views and
`manage.py health` (container and systemd health checks)."""

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# A bridge writes its status every few seconds; older than this, it is hung or gone.
BRIDGE_STALE_S = 30.0
_migrated = {"ok": False}


def database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated["ok"]:  # once true it stays true for the life of the process
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if plan:
                return False, f"{len(plan)} migration(s) not applied: run manage.py migrate"
            _migrated["ok"] = True
    except Exception as exc:  # any failure to reach the database is the answer, not a crash
        return False, f"database unreachable: {exc.__class__.__name__}: {exc}"
    return True, connection.vendor


def broker() -> tuple[bool, str]:
    if settings.MES_EMBEDDED:
        return True, "embedded: tasks run in-process"
    from mes.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return False, f"broker unreachable: {exc.__class__.__name__}: {exc}"
    return True, "redis"


def workers(timeout: float = 1.5, node: str | None = None) -> tuple[bool, str]:
    """Any worker answers a ping; with `node` (a worker's -n name), that one does: a container's
    check of its own worker must not pass because another worker is alive."""
    if settings.MES_EMBEDDED:
        return True, "embedded: tasks run in-process"
    from mes.celery import app

    try:
        replies = app.control.ping(destination=[node] if node else None, timeout=timeout) or []
    except Exception as exc:
        return False, f"cannot ask the workers: {exc.__class__.__name__}: {exc}"
    names = sorted(name for reply in replies for name in reply)
    if node:
        return (node in names, node if node in names else f"{node} did not answer a ping")
    return (bool(names), ", ".join(names) or "no worker answered a ping")


def bridge_statuses() -> list[dict[str, Any]]:
    from opcua_bridge.bridge.status import read_status

    found = []
    for path in sorted(Path(settings.VAR_DIR).glob("bridge-status-*.json")):
        status = read_status(path)
        if status:
            found.append(status)
    return found


def status_age_s(status: dict[str, Any]) -> float:
    updated = status.get("updated_at")
    if not updated:
        return float("inf")
    moment = datetime.fromisoformat(updated.replace("Z", "+00:00"))
    return max(0.0, time.time() - moment.astimezone(UTC).timestamp())


def plc_heartbeat_problem(status: dict[str, Any]) -> str:
    """A stale PLC heartbeat the bridge reports (a plain string; "" when fresh or unmapped)."""
    return str((status.get("closed_loop") or {}).get("plc_heartbeat_problem") or "")


def bridges() -> tuple[bool, str]:
    """Connected, status fresh, and delivery not degraded (the unconfirmed bound reached)."""
    from opcua_bridge.bridge.status import degraded_reason

    statuses = [s for s in bridge_statuses() if s.get("state") != "stopped"]
    if not statuses:
        return False, f"no running bridge has written a status in {settings.VAR_DIR}"
    bad = [
        f"{s['name']}: {s.get('state')}" + (f" ({s['last_error']})" if s.get("last_error") else "")
        for s in statuses
        if not s.get("connected") or status_age_s(s) > BRIDGE_STALE_S
    ]
    bad += [f"{s['name']}: degraded ({degraded_reason(s)})" for s in statuses if degraded_reason(s)]
    bad += [f"{s['name']}: {problem}" for s in statuses if (problem := plc_heartbeat_problem(s))]
    if bad:
        return False, "; ".join(bad)
    detail = ", ".join(f"{s['name']}: {s.get('subscribed_tags', 0)} tags" for s in statuses)
    failing = failing_tags(statuses)
    if failing:
        detail += f"; {len(failing)} tag(s) failing: " + ", ".join(
            f"{t['node_id']} ({t['error']})" for t in failing[:10]
        )
    return True, detail


def failing_tags(statuses: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The mapped nodes a running bridge cannot read now: not monitored by the server (e.g.
    BadNodeIdUnknown) or whose last value had a bad status. The bridge keeps working for the
    others, so this degrades its health, it does not fail it."""
    if statuses is None:
        statuses = [s for s in bridge_statuses() if s.get("state") != "stopped"]
    found = []
    for status in statuses:
        health = status.get("tags") or {}
        skipped = {n["node_id"]: n["reason"] for n in status.get("skipped_nodes", [])}
        for node_id, tag in sorted(health.items()):
            if tag.get("failing"):
                found.append(
                    {
                        "bridge": status.get("name"),
                        "node_id": node_id,
                        "error": tag.get("last_error") or skipped.get(node_id, ""),
                        "since": tag.get("last_error_at"),
                    }
                )
        for node_id, reason in sorted(skipped.items()):  # a status written before `tags`
            if node_id not in health:
                found.append(
                    {"bridge": status.get("name"), "node_id": node_id, "error": reason,
                     "since": None}
                )  # fmt: skip
    return found


COMPONENTS = {
    "ready": (database, broker),
    "worker": (database, broker, workers),
    "bridge": (bridges,),
}


def check(component: str, *, node: str | None = None) -> tuple[bool, dict[str, dict[str, Any]]]:
    """Run a component's probes; `node` names the worker the worker probe asks. A probe that
    passes with something wrong that does not stop it (a bridge with failing tags) says
    `degraded: true` and lists what."""
    results: dict[str, dict[str, Any]] = {}
    for probe in COMPONENTS[component]:
        ok, detail = workers(node=node) if probe is workers else probe()
        results[probe.__name__] = {"ok": ok, "detail": detail}
    bridge = results.get("bridges")
    if bridge is not None and bridge["ok"]:
        failing = failing_tags()
        statuses = [s for s in bridge_statuses() if s.get("state") != "stopped"]
        bridge["degraded"] = bool(failing)
        bridge["failing_tags"] = failing
        bridge["skipped_nodes"] = [n for s in statuses for n in s.get("skipped_nodes", [])]
    return all(r["ok"] for r in results.values()), results


def overall(ok: bool, results: dict[str, dict[str, Any]]) -> str:
    """ok, degraded (every probe passes, one with something wrong) or failing."""
    if not ok:
        return "failing"
    return "degraded" if any(r.get("degraded") for r in results.values()) else "ok"
