"""The four-phase handshake with each station's PLC, for check-in and check-out.

  PLC: serial (+ result and values) then request=1   ->  bridge reads them now, asks the MES
  bridge: response (Int16 or as declared), done=1    ->  PLC reads response, request=0
  bridge: done=0                                      ->  idle; the PLC may ask again

Each handshake is a small loop that reads the PLC's request and done, and acts on what it finds
there, not on what it remembers: a request already up when the bridge (re)connects is answered,
a done left up after a restart is cleared, and the same question asked twice (the MES's answer
written but done lost with the connection) gets the same decision, because the handshake id is
built from the PLC's own request (station, side, serial, the request's source time) and the MES
keeps one decision per id. A request dropped before the answer abandons it: nothing is written.
Subscription notifications wake the loop at once; a poll every `handshake_poll_s` is the net
for a notification the PLC restart swallowed.
"""

import asyncio
import contextlib
import hashlib
import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime

from asyncua import ua

from lines.models import TagRole
from lines.services.interlocks import CheckoutValue
from opcua_bridge.bridge.decisions import CHECKIN, CHECKOUT, Decider, Question
from opcua_bridge.bridge.tagmap import TagMap, TagSpec
from opcua_bridge.bridge.writes import TypedWriter

logger = logging.getLogger(__name__)
UNDECIDED = 9
ROLES = {
    CHECKIN: (TagRole.CHECKIN_SERIAL, TagRole.CHECKIN_REQUEST, TagRole.CHECKIN_RESPONSE,
              TagRole.CHECKIN_DONE),
    CHECKOUT: (TagRole.CHECKOUT_SERIAL, TagRole.CHECKOUT_REQUEST, TagRole.CHECKOUT_RESPONSE,
               TagRole.CHECKOUT_DONE),
}  # fmt: skip


@dataclass(frozen=True)
class HandshakeNodes:
    """The nodes of one station's check-in or check-out, from the tag map."""

    station: str
    side: str
    serial: TagSpec
    request: TagSpec
    response: TagSpec
    done: TagSpec
    result: TagSpec | None = None  # check-out only
    values: tuple[TagSpec, ...] = ()  # check-out: the station's process values


def handshakes_of(tag_map: TagMap) -> tuple[list[HandshakeNodes], dict[str, str]]:
    """Every complete handshake of the map, and why each incomplete one is left out."""
    by_station: dict[str, dict[str, TagSpec]] = {}
    values: dict[str, list[TagSpec]] = {}
    for tag in tag_map.tags:
        if tag.role:
            by_station.setdefault(tag.station, {})[tag.role] = tag
        elif tag.parameter:
            values.setdefault(tag.station, []).append(tag)
    found, skipped = [], {}
    for station, roles in sorted(by_station.items()):
        for side, names in ROLES.items():
            present = [roles.get(name) for name in names]
            if not any(present):
                continue
            missing = [name for name, spec in zip(names, present, strict=True) if spec is None]
            result = roles.get(TagRole.CHECKOUT_RESULT) if side == CHECKOUT else None
            if side == CHECKOUT and result is None:
                missing.append(TagRole.CHECKOUT_RESULT)
            if missing:
                skipped[f"{station} {side}"] = "missing roles: " + ", ".join(missing)
                continue
            extra = tuple(values.get(station, ())) if side == CHECKOUT else ()
            serial, request, response, done = (spec for spec in present if spec is not None)
            found.append(
                HandshakeNodes(
                    station, side, serial, request, response, done, result=result, values=extra
                )
            )
    return found, skipped


def handshake_id(station: str, side: str, serial: str, request: ua.DataValue) -> str:
    """The PLC's request, named: the same request read again (after a reconnect or a restart)
    has the same id; the next request for the same serial has a later source time."""
    stamp = request.SourceTimestamp or request.ServerTimestamp
    moment = stamp.isoformat() if stamp else f"bridge-{time.time_ns()}"  # no stamp: not repeatable
    text = f"{station}|{side}|{serial}|{moment}"
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:40]


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def checkout_value(spec: TagSpec, data: ua.DataValue) -> CheckoutValue:
    """A process value read at the trigger, as a sample of the unit (or why it is unusable)."""
    status = data.StatusCode
    if status is not None and not status.is_good():
        return CheckoutValue(spec.node_id, spec.parameter, None, f"status {status.name}")
    raw = data.Value.Value if data.Value is not None else None
    if isinstance(raw, bool | int | float) and math.isfinite(float(raw)):
        return CheckoutValue(spec.node_id, spec.parameter, float(raw))
    return CheckoutValue(spec.node_id, spec.parameter, None, f"not a number: {raw!r}"[:200])


class Settler:
    """What became of the answers (written, or abandoned), handed to the MES in batches: one
    UPDATE per `every_s` for every station instead of a transaction per handshake. It is
    book-keeping no PLC waits for, done in the decision pool; a failure is logged, and the
    record keeps the decision (state `decided`) that the PLC's next read of the MES shows."""

    def __init__(self, decider: Decider, executor: Executor, every_s: float = 0.25) -> None:
        self.decider = decider
        self.executor = executor
        self.every_s = every_s
        self._pending: list[tuple[str, datetime | None, int | None]] = []
        self._timer: asyncio.TimerHandle | None = None

    def add(self, key: str, at: datetime | None, ms: int | None) -> None:
        """In the event loop: one answer's outcome, written with the next batch."""
        self._pending.append((key, at, ms))
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.every_s, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, []
        if batch:
            future = self.executor.submit(self.decider.settle, batch)
            future.add_done_callback(_log_failure)


