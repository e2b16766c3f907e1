"""The async shell: an asyncua Server that publishes what the pure LineModel produces.

One tick every `tick_s` wall seconds steps the model by `tick_s * speed` line seconds and writes
the step's values and events to the address space, in order, with strictly increasing source
timestamps (a unit-id change sorts after the values of the unit before it). Faults go into the
model; a restart rebuilds the whole server on the same endpoint, as a PLC reboot would.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from asyncua import Server, ua

from . import scenario
from .address_space import EVENT_FIELDS, AddressSpace, build_address_space
from .catalog import DEFAULT_LINE_FILE, DEFAULT_TAGS_FILE, INTERLOCKED, LinePlan, load_plan
from .deadband import honour_deadbands
from .faults import GOOD, FaultKind
from .methods import simulator_methods
from .model import CheckRequest, LineModel, ResultEvent, Write
from .plc_side import PlcSide
from .security import PasswordUserManager, check_security_options, configure_security

logger = logging.getLogger("opcua_bridge.simulator")

APPLICATION_URI = "urn:cell-line-mes:simulator:server"
ONE_MICROSECOND = timedelta(microseconds=1)


class Written(NamedTuple):
    """One value the simulator wrote to a node (value None when the status is bad)."""

    seq: int
    value: float | str | None
    source_timestamp: datetime
    status: int


@dataclass
class SimulatorOptions:
    """How to run the simulator; every field has the demo's default."""

    endpoint: str = "opc.tcp://127.0.0.1:4840/"
    speed: float = 1.0
    seed: int = 1
    tick_s: float = 1.0
    certificate: Path | None = None
    private_key: Path | None = None
    users: dict[str, str] = field(default_factory=dict)
    allow_none: bool | None = None
    line_file: Path = DEFAULT_LINE_FILE
    tags_file: Path = DEFAULT_TAGS_FILE
    history_per_node: int = 100_000
    report_every_s: float = 60.0
    scenario: str = ""  # a name of opcua_bridge.simulator.scenario.SCENARIOS, or none
    # Serve only these machines (station codes; empty: all). The whole line is still modelled,
    # so a machine's values are those a whole-line simulator would serve: one process per PLC.
    stations: tuple[str, ...] = ()
    # The closed loop (plc_side.py): STACK-01 and WIP-01 check every cell in and out with the
    # MES and wait for its answers; off, the cells flow without asking (the telemetry tests).
    interlocks: bool = False
    answer_timeout_s: float = 5.0  # no done within this: the cell is NOK
    mes_heartbeat_timeout_s: float = 5.0  # MES heartbeat unchanged this long: hold new cells
    plc_heartbeat_s: float = 1.0  # the PLC heartbeat counts once per this many wall seconds


