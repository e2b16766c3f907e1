"""The PLC side of the closed loop, as the simulated stations' programs do it over their own nodes.

Per request of the model (a cell to check in or out at STACK-01 or WIP-01), the four-phase
handshake of docs/integration-guide.md section 5: write the serial (check-out: and the result; the
station's measured values are already in its parameter nodes), set request, wait for done, read
response, clear request, wait for done to fall. No done within `answer_timeout_s` is NOK (0).

Every tick: the PLC heartbeat counts on (INT, wrapping at 32767), the MES heartbeat is watched
(unchanged for `mes_heartbeat_timeout_s`: new cells are held, not checked in, until it counts
again; the station's MesLink node and the log say so), set-points written by the MES become the
model's targets, and each station's RejectCount node shows the cells it refused.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from asyncua import Server, ua
from django.utils.translation import gettext as _

from .address_space import MES_LINK, REJECT_COUNT, AddressSpace
from .catalog import ROLE_MES_HEARTBEAT, ROLE_PLC_HEARTBEAT, ROLE_SETPOINT, LinePlan
from .model import CHECKIN, CHECKOUT, CheckRequest, LineModel

logger = logging.getLogger("opcua_bridge.simulator")

V = ua.VariantType
INT16_MAX = 32767
NO_ANSWER = 0  # no done in time: the PLC treats the cell as NOK
HELD_TEXT = "MES heartbeat lost: new cells held"
POLL_S = 0.02
_UNSEEN = object()


class PlcSide:
    """The simulated PLCs' closed-loop logic; `space()` gives the current server's nodes (a
    restart builds a new address space)."""

    def __init__(
        self,
        plan: LinePlan,
        model: LineModel,
        serving: Callable[[], tuple[Server, AddressSpace] | None],
        *,
        answer_timeout_s: float,
        mes_heartbeat_timeout_s: float,
        plc_heartbeat_s: float,
    ) -> None:
        self.plan = plan
        self.model = model
        self.serving = serving
        self.answer_timeout_s = answer_timeout_s
        self.mes_heartbeat_timeout_s = mes_heartbeat_timeout_s
        self.plc_heartbeat_s = plc_heartbeat_s
        self.answers: list[tuple[CheckRequest, int]] = []  # every answer, oldest first
        self._tasks: set[asyncio.Task] = set()
        # The MES counts as alive once its heartbeat has changed, and for the timeout after each
        # change: a value that was there at start proves nothing.
        self._mes_beat: Any = _UNSEEN
        self._mes_beat_at = -math.inf
        self._plc_beat = 0
        self._plc_beat_at = 0.0
        self._setpoints: dict[tuple[str, str], float] = {}
        self._shown: dict[tuple[str, str], Any] = {}
        self.held = False

    # ----- nodes -------------------------------------------------------------------------------

    def _node(self, station: str, channel: str) -> tuple[Server, ua.NodeId] | None:
        serving = self.serving()
        if serving is None:
            return None
        server, space = serving
        node = space.plc_nodes.get((station, channel))
        return None if node is None else (server, node)

    def read(self, station: str, channel: str) -> Any:
        found = self._node(station, channel)
        if found is None:
            return None
        server, node = found
        variant = server.read_attribute_value(node).Value
        return None if variant is None else variant.Value

    async def write(self, station: str, channel: str, value: Any, kind: ua.VariantType) -> None:
        found = self._node(station, channel)
        if found is None:
            raise ConnectionError(
                _("%(station)s %(channel)s: the PLC is not serving")
                % {"station": station, "channel": channel}
            )
        server, node = found
        await server.write_attribute_value(node, ua.DataValue(ua.Variant(value, kind)))
        self._shown[(station, channel)] = value

    async def _show(self, station: str, channel: str, value: Any, kind: ua.VariantType) -> None:
        """Write a status node only when what it shows changes (or after a restart)."""
        if self.read(station, channel) != value:
            await self.write(station, channel, value, kind)

    # ----- the handshake -----------------------------------------------------------------------

    def start(self, request: CheckRequest) -> None:
        task = asyncio.create_task(self._answer(request), name=f"plc-{request.station}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, request: CheckRequest) -> None:
        try:
            code = await self.handshake(request)
        except Exception as exc:  # noqa: BLE001 - a PLC without an answer treats the cell as NOK
            logger.warning("%s %s %s: no answer (%s)", request.station, request.side,
                           request.serial, exc)  # fmt: skip
            code = NO_ANSWER
        self.answers.append((request, code))
        if code != 1:
            logger.info("%s refused %s at %s (code %s): rejected", request.station,
                        request.serial, request.side, code)  # fmt: skip
        self.model.answer(request, code)

    async def handshake(self, request: CheckRequest) -> int:
        station, side = request.station, request.side
        if side == CHECKIN:
            while self.mes_heartbeat_stale():  # safe state: no new cell while the MES is gone
                await asyncio.sleep(0.1)
        # A previous answer's done must have fallen before a new request (phase 4).
        await self._wait(
            lambda: not self.read(station, f"{side}_done"),
            _("%(side)s done did not fall within %(s)s s"),
            side,
        )
        await self.write(station, f"{side}_serial", request.serial, V.String)
        if side == CHECKOUT:
            await self.write(station, "checkout_result", request.result, V.Int16)
        await self.write(station, f"{side}_request", True, V.Boolean)
        try:
            await self._wait(
                lambda: self.read(station, f"{side}_done"),
                _("%(side)s done did not rise within %(s)s s"),
                side,
            )
        except TimeoutError:
            await self.write(station, f"{side}_request", False, V.Boolean)
            return NO_ANSWER
        code = self.read(station, f"{side}_response")
        await self.write(station, f"{side}_request", False, V.Boolean)
        return int(code) if isinstance(code, int) else NO_ANSWER

    async def _wait(self, condition: Callable[[], Any], late: str, side: str) -> None:
        deadline = time.monotonic() + self.answer_timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(late % {"side": side, "s": self.answer_timeout_s})
            await asyncio.sleep(POLL_S)

    # ----- every tick --------------------------------------------------------------------------

    def mes_heartbeat_stale(self) -> bool:
        return time.monotonic() - self._mes_beat_at > self.mes_heartbeat_timeout_s

    async def tick(self, interlocked: tuple[str, ...]) -> None:
        if self.serving() is None:
            return
        now = time.monotonic()
        beat = self._find(ROLE_MES_HEARTBEAT)
        if beat is not None:
            value = self.read(*beat)
            if self._mes_beat is _UNSEEN:
                self._mes_beat = value
            elif value != self._mes_beat:
                self._mes_beat, self._mes_beat_at = value, now
        plc_beat = self._find(ROLE_PLC_HEARTBEAT)
        if plc_beat is not None and now - self._plc_beat_at >= self.plc_heartbeat_s:
            self._plc_beat = 0 if self._plc_beat >= INT16_MAX else self._plc_beat + 1
            self._plc_beat_at = now
            await self.write(*plc_beat, self._plc_beat, V.Int16)
        held = bool(interlocked) and self.mes_heartbeat_stale()
        if held != self.held:
            self.held = held
            if held:
                logger.warning("%s at %s", HELD_TEXT, ", ".join(interlocked))
            else:
                logger.info("MES heartbeat back: cells are checked in again")
        for station in interlocked:
            await self._show(station, MES_LINK, HELD_TEXT if held else "OK", V.String)
            await self._show(station, REJECT_COUNT, self.model.rejects[station], V.Int32)
        self._follow_setpoints()

    def _find(self, role: str) -> tuple[str, str] | None:
        for tag in self.plan.tags:
            if tag.role == role and self._node(tag.station, tag.channel) is not None:
                return tag.station, tag.channel
        return None

    def _follow_setpoints(self) -> None:
        for tag in self.plan.tags:
            if tag.role != ROLE_SETPOINT or self._node(tag.station, tag.channel) is None:
                continue
            value = self.read(tag.station, tag.channel)
            key = (tag.station, tag.parameter)
            if isinstance(value, int | float) and self._setpoints.get(key) != value:
                if key in self._setpoints or value != self.model.target(*key):
                    logger.info("set-point %s %s -> %s", tag.station, tag.parameter, value)
                self._setpoints[key] = float(value)
                self.model.set_target(tag.station, tag.parameter, float(value))

    async def restore(self) -> None:
        """After a restart (new nodes at their initial values): put the set-points the MES wrote
        back, as a PLC keeps them in retentive memory."""
        for (station, parameter), value in self._setpoints.items():
            await self.write(station, f"{ROLE_SETPOINT}:{parameter}", value, V.Float)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
