"""Per-tag health: when each mapped node last gave a usable value, its last error, and whether it
fails now (the server would not monitor it, e.g. BadNodeIdUnknown, or its last value had a bad
status).

Kept in the event loop at the cost of a dict assignment per notification; written into the status
file (`tags`), where /health/bridge, the tag API and the admin read it (lines.hooks.TAG_HEALTH).
"""

import time
from datetime import UTC, datetime
from typing import Any

from asyncua import ua

from opcua_bridge.bridge.mapping import iso_utc


def _iso(at: float | None) -> str | None:
    return None if at is None else iso_utc(datetime.fromtimestamp(at, UTC))


class TagHealth:
    def __init__(self) -> None:
        self._value_at: dict[str, float] = {}
        self._error: dict[str, tuple[float, str]] = {}
        self._bad: set[str] = set()  # the last notification had a bad status
        self._skipped: dict[str, str] = {}  # the server would not monitor it
        self._deadband_refused: dict[str, str] = {}  # monitored, but without its deadband

    def value(self, node_id: str, status: ua.StatusCode | None) -> None:
        """A notification of `node_id`: a usable value, or an error when its status is bad."""
        if status is None or not status.is_bad():
            self._value_at[node_id] = time.time()
            self._bad.discard(node_id)
        else:
            self._error[node_id] = (time.time(), status.name)
            self._bad.add(node_id)

    def skipped(self, skipped: dict[str, str]) -> None:
        """The nodes the server would not monitor now, with why (a reason repeated at each retry
        keeps the time it was first reported)."""
        for node_id, reason in skipped.items():
            if self._skipped.get(node_id) != reason:
                self._error[node_id] = (time.time(), reason)
        self._skipped = dict(skipped)

    def deadband_refused(self, refused: dict[str, str]) -> None:
        """The nodes whose deadband the server refused now, with its status code: they are
        monitored without it (every reading arrives), so they do not fail."""
        self._deadband_refused = dict(refused)

    def report(self, node_ids: list[str]) -> dict[str, dict[str, Any]]:
        """{node id: {last_value_at, last_error, last_error_at, failing, deadband_refused}} for
        these nodes; deadband_refused is the server's status code, "" when none was refused."""
        found = {}
        for node_id in node_ids:
            error_at, error = self._error.get(node_id, (None, ""))
            found[node_id] = {
                "last_value_at": _iso(self._value_at.get(node_id)),
                "last_error": error,
                "last_error_at": _iso(error_at),
                "failing": node_id in self._skipped or node_id in self._bad,
                "deadband_refused": self._deadband_refused.get(node_id, ""),
            }
        return found
