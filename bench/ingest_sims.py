"""Simulated PLCs of bench.ingest's end-to-end part, each in its own process.

One asyncua server costs ~100 us of CPU per value written (bench/README.md), so one process
offers at most ~8,000 values/s here. Like a line where each machine is its own PLC, a group of
machines per process (LineSimulator `stations`) offers more; each group gets its own bridge.
The bench talks to a process over a pipe: values written so far, inject a spike, stop.
"""

import asyncio
import contextlib
import logging
import multiprocessing
import os
import socket
from collections.abc import Sequence
from typing import Any

ALL = ()  # one process serving every machine
# The demo line split in two: the coater and the dry room, then the cell stations.
SPLIT = (("COAT-01", "DRY-01"), ("STACK-01", "WIP-01", "SEAL-01", "FORM-01", "EOL-01"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(pipe: Any, endpoint: str, tick_s: float, stations: tuple[str, ...]) -> None:
    """The child: run a LineSimulator and answer the bench's requests until told to stop."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
    import django

    django.setup()
    logging.getLogger("asyncua").setLevel(logging.WARNING)
    from opcua_bridge.simulator import LineSimulator

    async def main() -> None:
        sim = LineSimulator(
            endpoint=endpoint, speed=1.0, tick_s=tick_s, seed=3, history_per_node=1000,
            report_every_s=3600, stations=stations,
        )  # fmt: skip
        await sim.start()
        pipe.send("ready")
        loop = asyncio.get_running_loop()
        while True:
            if not await loop.run_in_executor(None, pipe.poll, 0.2):
                continue
            what, args = pipe.recv()
            if what == "count":
                pipe.send(sum(sim._seq.values()))
            elif what == "spike":
                pipe.send(sim.inject_spike(*args))
            else:
                await sim.stop()
                pipe.send("stopped")
                return

    asyncio.run(main())


class Simulators:
    """Simulator processes, one per group of stations (ALL: one process, every machine)."""

    def __init__(self, tick_s: float, groups: Sequence[tuple[str, ...]] = (ALL,)) -> None:
        context = multiprocessing.get_context("spawn")  # no copy of this process's connections
        self.groups = list(groups)
        self.endpoints: list[str] = []
        self._pipes: list[Any] = []
        self._processes: list[Any] = []
        for stations in self.groups:
            endpoint = f"opc.tcp://127.0.0.1:{free_port()}/"
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_serve, args=(theirs, endpoint, tick_s, stations), daemon=True
            )
            process.start()
            self.endpoints.append(endpoint)
            self._pipes.append(ours)
            self._processes.append(process)
        for pipe in self._pipes:
            if not pipe.poll(60) or pipe.recv() != "ready":
                self.close()
                raise SystemExit("a simulator process did not start")

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self._processes]

    def serving(self, station: str) -> int:
        """Index of the process that serves the station."""
        return next(i for i, g in enumerate(self.groups) if g == ALL or station in g)

    def _ask(self, index: int, what: str, *args: Any) -> Any:
        self._pipes[index].send((what, args))
        if not self._pipes[index].poll(30):
            raise SystemExit(f"simulator {index} did not answer {what}")
        return self._pipes[index].recv()

    def values_written(self) -> int:
        return sum(self._ask(i, "count") for i in range(len(self._pipes)))

    def spike(self, station: str, parameter: str, magnitude: float) -> str:
        return self._ask(self.serving(station), "spike", station, parameter, magnitude)

    def close(self) -> None:
        for i, process in enumerate(self._processes):
            if process.is_alive():
                with contextlib.suppress(OSError, EOFError, SystemExit):
                    self._ask(i, "stop")
            process.join(10)
            if process.is_alive():
                process.kill()
