"""Heartbeats: the MES's counter the PLC watches, and the PLC's counter the MES watches.

The bridge increments each `mes_heartbeat` node every `heartbeat_s` seconds, wrapping to 0 at the
top of the node's own type (an INT wraps at 32767), so a PLC can fall back to its safe state when
the count stops. A `plc_heartbeat` that stops changing for `plc_heartbeat_stale_s` makes
/health/bridge degraded (plc_heartbeat_problem).
"""

import asyncio
import logging
import time
from datetime import UTC, datetime

from opcua_bridge.bridge.tagmap import TagSpec
from opcua_bridge.bridge.writes import TypedWriter, wrap_counter

logger = logging.getLogger(__name__)


class Heartbeat:
    """Writes the next count to every mes_heartbeat node, every interval, on one connection."""

    def __init__(self, specs: list[TagSpec], writer: TypedWriter, *, interval_s: float) -> None:
        self.specs = specs
        self.writer = writer
        self.interval_s = interval_s

    async def run(self) -> None:
        counts: dict[str, int] = {}
        while True:
            for spec in self.specs:
                try:
                    if spec.node_id not in counts:  # go on from what the PLC holds
                        (now,) = await self.writer.read_many([spec.node_id])
                        raw = now.Value.Value if now.Value is not None else 0
                        counts[spec.node_id] = raw if isinstance(raw, int) else 0
                    kind = await self.writer.variant_type(spec.node_id)
                    count = wrap_counter(counts[spec.node_id], kind)
                    await self.writer.write(spec, count)
                    counts[spec.node_id] = count
                except Exception as exc:  # noqa: BLE001 - a lost beat is logged; the next one tries again
                    logger.warning("heartbeat %s: %s", spec.node_id, exc)
            await asyncio.sleep(self.interval_s)


class PlcHeartbeat:
    """When the PLC's counter last changed (monotonic), from subscription notifications."""

    def __init__(self) -> None:
        self.node_id = ""
        self.value: object = None
        self.changed_at: float | None = None
        self.changed_wall: datetime | None = None  # for people: "stale since ..."

    def seen(self, value: object) -> None:
        if value != self.value:
            self.value, self.changed_at = value, time.monotonic()
            self.changed_wall = datetime.now(UTC)

    def age_s(self) -> float | None:
        return None if self.changed_at is None else time.monotonic() - self.changed_at
