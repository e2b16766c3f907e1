"""The bridge's writing side on one connection: the handshakes of every station, the heartbeat.

The Bridge (client.py) hands it the connected client and every tag map; subscription changes of
request nodes and of the PLC's heartbeat come here instead of going to the ingest (they are
control signals, not process values). What it starts per connection it stops when the
connection goes; decisions run in its own thread pool (opcua_bridge.bridge.decisions).
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from asyncua import Client, ua

from lines.models import TagRole
from opcua_bridge.bridge.config import BridgeConfig
from opcua_bridge.bridge.decisions import Decider
from opcua_bridge.bridge.handshake import (
    Handshake,
    HandshakeNodes,
    Settler,
    Timing,
    handshakes_of,
)
from opcua_bridge.bridge.heartbeat import Heartbeat, PlcHeartbeat
from opcua_bridge.bridge.mapping import iso_utc
from opcua_bridge.bridge.stopping import cancel_until_done
from opcua_bridge.bridge.tagmap import TagMap
from opcua_bridge.bridge.writes import TypedWriter

logger = logging.getLogger(__name__)
CONTROL_ROLES = frozenset(
    {TagRole.CHECKIN_REQUEST, TagRole.CHECKOUT_REQUEST, TagRole.PLC_HEARTBEAT}
)


class ClosedLoop:
    """Handshakes and heartbeat of one bridge, re-attached on every (re)connection."""

    def __init__(self, config: BridgeConfig, decider: Decider) -> None:
        self.config = config
        self.decider = decider
        self.executor = ThreadPoolExecutor(
            max_workers=config.decision_threads, thread_name_prefix="mes-decide"
        )
        self.timing = Timing()
        self.settler = Settler(decider, self.executor)
        self.plc_heartbeat = PlcHeartbeat()
        self.skipped: dict[str, str] = {}
        self._writer: TypedWriter | None = None
        self._handshakes: dict[str, Handshake] = {}  # request node id -> handshake
        self._tasks: dict[str, asyncio.Task] = {}
        self._heartbeat: asyncio.Task | None = None
        self._heartbeat_node = ""
        self._control: set[str] = set()  # request and PLC heartbeat nodes: never telemetry

    def notify(self, node_id: str, data: ua.DataValue) -> bool:
        """A subscription change: True when it was a control signal, taken here."""
        if node_id not in self._control:
            return False
        value = data.Value.Value if data.Value is not None else None
        handshake = self._handshakes.get(node_id)
        if handshake is not None:
            handshake.notify(value)
        elif node_id == self.plc_heartbeat.node_id:
            self.plc_heartbeat.seen(value)
        return True

    async def attach(self, client: Client, tag_map: TagMap) -> None:
        self._writer = TypedWriter(client)
        await self.apply(tag_map)

    async def apply(self, tag_map: TagMap) -> None:
        """Start the handshakes new in the map, stop the ones gone or changed."""
        self._control = {t.node_id for t in tag_map.tags if t.role in CONTROL_ROLES}
        writer = self._writer
        if writer is None:
            return
        found, self.skipped = handshakes_of(tag_map)
        wanted = {nodes.request.node_id: nodes for nodes in found}
        for node_id, handshake in list(self._handshakes.items()):
            if wanted.get(node_id) != handshake.nodes:
                await self._stop(node_id)
        for node_id, nodes in wanted.items():
            if node_id not in self._handshakes:
                self._start(node_id, nodes, writer)
        for message in self.skipped.items():
            logger.warning("handshake left out: %s: %s", *message)
        self._apply_heartbeat(tag_map)

    def _start(self, node_id: str, nodes: HandshakeNodes, writer: TypedWriter) -> None:
        handshake = Handshake(
            nodes,
            writer,
            self.decider,
            self.executor,
            answer_timeout_s=self.config.answer_timeout_s,
            poll_s=self.config.handshake_poll_s,
            timing=self.timing,
            settler=self.settler,
        )
        self._handshakes[node_id] = handshake
        self._tasks[node_id] = asyncio.create_task(
            handshake.run(), name=f"handshake-{nodes.station}-{nodes.side}"
        )

    async def _stop(self, node_id: str) -> None:
        self._handshakes.pop(node_id, None)
        task = self._tasks.pop(node_id, None)
        if task is not None:
            await cancel_until_done([task])

    def _apply_heartbeat(self, tag_map: TagMap) -> None:
        mine = [t for t in tag_map.tags if t.role == TagRole.MES_HEARTBEAT]
        theirs = [t for t in tag_map.tags if t.role == TagRole.PLC_HEARTBEAT]
        self.plc_heartbeat.node_id = theirs[0].node_id if theirs else ""
        node = mine[0].node_id if mine else ""
        if node == self._heartbeat_node and (self._heartbeat is not None or not node):
            return
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        self._heartbeat_node = node
        if mine and self._writer is not None:
            beat = Heartbeat(mine, self._writer, interval_s=self.config.heartbeat_s)
            self._heartbeat = asyncio.create_task(beat.run(), name="mes-heartbeat")

    async def detach(self) -> None:
        """The connection is going: stop everything started on it."""
        for node_id in list(self._tasks):
            await self._stop(node_id)
        self.settler.flush()
        if self._heartbeat is not None:
            await cancel_until_done([self._heartbeat])
            self._heartbeat, self._heartbeat_node = None, ""
        self._writer = None

    def close(self) -> None:
        self.settler.flush()
        self.executor.shutdown(wait=False, cancel_futures=True)
        close = getattr(self.decider, "close", None)
        if close is not None:
            close()

    def status(self, *, connected: bool) -> dict:
        """For the status file: the handshakes' figures and the PLC heartbeat's freshness."""
        return {
            "handshakes": len(self._handshakes),
            "skipped": self.skipped,
            "answered": self.timing.answered,
            "abandoned": self.timing.abandoned,
            "undecided": self.timing.undecided,
            "last_answer_ms": self.timing.last_ms,
            "plc_heartbeat_problem": self._plc_heartbeat_problem(connected),
            # which node, and when it last changed: the station screen's "stale since" banner
            "plc_heartbeat_node": self.plc_heartbeat.node_id,
            "plc_heartbeat_changed_at": iso_utc(self.plc_heartbeat.changed_wall),
        }

    def _plc_heartbeat_problem(self, connected: bool) -> str:
        """Why the PLC's heartbeat is not fresh, or "" (none mapped, or not connected: the
        connection's own state says that)."""
        if not self.plc_heartbeat.node_id or not connected:
            return ""
        age = self.plc_heartbeat.age_s()
        limit = self.config.plc_heartbeat_stale_s
        if age is None:
            return f"PLC heartbeat {self.plc_heartbeat.node_id}: no value yet"
        if age > limit:
            return f"PLC heartbeat {self.plc_heartbeat.node_id} unchanged for {age:.0f} s"
        return ""