class LineSimulator:
    """The simulated line PLCs. See opcua_bridge.simulator for the public API."""

    def __init__(self, options: SimulatorOptions | None = None, **overrides) -> None:
        self.options = options or SimulatorOptions(**overrides)
        if options is not None and overrides:
            raise TypeError("give SimulatorOptions or keyword overrides, not both")
        if self.options.speed <= 0 or self.options.tick_s <= 0:
            raise ValueError("speed and tick_s must be positive")
        opts = self.options
        check_security_options(opts.endpoint, opts.certificate, opts.private_key, opts.allow_none)
        self.plan: LinePlan = load_plan(opts.line_file, opts.tags_file)
        known = {tag.station for tag in self.plan.tags}
        if unknown := sorted(set(opts.stations) - known):
            raise ValueError(f"no such machine: {', '.join(unknown)} (known: {sorted(known)})")
        self._serves = set(opts.stations or known)
        self.interlocked = tuple(s for s in INTERLOCKED if opts.interlocks and s in self._serves)
        self.model = LineModel(self.plan, seed=self.options.seed, interlocked=self.interlocked)
        self.plc = PlcSide(
            self.plan,
            self.model,
            self._serving,
            answer_timeout_s=opts.answer_timeout_s,
            mes_heartbeat_timeout_s=opts.mes_heartbeat_timeout_s,
            plc_heartbeat_s=opts.plc_heartbeat_s,
        )
        self.steps = 0
        self._server: Server | None = None
        self._space: AddressSpace | None = None
        self._tick_task: asyncio.Task | None = None
        self._restart_task: asyncio.Task | None = None
        self._last_dv: dict[tuple[str, str], ua.DataValue] = {}
        self._seq: dict[str, int] = defaultdict(int)
        self._log: dict[str, deque[Written]] = {}
        self._emitted: dict[str, list[dict]] = defaultdict(list)
        self._last_ts = datetime.min.replace(tzinfo=UTC)
        self._counts = {"values": 0, "events": 0}
        # A step's writes and a server stop never interleave: a value is either written to a
        # serving server (and logged) or not produced at all.
        self._serving_lock = asyncio.Lock()

    # ----- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Build and start the server; the first step's values are in place before it listens."""
        if self._tick_task is not None:
            raise RuntimeError("the simulator is already running")
        server, space = await self._build_server()
        self._server, self._space = server, space
        if self.steps == 0:
            await self._step()
        else:
            await self._restore_values()
        await server.start()
        self._tick_task = asyncio.create_task(self._tick_loop(), name="simulator-ticks")
        logger.info("simulated line serving on %s", self.options.endpoint)

    async def stop(self) -> None:
        """Stop ticking and close the server (all client connections go)."""
        await self.plc.stop()
        for task in (self._restart_task, self._tick_task):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._tick_task = self._restart_task = None
        await self._stop_server()

    async def restart(self, down_s: float = 1.0) -> None:
        """Stop the server, stay down for at least down_s, start again on the same endpoint.

        The line pauses while the server is down (nothing is produced that nobody could read).
        Sessions and subscriptions do not survive, as on a PLC reboot; the nodes come back
        holding their last written DataValue (same source timestamp).
        """
        await self._stop_server()
        down = asyncio.create_task(asyncio.sleep(down_s))
        server, space = await self._build_server()
        await down
        self._server, self._space = server, space
        await self._restore_values()
        await server.start()
        logger.info("simulated line back on %s after a restart", self.options.endpoint)

    def restart_soon(self, down_s: float) -> None:
        """Restart from inside a method call: let the call's response go out first."""

        async def later() -> None:
            await asyncio.sleep(0.2)
            await self.restart(down_s)

        self._restart_task = asyncio.create_task(later(), name="simulator-restart")

    async def __aenter__(self) -> LineSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.stop()

    @property
    def is_serving(self) -> bool:
        return self._server is not None

    @property
    def endpoint(self) -> str:
        return self.options.endpoint

    @property
    def namespace_index(self) -> int:
        if self._space is None:
            raise RuntimeError("the simulator has not started")
        return self._space.namespace_index

    # ----- reading what was produced -----------------------------------------------------------

    def node_id(self, station: str, channel: str) -> str:
        """The node id text of a station's parameter or role, e.g. `ns=2;s=COAT-01.WebSpeed`."""
        identifier = self.plan.tag(station, channel).identifier
        return f"ns={self.namespace_index};s={identifier}"

    def written(self, node_id: str) -> list[Written]:
        """Every value written to the node (oldest first, up to history_per_node), with its seq."""
        return list(self._log.get(node_id, ()))

    def plc_node_id(self, station: str, channel: str) -> str:
        """The node id text of a PLC node that is no tag (`reject_count`, `mes_link`)."""
        if self._space is None:
            raise RuntimeError("the simulator has not started")
        return self._space.plc_nodes[(station, channel)].to_string()

    def answers(self, station: str | None = None) -> list[tuple[CheckRequest, int]]:
        """The MES's answers to the interlocked stations' requests (0: none in time)."""
        return [a for a in self.plc.answers if station in (None, a[0].station)]

    def rejects(self, station: str) -> int:
        return self.model.rejects[station]

    def emitted(self, station: str) -> list[dict]:
        """Every result event the station emitted: its fields plus `time` (the event's Time)."""
        return list(self._emitted[station])

    # ----- faults (line time inside the model; durations here are wall seconds) ---------------

    def inject(
        self, kind: str, station: str, parameter: str, duration_s: float = 0.0, magnitude=0.0
    ) -> str:
        """Inject a fault now: kind is drift, spike, stuck, bad_status or nan."""
        fault = FaultKind(kind)
        line_s = max(0.0, float(duration_s)) * self.options.speed
        self.model.inject(fault, station, parameter, line_s, float(magnitude))
        logger.info("fault %s on %s %s for %s s", fault, station, parameter, duration_s)
        return f"{fault} on {station} {parameter}"

    def inject_drift(
        self, station: str, parameter: str, magnitude: float, duration_s: float
    ) -> str:
        return self.inject(FaultKind.DRIFT, station, parameter, duration_s, magnitude)

    def inject_spike(self, station: str, parameter: str, magnitude: float) -> str:
        return self.inject(FaultKind.SPIKE, station, parameter, 0.0, magnitude)

    def inject_stuck(self, station: str, parameter: str, duration_s: float) -> str:
        return self.inject(FaultKind.STUCK, station, parameter, duration_s)

    def inject_bad_status(self, station: str, parameter: str, duration_s: float) -> str:
        return self.inject(FaultKind.BAD_STATUS, station, parameter, duration_s)

    def inject_nan(self, station: str, parameter: str, duration_s: float) -> str:
        return self.inject(FaultKind.NAN, station, parameter, duration_s)

    def inject_jam(self, station: str, duration_s: float, reason_code: int) -> str:
        """The station jams now for duration_s wall seconds: no cell moves, it reports PackML
        Held (11) with reason_code, the rest of the cell flow Suspended (5)."""
        line_s = float(duration_s) * self.options.speed
        self.model.inject_jam(station, line_s, int(reason_code))
        logger.info("jam on %s for %s s, reason %s", station, duration_s, reason_code)
        return f"jam on {station} for {duration_s} s, reason {int(reason_code)}"

    def inject_unload_shift(self, magnitude: float) -> str:
        """The next cell the stacker hands over reads magnitude mm off on the X-ray after
        unloading (its result event), though it was in place at the check-out."""
        self.model.inject_unload_shift(float(magnitude))
        logger.info("unload shift of %s mm on the next stacked cell", magnitude)
        return f"unload shift {magnitude} mm on STACK-01"

    def change_roll(self, station: str = "COAT-01") -> str:
        """Start a new roll now (COAT-01: next mother roll; STACK-01: next feed roll)."""
        roll = self.model.change_roll(station)
        logger.info("roll change on %s: %s", station, roll)
        return roll

    def clear_faults(self, station: str | None = None, parameter: str | None = None) -> int:
        return self.model.clear_faults(station or None, parameter or None)

    # ----- the server --------------------------------------------------------------------------

    async def _build_server(self) -> tuple[Server, AddressSpace]:
        opts = self.options
        manager = PasswordUserManager(opts.users) if opts.users else None
        server = Server(user_manager=manager)
        await server.init()
        honour_deadbands(server)  # a deadband in the tag map acts as on a PLC (deadband.py)
        # asyncua's clock task sleeps 1 s per loop and stop() waits for it; we tick the clock.
        server.disable_clock(True)
        server.set_endpoint(opts.endpoint)
        server.set_server_name("cell-line-mes simulated line")
        await server.set_application_uri(APPLICATION_URI)
        await configure_security(
            server,
            endpoint=opts.endpoint,
            certificate=opts.certificate,
            private_key=opts.private_key,
            users=opts.users,
            allow_none=opts.allow_none,
        )
        space = await build_address_space(
            server, self.plan, simulator_methods(self), stations=self._serves
        )
        return server, space

    async def _stop_server(self) -> None:
        async with self._serving_lock:
            server, self._server = self._server, None
            if server is not None:
                await server.stop()
                logger.info("simulated line server stopped")

    def _serving(self) -> tuple[Server, AddressSpace] | None:
        """The same for the PLC side's programs, which wait (None) while the server is down."""
        if self._server is None or self._space is None:
            return None
        return self._server, self._space

    def _live(self) -> tuple[Server, AddressSpace]:
        """The serving server and its address space (steps and writes run only while serving)."""
        if self._server is None or self._space is None:
            raise RuntimeError("the simulated line is not serving")
        return self._server, self._space

    async def _restore_values(self) -> None:
        server, space = self._live()
        for key, data_value in self._last_dv.items():
            await server.write_attribute_value(space.nodes[key], data_value)
        await self.plc.restore()

    async def _tick_loop(self) -> None:
        loop = asyncio.get_running_loop()
        tick_s = self.options.tick_s
        next_at = loop.time()
        last_report = loop.time()
        while True:
            next_at += tick_s
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            if loop.time() - next_at > 5 * tick_s:
                next_at = loop.time()  # after a stall (a restart's build), no burst to catch up
            try:
                async with self._serving_lock:
                    if self._server is not None:
                        await self._step()
                        await self.plc.tick(self.interlocked)
                        await self._write_clock()
            except Exception:
                # One bad step must not end the line; the next tick tries again.
                logger.exception("simulator step failed")
            if loop.time() - last_report >= self.options.report_every_s:
                last_report = loop.time()
                self._report()

    async def _step(self) -> None:
        result = self.model.step(self.options.tick_s * self.options.speed)
        self.steps += 1
        for item in result.items:
            if item.station not in self._serves:
                continue
            self._last_ts = max(datetime.now(UTC), self._last_ts + ONE_MICROSECOND)
            if isinstance(item, Write):
                await self._write(item, self._last_ts)
            else:
                await self._emit(item, self._last_ts)
        for request in result.requests:
            self.plc.start(request)

    async def _write(self, write: Write, timestamp: datetime) -> None:
        server, space = self._live()
        key = (write.station, write.channel)
        node = space.nodes[key]
        variant = ua.Variant(write.value, space.variant_types[key])
        data_value = ua.DataValue(
            Value=variant,
            StatusCode=ua.StatusCode(ua.UInt32(write.status)),
            SourceTimestamp=timestamp,  # type: ignore[arg-type]  # asyncua annotates its datetime subclass; it encodes any datetime
            ServerTimestamp=timestamp,  # type: ignore[arg-type]  # asyncua annotates its datetime subclass; it encodes any datetime
        )
        await server.write_attribute_value(node, data_value)
        self._last_dv[key] = data_value
        text = node.to_string()
        self._seq[text] += 1
        value = write.value if write.status == GOOD else None
        log = self._log.setdefault(text, deque(maxlen=self.options.history_per_node))
        log.append(Written(self._seq[text], value, timestamp, write.status))
        self._counts["values"] += 1

    async def _emit(self, event: ResultEvent, timestamp: datetime) -> None:
        generator = self._live()[1].generators[event.station]
        for name, _variant_type in EVENT_FIELDS:
            setattr(generator.event, name, event.fields.get(name))
        generator.event.Severity = 100 if event.fields.get("result") == "OK" else 600
        message = f"{event.fields['serial']} {event.fields['result']}"
        await generator.trigger(time_attr=timestamp, message=message)
        self._emitted[event.station].append({**event.fields, "time": timestamp})
        self._counts["events"] += 1

    async def _write_clock(self) -> None:
        now = datetime.now(UTC)
        data_value = ua.DataValue(Value=ua.Variant(now, ua.VariantType.DateTime))
        node = ua.NodeId(ua.Int32(ua.ObjectIds.Server_ServerStatus_CurrentTime))
        await self._live()[0].write_attribute_value(node, data_value)

    def _report(self) -> None:
        """One log line: what was produced since the last one, and where the line is."""
        counts, self._counts = self._counts, {"values": 0, "events": 0}
        faults = sum(len(channel.faults) for channel in self.model.channels.values())
        logger.info(
            "last %g s: %d values, %d result events; roll %s at %.1f m, stacking %s, "
            "%d fault(s) active, line time %.0f s%s",
            self.options.report_every_s,
            counts["values"],
            counts["events"],
            self.model.roll_id,
            self.model.web_position_m,
            self.model.cells.serial(self.model.cells.cell_number),
            faults,
            self.model.time_s,
            "" if self.is_serving else " (server down)",
        )


async def run_until_signalled(options: SimulatorOptions) -> None:
    """Serve until SIGTERM or SIGINT, then stop cleanly (the management command's body)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    simulator = LineSimulator(options)
    try:
        async with simulator:
            faults = None
            if options.scenario:
                faults = asyncio.create_task(
                    scenario.play(simulator, scenario.SCENARIOS[options.scenario])
                )
            await stop.wait()
            logger.info("signal received, stopping")
            if faults is not None:
                faults.cancel()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
