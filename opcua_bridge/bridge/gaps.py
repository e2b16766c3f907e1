"""Connection gaps: when the bridge had no subscription on its server, for the MES to know it.

Pure: no asyncua, no clock of its own (the caller passes the time), so tests drive it by hand.
A gap opens when the connection is lost (or, after a restart, at the previous run's last sign
of life) and closes when the subscription stands again. Each change is handed over as a batch
entry (`gaps` in the batch, docs/telemetry.md): an open gap as soon as it opens, so the MES can
say "no data" while the outage lasts, and the same gap with its end once subscribed. The gap's
start is its identity: the ingest stores one gap per source and start, closing it when the end
arrives, whatever order the two batches come in.

The bridge says which stations a gap covers: the stations of the nodes it had monitored (its
tag map, less the nodes the server does not have). That is OPC UA knowledge (which nodes went
unread), nothing of what the MES makes of them.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from opcua_bridge.bridge.mapping import iso_utc

GapEntry = dict[str, Any]


@dataclass
class GapLog:
    """The gap open now (if any) of one bridge; `reported` counts the entries handed over.

    `stations` are those whose nodes the bridge read when the gap opened (the stations of its
    monitored items, not of nodes the server does not have): a bridge that loses its PLC leaves
    those unread, not the stations of another PLC in the same tag map."""

    endpoint: str
    open_since: datetime | None = None
    stations: tuple[str, ...] = ()
    reported: int = 0

    def lost(self, at: datetime, stations: tuple[str, ...]) -> GapEntry | None:
        """The connection is gone at `at`: the open gap's entry, or None when one is open."""
        if self.open_since is not None:
            return None  # a failed reconnect does not move the start of the outage
        self.open_since, self.stations = at, stations
        return self._entry(None)

    def resume(self, previous: dict[str, Any] | None) -> None:
        """A new run: the gap the previous run left open goes on, or one opens at its last sign
        of life (nothing when no previous run is known), over the stations it was reading. A
        run killed while a gap was open left its start in the status file: the same gap is
        closed once, not left open for ever."""
        since = last_sign_of_life(previous)
        if since is None:
            return
        assert previous is not None
        read = previous.get("reading_stations")
        self.open_since = since
        self.stations = tuple(str(code) for code in read) if isinstance(read, list) else ()

    def open_entry(self, stations: tuple[str, ...]) -> GapEntry | None:
        """The open gap's entry (None when none is open): the MES hears of a resumed gap while
        the bridge still connects. `stations` (the tag map's) when the previous run named none."""
        if self.open_since is None:
            return None
        self.stations = self.stations or stations
        return self._entry(None)

    def subscribed(self, at: datetime, stations: tuple[str, ...]) -> GapEntry | None:
        """The subscription stands again at `at`: the closed gap's entry, or None when none was
        open; over the stations of the open one (`stations` only if it had none). A clock that
        went back (end before start) closes it with no length."""
        if self.open_since is None:
            return None
        end = max(at, self.open_since)
        self.stations = self.stations or stations
        entry = self._entry(end)
        self.open_since = None
        return entry

    def _entry(self, end: datetime | None) -> GapEntry:
        assert self.open_since is not None
        self.reported += 1
        return {
            "start": iso_utc(self.open_since),
            "end": iso_utc(end) if end is not None else None,
            "endpoint": self.endpoint,
            "stations": list(self.stations),
        }


def last_sign_of_life(previous: dict[str, Any] | None) -> datetime | None:
    """When the previous run was last known alive and reading: the start of the gap it left
    open, else the last time it wrote its status (a SIGKILL leaves no later sign; the status is
    written every `status_interval_s`). None without a readable previous status."""
    if not previous:
        return None
    for key in ("gap_open_since", "updated_at"):
        value = previous.get(key)
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is not None and moment.tzinfo is not None:
            return moment
    return None
