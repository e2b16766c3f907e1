"""Real components for the bridge tests: an asyncua server and the bridge, each in a thread with
its own event loop, driven from a plain (sync) test. Also a throwaway redis-server."""

import asyncio
import concurrent.futures
import io
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asyncua import Server, ua
from asyncua.crypto.permission_rules import User, UserRole

from lines.ingest.wire import samples_of
from opcua_bridge.bridge.client import Bridge
from opcua_bridge.bridge.config import BridgeConfig
from opcua_bridge.bridge.runner import build_bridge
from opcua_bridge.simulator.deadband import honour_deadbands
from opcua_bridge.simulator.typed_nodes import add_typed_variable

NAMESPACE = "urn:cell-line-mes:test-plc"
SERVER_URI = "urn:example.com:test-plc"
RESULT_FIELDS = [
    ("serial", ua.VariantType.String),
    ("result", ua.VariantType.String),
    ("sequence", ua.VariantType.Int32),
    ("feed_roll", ua.VariantType.String),
    ("feed_from_m", ua.VariantType.Double),
    ("feed_to_m", ua.VariantType.Double),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll until `condition()` is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


async def _cancel_tasks() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def where_everything_waits(loop: asyncio.AbstractEventLoop) -> str:
    """Every thread's stack and every task of `loop`: what a stop that hangs is waiting for."""
    out = io.StringIO()
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    for ident, frame in sys._current_frames().items():
        out.write(f"--- thread {names.get(ident, ident)}\n")
        out.write("".join(traceback.format_stack(frame)))
    for task in asyncio.all_tasks(loop):
        out.write(f"--- task {task.get_name()}\n")
        task.print_stack(file=out)
    return out.getvalue()


class LoopThread:
    """An event loop running in a daemon thread; `call` runs a coroutine there and waits."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    def submit(self, coro: Coroutine) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, coro: Coroutine, timeout: float = 20) -> Any:
        return self.submit(coro).result(timeout)

    def close(self) -> None:
        self.call(_cancel_tasks())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@dataclass
class Security:
    """Basic256Sha256 SignAndEncrypt only, users and passwords checked."""

    certificate: Path
    private_key: Path
    users: dict[str, str] = field(default_factory=dict)


class PasswordUsers:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def get_user(self, iserver, username=None, password=None, certificate=None):
        if username in self.users and self.users[username] == password:
            return User(role=UserRole.User)
        return None


class PlcServer:
    """A small PLC: one object `PLC` with variables `ns=2;s=<name>` and a result-event source.

    `stop()` and `start()` again reuse the same port, like a PLC restart.
    """

    def __init__(
        self,
        variables: dict[str, Any],
        *,
        port: int = 0,
        security: Security | None = None,
        event_source: str = "STACK-01",
        standard_deadband: bool = False,
        eu_ranges: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self.variables = variables
        # the simulator's Part 4 deadband instead of asyncua's (opcua_bridge/simulator/deadband.py)
        self.standard_deadband = standard_deadband
        self.eu_ranges = eu_ranges or {}  # name -> (low, high): an EURange property on that node
        self.port = port or free_port()
        self.security = security
        self.event_source = event_source
        self.endpoint = f"opc.tcp://127.0.0.1:{self.port}/plc/"
        self.loop = LoopThread("test-plc")
        self.server: Server | None = None
        self.nodes: dict[str, Any] = {}
        self.types: dict[str, ua.VariantType] = {}
        self.sequence = 0

    def node_id(self, name: str) -> str:
        return f"ns=2;s={name}"

    def start(self, timeout: float = 60) -> None:
        # An asyncua server loads the whole standard address space: seconds on a busy machine.
        self.loop.call(self._start(), timeout=timeout)

    def reset(self) -> None:
        """Every typed node back to its initial value (a module-wide PLC between tests)."""
        for name, initial in self.variables.items():
            if isinstance(initial, ua.Variant):
                self.write(name, initial.Value)

    def stop(self) -> None:
        if self.server is not None:
            self.loop.call(self._stop(self.server))
            self.server = None

    @staticmethod
    async def _stop(server: Server) -> None:
        # A PLC that goes away stops listening first. asyncua's stop() closes the open
        # connections before the listening socket, and a client reconnecting in between would
        # hold the stop forever (asyncio waits for every accepted connection).
        listener = server.bserver._server
        listener.close()
        await server.stop()

    def close(self) -> None:
        self.stop()
        self.loop.close()

    async def _start(self) -> None:
        users = PasswordUsers(self.security.users) if self.security else None
        server = Server(user_manager=users)
        await server.init()
        if self.standard_deadband:
            honour_deadbands(server)
        server.set_endpoint(self.endpoint)
        if self.security:
            server.set_security_policy([ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt])
            server.set_identity_tokens([ua.UserNameIdentityToken])
            await server.set_application_uri(SERVER_URI)
            await server.load_certificate(str(self.security.certificate))
            await server.load_private_key(str(self.security.private_key))
        index = await server.register_namespace(NAMESPACE)
        plc = await server.nodes.objects.add_object(ua.NodeId("PLC", index), "PLC")
        self.nodes = {}
        for name, initial in self.variables.items():
            if isinstance(initial, ua.Variant):  # a typed node, as a PLC declares it
                node = await add_typed_variable(
                    plc, ua.NodeId(name, index), name, initial, writable=True
                )
                self.types[name] = initial.VariantType
            else:
                node = await plc.add_variable(ua.NodeId(name, index), name, initial)
            if name in self.eu_ranges:
                low, high = self.eu_ranges[name]
                await node.add_property(
                    ua.NodeId(f"{name}.EURange", index), "EURange", ua.Range(Low=low, High=high)
                )
            self.nodes[name] = node
        await self._add_event_source(server, index)
        await server.start()
        self.server = server

    async def _add_event_source(self, server: Server, index: int) -> None:
        event_type = await server.create_custom_event_type(
            index, "ResultReady", ua.ObjectIds.BaseEventType, RESULT_FIELDS
        )
        source = await server.nodes.objects.add_object(
            ua.NodeId(self.event_source, index), self.event_source
        )
        self.events = await server.get_event_generator(event_type, source)

    def write(
        self,
        name: str,
        value: Any,
        *,
        variant_type: ua.VariantType | None = None,
        status: int = 0,
        source_time: datetime | None | str = "now",
    ) -> None:
        self.loop.call(self._write(name, value, variant_type, status, source_time))

    async def _write(self, name, value, variant_type, status, source_time) -> None:
        variant_type = variant_type or self.types.get(name)
        variant = ua.Variant(value, variant_type) if variant_type else ua.Variant(value)
        stamp = datetime.now(UTC) if source_time == "now" else source_time
        data_value = ua.DataValue(
            variant,
            StatusCode=ua.StatusCode(status),
            SourceTimestamp=stamp,
            ServerTimestamp=datetime.now(UTC),
        )
        await self.server.write_attribute_value(self.nodes[name].nodeid, data_value)

    def read(self, name: str) -> Any:
        """The node's value as the PLC holds it now."""
        return self.loop.call(self.nodes[name].read_value())

    def read_data_value(self, name: str) -> ua.DataValue:
        return self.loop.call(self.nodes[name].read_data_value())

    def fire_result(self, serial: str, result: str = "OK") -> int:
        self.sequence += 1
        self.loop.call(self._fire(serial, result, self.sequence))
        return self.sequence

    async def _fire(self, serial: str, result: str, sequence: int) -> None:
        event = self.events.event
        event.serial, event.result, event.sequence = serial, result, sequence
        event.feed_roll, event.feed_from_m, event.feed_to_m = "MR-7-A", 401.2, 402.4
        await self.events.trigger(message=f"{serial} {result}")


class RecordingDelivery:
    """Stands in for Celery: keeps every batch handed over, in order."""

    def __init__(self) -> None:
        self.batches: list[dict] = []
        self._lock = threading.Lock()

    def deliver(self, batch: dict) -> None:
        with self._lock:
            self.batches.append(batch)

    def samples(self, node_id: str | None = None) -> list[dict]:
        with self._lock:
            found = [sample for batch in self.batches for sample in samples_of(batch)]
        return [s for s in found if node_id is None or s["node_id"] == node_id]

    def events(self) -> list[dict]:
        with self._lock:
            return [event for batch in self.batches for event in batch["events"]]


def bridge_config(endpoint: str, var_dir: Path, **overrides: Any) -> BridgeConfig:
    """Fast timings for tests; the defaults are for production."""
    config = BridgeConfig(
        endpoint=endpoint,
        name="test",
        batch_size=50,
        batch_ms=50,
        var_dir=var_dir,
        publishing_interval_ms=20,
        request_timeout_s=2.0,
        watchdog_s=0.5,
        reconnect_min_s=0.2,
        reconnect_max_s=1.0,
        tagmap_poll_s=0.2,
        status_interval_s=0.1,
        redeliver_s=0.2,
    )
    return replace(config, **overrides)


class BridgeRunner:
    """The real bridge in a thread with its own loop; `stop()` is what SIGTERM does."""

    def __init__(self, config: BridgeConfig, delivery: Any, decider: Any = None) -> None:
        self.config = config
        self.loop = LoopThread("test-bridge")
        self.bridge: Bridge = build_bridge(config, delivery=delivery, decider=decider)
        self._stop = asyncio.Event()
        self._future = None

    @property
    def status(self):
        return self.bridge.status

    def start(self) -> "BridgeRunner":
        async def run() -> None:
            await self.bridge.run(self._stop)

        self._future = self.loop.submit(run())
        return self

    # Generous, not a speed check: a stop hands its backlog over for up to finish_budget_s (10 s),
    # then waits for the decisions and the ingest in flight; with a line running a cell a second
    # beside the whole suite on 2 cores, that once took longer than 30 s.
    def stop(self, timeout: float = 90) -> None:
        if self._future is not None:
            self.loop.loop.call_soon_threadsafe(self._stop.set)
            try:
                self._future.result(timeout)
            except concurrent.futures.TimeoutError as exc:
                raise AssertionError(
                    f"the bridge did not stop within {timeout} s:\n"
                    + where_everything_waits(self.loop.loop)
                ) from exc
            self._future = None
        self.loop.close()


class RedisServer:
    """A redis-server of our own on a free port. Without `directory`, no persistence: stop() is
    a broker outage that loses what it held. With one, an append-only file there, as
    deploy/compose.yaml runs it: kill() is a crash, start() again recovers from the file."""

    def __init__(self, port: int | None = None, directory: Path | None = None) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if self.directory is None:
            persistence = ["--save", "", "--appendonly", "no"]
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            persistence = ["--dir", str(self.directory), "--save", "", "--appendonly", "yes"]
            persistence += ["--appendfsync", "everysec"]
        self.process = subprocess.Popen(
            ["/usr/bin/redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + persistence,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=10, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no last write; what the append-only file has is what is left."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


async def make_certificate(directory: Path, name: str, uri: str, server: bool) -> Security:
    """A self-signed application certificate (DER) and key (PEM) for `uri`."""
    from asyncua.crypto.cert_gen import setup_self_signed_certificate
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key, cert = directory / f"{name}.pem", directory / f"{name}.der"
    use = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    await setup_self_signed_certificate(key, cert, uri, socket.gethostname(), [use], {})
    return Security(certificate=cert, private_key=key)
