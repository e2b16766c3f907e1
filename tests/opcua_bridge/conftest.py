"""Fixtures for the simulated line: a free loopback port and a simulator running in a thread.

The simulator runs on its own event loop in a background thread, so a test drives its asyncua
Client with asyncio.run() in the test's thread (pytest-asyncio is not installed, on purpose).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from opcua_bridge.simulator import LineSimulator

# Fast enough for tests: a write every 50 ms wall, 5 line seconds per write (a cell every 6 writes).
FAST = {"speed": 100.0, "tick_s": 0.05}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    return _free_port()


class RunningSimulator:
    """A started LineSimulator on a loop in a daemon thread; `call` runs code on that loop."""

    def __init__(self, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.sim = LineSimulator(**options)
        self.run(self.sim.start(), timeout_s=30)

    @property
    def endpoint(self) -> str:
        return self.sim.endpoint

    def run(self, coroutine, timeout_s: float = 30) -> Any:
        """Run a coroutine on the simulator's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout_s)

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a plain function of the simulator on its loop (it is not thread-safe)."""

        async def on_loop() -> Any:
            return function(*args, **kwargs)

        return self.run(on_loop())

    def close(self) -> None:
        try:
            self.run(self.sim.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


@pytest.fixture
def start_simulator(free_port: int) -> Iterator[Callable[..., RunningSimulator]]:
    """Start simulators (keyword options of LineSimulator; FAST and free_port by default)."""
    started: list[RunningSimulator] = []

    def start(**options: Any) -> RunningSimulator:
        settings = {"endpoint": f"opc.tcp://127.0.0.1:{free_port}/", **FAST, **options}
        running = RunningSimulator(**settings)
        started.append(running)
        return running

    yield start
    for running in started:
        running.close()


@pytest.fixture
def simulator(start_simulator) -> RunningSimulator:
    """A running simulator with the demo tag map, seed 1, FAST, security None on loopback."""
    return start_simulator()


@pytest.fixture(scope="module")
def shared_simulator() -> Iterator[RunningSimulator]:
    """One simulator for a whole test module: for tests that only read (saves a server start)."""
    running = RunningSimulator(endpoint=f"opc.tcp://127.0.0.1:{_free_port()}/", **FAST)
    yield running
    running.close()