@dataclass
class Timing:
    """Figures of the handshakes this bridge answered (status file, bench)."""

    answered: int = 0
    abandoned: int = 0
    undecided: int = 0
    last_ms: int = 0


class Handshake:
    """One station's check-in or check-out on one connection."""

    def __init__(
        self,
        nodes: HandshakeNodes,
        writer: TypedWriter,
        decider: Decider,
        executor: Executor,
        *,
        answer_timeout_s: float,
        poll_s: float,
        timing: Timing,
        settler: Settler,
    ) -> None:
        self.nodes = nodes
        self.writer = writer
        self.decider = decider
        self.executor = executor
        self.answer_timeout_s = answer_timeout_s
        self.poll_s = poll_s
        self.timing = timing
        self.settler = settler
        self.changed = asyncio.Event()
        self._edge_at: float | None = None  # when the rising edge was noticed (monotonic)

    def notify(self, value: object) -> None:
        """A change of the request node (from the subscription, in the event loop)."""
        if value is True and self._edge_at is None:
            self._edge_at = time.monotonic()
        self.changed.set()

    async def run(self) -> None:
        while True:
            try:
                await self.step()
            except Exception as exc:  # noqa: BLE001 - the loop must outlive any one failure
                # The connection's supervisor notices a lost server; here only log and retry:
                # the next step reads the PLC's state again and the MES keeps its decision.
                logger.warning("%s %s: %s", self.nodes.station, self.nodes.side, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), timeout=self.poll_s)
            self.changed.clear()

    async def step(self) -> None:
        """Act on the PLC's request and done as they are now. One Read takes them with the
        serial (and the check-out's result and values): the PLC wrote those before it raised
        request, so they are the question's, and the answer saves a round trip per handshake."""
        nodes = self.nodes
        asked = [nodes.serial] + ([nodes.result] if nodes.result else []) + list(nodes.values)
        read = await self.writer.read_many(
            [nodes.request.node_id, nodes.done.node_id] + [spec.node_id for spec in asked]
        )
        request, done = read[0], read[1]
        asking, answered = _is_true(request), _is_true(done)
        if asking and not answered:
            await self._answer(request, read[2:])
        elif not asking and answered:
            await self.writer.write(nodes.done, False)  # the PLC took the answer
            self._edge_at = None
        elif not asking:
            self._edge_at = None

    async def _answer(self, request: ua.DataValue, asked: list[ua.DataValue]) -> None:
        started = self._edge_at or time.monotonic()
        question = self._question(request, asked, started)
        code = await self._decide(question)
        (still,) = await self.writer.read_many([self.nodes.request.node_id])
        if not _is_true(still):  # the PLC gave up waiting: write nothing
            self.timing.abandoned += 1
            self._settle(question.handshake_id, None, None)
            self._edge_at = None
            return
        await self.writer.write(self.nodes.response, code)
        await self.writer.write(self.nodes.done, True)
        elapsed_ms = round((time.monotonic() - started) * 1000)
        self.timing.answered += 1
        self.timing.last_ms = elapsed_ms
        self._settle(question.handshake_id, datetime.now(UTC), elapsed_ms)

    def _question(
        self, request: ua.DataValue, read: list[ua.DataValue], started: float
    ) -> Question:
        """The question from the serial, result and values read with the request."""
        nodes = self.nodes
        serial = text_of(read[0].Value.Value if read[0].Value is not None else None)
        result = None
        if nodes.result is not None:
            raw = read[1].Value.Value if read[1].Value is not None else None
            result = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        offset = 1 + (nodes.result is not None)
        values = tuple(
            checkout_value(spec, data)
            for spec, data in zip(nodes.values, read[offset:], strict=True)
        )
        return Question(
            station=nodes.station,
            side=nodes.side,
            serial=serial,
            handshake_id=handshake_id(nodes.station, nodes.side, serial, request),
            requested_at=request.SourceTimestamp or datetime.now(UTC),
            answer_by=started + self.answer_timeout_s,
            result=result,
            values=values,
        )

    async def _decide(self, question: Question) -> int:
        """The MES's code, or 9 when it cannot say in time (never 1 when unsure)."""
        loop = asyncio.get_running_loop()
        remaining = max(question.answer_by - time.monotonic(), 0.01)
        call = loop.run_in_executor(self.executor, self.decider.decide, question)
        try:
            return await asyncio.wait_for(asyncio.shield(call), timeout=remaining)
        except Exception as exc:  # noqa: BLE001 - whatever failed, the PLC gets 9, never 1
            error = f"no decision within {self.answer_timeout_s:.1f} s"
            if not isinstance(exc, TimeoutError):
                error = f"{type(exc).__name__}: {exc}"[:300]
            logger.warning("%s %s %r: code 9 (%s)", question.station, question.side,
                           question.serial, error)  # fmt: skip
            self.timing.undecided += 1
            self._background(self.decider.record_undecided, question, error)
            return UNDECIDED

    def _settle(self, key: str, at: datetime | None, ms: int | None) -> None:
        self.settler.add(key, at, ms)

    def _background(self, call: Callable[..., None], *args: object) -> None:
        """Book-keeping after the answer: in the pool, never delaying the PLC; a failure is
        logged. A bound method and its arguments, not a closure: the pool may be processes."""
        future = self.executor.submit(call, *args)
        future.add_done_callback(_log_failure)


def _log_failure(future) -> None:  # noqa: ANN001
    exc = future.exception()
    if exc is not None:
        logger.warning("interlock book-keeping failed: %s", exc)


def _is_true(data: ua.DataValue) -> bool:
    return bool(data.Value is not None and data.Value.Value is True)
