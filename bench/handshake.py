"""Handshake benchmark: `python -m bench.handshake --stations 1,10,40` (see bench/README.md).

Time to answer, as the PLC sees it: from the PLC setting request (rising edge) to the PLC seeing
done true, for N stations handshaking at once against one real bridge (run_bridge's code, in a
thread) and one asyncua server holding every station's typed nodes. The PLC runs in a process
of its own (as a PLC is a machine of its own); each station's program there writes the serial,
sets request, waits for done (woken by the server when the bridge writes it), reads the
response, clears request, waits for done to fall, and goes on with the next cell. Two deciders
in the same run: the MES (lines services, the real database: a new cell checked in at stacking
is created and its operation started) and a stub that answers 1 from memory (the floor: OPC UA
round trips and the bridge's loop). Beside it, in a process of its own, the telemetry ingest runs at the demo
rate (the demo line's 31 tags at 10 Hz, made by the simulator's process model, handed to the
ingest task in batches of 62 every 200 ms as the bridge batches them), on the same database.
`--cycle-s 0` (the default) has every station ask again as soon as it is answered (saturation);
`--cycle-s 2` has each station ask once every 2 s at a random phase (a station's takt time).
Writes JSON to <var>/bench/handshake-<timestamp>.json.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TARGETS_P99_MS = {10: 250.0, 40: 500.0}
INGEST_BATCH, INGEST_EVERY_S = 62, 0.2  # 31 tags at 10 Hz, batched every 200 ms as the bridge does


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.handshake", description=__doc__)
    parser.add_argument("--stations", default="1,10,40", help="station counts, comma-separated")
    parser.add_argument("--handshakes", type=int, default=200, help="per station count, in all")
    parser.add_argument(
        "--cycle-s",
        type=float,
        default=0.0,
        help="a station's takt: one handshake per cycle (0: back to back)",
    )
    parser.add_argument(
        "--decision-threads", type=int, default=8, help="the bridge's BRIDGE_DECISION_THREADS"
    )
    parser.add_argument(
        "--no-ingest",
        action="store_true",
        help="without the telemetry ingest at the demo rate beside it",
    )
    parser.add_argument("--out-dir", type=Path, help="where the JSON goes (default: <var>/bench)")
    return parser.parse_args(argv)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(times_ms: list[float], codes: list[int]) -> dict[str, Any]:
    ordered = sorted(times_ms)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
        "max_ms": round(ordered[-1], 1),
        "codes": {str(c): codes.count(c) for c in sorted(set(codes))},
    }


class StubDecider:
    """Decides from memory: always 1. The baseline's floor."""

    def decide(self, question) -> int:  # noqa: ANN001
        return 1

    def record_undecided(self, question, error) -> None:  # noqa: ANN001
        pass

    def settle(self, answers) -> None:  # noqa: ANN001
        pass


class DropDelivery:
    def deliver(self, batch: dict) -> None:
        pass


async def station_program(server, nodes: dict[str, Any], prefix: str, count: int, out: list,  # noqa: ANN001
                          cycle_s: float = 0.0, phase_s: float = 0.0):  # fmt: skip
    """One station's PLC program; appends (ms, code) per handshake. With `cycle_s`, one cell per
    cycle (starting `phase_s` in), else the next cell as soon as the last is answered."""
    from asyncua import ua

    async def write(name: str, value: Any, kind: ua.VariantType) -> None:
        stamp: Any = datetime.now(UTC)  # asyncua's stubs name it ua.DateTime: a datetime
        data = ua.DataValue(ua.Variant(value, kind), SourceTimestamp=stamp, ServerTimestamp=stamp)
        await server.write_attribute_value(nodes[name].nodeid, data)

    def read(name: str) -> Any:
        return server.get_node(nodes[name].nodeid)

    async def value(name: str) -> Any:
        return await read(name).read_value()

    # The program wakes when the bridge writes done (the server's data-change callback), as a
    # PLC sees it at its next scan, instead of 40 programs reading done every 2 ms: in the
    # first runs that polling took the PLC process's CPU and was most of the stub's floor.
    changed = asyncio.Event()

    async def on_done(_handle: int, _value: Any) -> None:
        changed.set()

    server.iserver.aspace.add_datachange_callback(nodes["InDone"].nodeid, ua.AttributeIds.Value,
                                                  on_done)  # fmt: skip

    async def until_done(wanted: bool) -> None:
        while await value("InDone") is not wanted:
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=0.1)

    next_at = time.perf_counter() + phase_s
    for i in range(count):
        if cycle_s:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += cycle_s
        await write("InSerial", f"{prefix}-{i}", ua.VariantType.String)
        started = time.perf_counter()
        await write("InReq", True, ua.VariantType.Boolean)
        await until_done(True)
        elapsed_ms = (time.perf_counter() - started) * 1000
        out.append((elapsed_ms, await value("InResp")))
        await write("InReq", False, ua.VariantType.Boolean)
        await until_done(False)


def prepare(stations: int, tag: str) -> list[str]:
    """A bench line with `stations` stacking stations mapped for check-in; their codes."""
    from lines.choices import StationKind, UnitKind
    from lines.models import Line, Product, Route, RouteStep, Station, Tag, WorkOrder

    line = Line.objects.create(code=f"BENCH-{tag}", name="Handshake bench")
    product = Product.objects.create(code=f"BC-{tag}", name="Bench cell", unit_kind=UnitKind.CELL)
    route = Route.objects.create(code=f"BR-{tag}", name="Bench route", product=product)
    RouteStep.objects.create(route=route, sequence=10, name="stacking",
                             station_kind=StationKind.STACKING)  # fmt: skip
    RouteStep.objects.create(route=route, sequence=20, name="sealing",
                             station_kind=StationKind.SEALING)  # fmt: skip
    WorkOrder.objects.create(code=f"BW-{tag}", product=product, route=route,
                             quantity_planned=100_000)  # fmt: skip
    codes = []
    for n in range(stations):
        code = f"B{tag}-S{n:02d}"
        station = Station.objects.create(line=line, code=code, name=code, kind="stacking")
        for name, role in ROLES.items():
            Tag.objects.create(node_id=f"ns=2;s={code}.{name}", station=station, role=role,
                               sampling_interval_ms=0)  # fmt: skip
        codes.append(code)
    return codes


ROLES = {
    "InSerial": "checkin_serial",
    "InReq": "checkin_request",
    "InResp": "checkin_response",
    "InDone": "checkin_done",
}


KINDS = {"InSerial": ("", "String"), "InReq": (False, "Boolean"), "InResp": (0, "Int16"),
         "InDone": (False, "Boolean")}  # fmt: skip


async def _serve(endpoint: str, codes: list[str]) -> tuple[Any, dict]:
    from asyncua import Server, ua

    server = Server()
    await server.init()
    server.set_endpoint(endpoint)
    index = await server.register_namespace("urn:cell-line-mes:bench")
    stations = {}
    for code in codes:
        obj = await server.nodes.objects.add_object(
            ua.NodeId.from_string(f"ns={index};s={code}"), code
        )
        nodes = {}
        for name, (initial, kind) in KINDS.items():
            node = await obj.add_variable(ua.NodeId.from_string(f"ns={index};s={code}.{name}"), name, initial,
                                          varianttype=getattr(ua.VariantType, kind))  # fmt: skip
            await node.set_writable()
            nodes[name] = node
        stations[code] = nodes
    await server.start()
    return server, stations


def plc_process(endpoint, codes, per_station, tag, ready, go, results, cycle_s=0.0) -> None:  # noqa: ANN001
    """The PLC: a process of its own, as a PLC is a machine of its own (no GIL shared with the
    bridge). Serves every station's nodes and runs every station's program once `go` is set."""
    import logging

    logging.getLogger("asyncua").setLevel(logging.ERROR)

    async def main() -> None:
        server, stations = await _serve(endpoint, codes)
        ready.set()
        while not go.is_set():
            await asyncio.sleep(0.05)
        out: list = []
        started = time.perf_counter()
        phases = random.Random(tag)
        await asyncio.gather(
            *(
                station_program(server, stations[c], f"{c}-{tag}", per_station, out, cycle_s,
                                phases.uniform(0, cycle_s))
                for c in codes
            )
        )  # fmt: skip
        results.put((out, time.perf_counter() - started))
        await server.stop()

    asyncio.run(main())


def run_one(  # noqa: PLR0913
    codes: list[str],
    per_station: int,
    decider: Any,
    tag: str,
    cycle_s: float = 0.0,
    threads: int = 8,
) -> dict[str, Any]:
    """One configuration: the PLC process with every station, the bridge here, all at once."""
    import multiprocessing

    from opcua_bridge.bridge.config import BridgeConfig
    from opcua_bridge.bridge.runner import build_bridge

    endpoint = f"opc.tcp://127.0.0.1:{_free_port()}/bench/"
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Event(), context.Event(), context.Queue()
    plc = context.Process(target=plc_process, args=(endpoint, codes, per_station, tag, ready, go,
                                                   results, cycle_s), daemon=True)  # fmt: skip
    plc.start()
    if not ready.wait(300):
        raise RuntimeError("the PLC process did not start")
    config = BridgeConfig(endpoint=endpoint, name=f"bench-{tag}", var_dir=Path(_var()) / "bench",
                          publishing_interval_ms=10, tagmap_poll_s=3600, status_interval_s=5,
                          handshake_poll_s=1.0, decision_threads=threads)  # fmt: skip
    bridge = build_bridge(config, delivery=DropDelivery(), decider=decider)
    bridge_loop = asyncio.new_event_loop()
    threading.Thread(target=bridge_loop.run_forever, daemon=True).start()
    stop = asyncio.Event()
    running = asyncio.run_coroutine_threadsafe(bridge.run(stop), bridge_loop)
    while not bridge.status.connected or len(bridge.closed_loop._handshakes) < len(codes):
        time.sleep(0.1)
    time.sleep(0.5)
    go.set()
    answers, wall_s = results.get(timeout=3600)
    plc.join(60)
    bridge_loop.call_soon_threadsafe(stop.set)
    running.result(60)
    bridge_loop.call_soon_threadsafe(bridge_loop.stop)
    row = summary([ms for ms, _ in answers], [code for _, code in answers])
    row["handshakes_per_s"] = round(len(answers) / wall_s, 1)
    return row


def ingest_process(run: str, stop, results) -> None:  # noqa: ANN001
    """The telemetry ingest at the demo rate, beside the handshakes: the demo line's 31 tags at
    10 Hz (bench.ingest_work.build_batches: the simulator's process model, needs seed_demo),
    one batch of 62 samples every 200 ms through the ingest task (lines.tasks.ingest_batch, as
    a solo Celery worker runs it). Reports batches stored, the time each took, and how far it
    fell behind the demo rate."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
    import django

    django.setup()
    from bench.ingest_work import build_batches
    from lines.tasks import ingest_batch

    took: list[float] = []
    chunk = 0
    started = time.perf_counter()
    due = started
    while not stop.is_set():
        chunk += 1
        batches = build_batches(batches=300, per_batch=INGEST_BATCH, seed=chunk,
                                run=f"H{run}{chunk}", source=f"bench-handshake-{run}")  # fmt: skip
        for batch in batches:
            if stop.is_set():
                break
            time.sleep(max(0.0, due - time.perf_counter()))
            t0 = time.perf_counter()
            ingest_batch(batch)
            took.append((time.perf_counter() - t0) * 1000)
            due += INGEST_EVERY_S
    wall_s = time.perf_counter() - started
    ordered = sorted(took) or [0.0]
    results.put({
        "batches": len(took),
        "samples_per_s": round(len(took) * INGEST_BATCH / wall_s, 1),
        "target_samples_per_s": INGEST_BATCH / INGEST_EVERY_S,
        "batch_p50_ms": round(statistics.median(ordered), 1),
        "batch_p99_ms": round(percentile(ordered, 0.99), 1),
        "behind_s": round(max(0.0, time.perf_counter() - due), 2),
    })  # fmt: skip


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _var() -> str:
    from django.conf import settings

    return str(settings.VAR_DIR)


def main(argv: list[str] | None = None) -> dict[str, Any]:  # noqa: PLR0915
    args = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
    import logging
    import multiprocessing

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from lines.models import Tag
    from opcua_bridge.bridge.decisions import LinesDecider

    logging.getLogger("asyncua").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    run = datetime.now(UTC).strftime("%H%M%S")
    out: dict[str, Any] = {
        "database": connection.vendor,
        "cycle_s": args.cycle_s,
        "decision_threads": args.decision_threads,
        "load_average_before": os.getloadavg(),
        "runs": [],
    }
    ingest = None
    if not args.no_ingest:
        context = multiprocessing.get_context("spawn")
        ingest_stop, ingest_results = context.Event(), context.Queue()
        connection.close()
        ingest = context.Process(target=ingest_process, args=(run, ingest_stop, ingest_results),
                                 daemon=True)  # fmt: skip
        ingest.start()
        time.sleep(5)  # Django set up and the first batches in before the first handshake
    print(f"{'decider':<8}{'stations':>9}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'hs/s':>8}  codes / target")  # fmt: skip
    for count in [int(n) for n in args.stations.split(",")]:
        per_station = max(1, args.handshakes // count)
        for name, decider in (("stub", StubDecider()), ("mes", LinesDecider())):
            tag = f"{run}{count}{name[0]}"
            codes = prepare(count, tag)
            connection.close()  # the bridge's threads open their own
            row = run_one(codes, per_station, decider, tag, args.cycle_s, args.decision_threads)
            Tag.objects.filter(station__code__in=codes).update(enabled=False)  # next run's map
            row.update(decider=name, stations=count, load_average=os.getloadavg())
            out["runs"].append(row)
            target = TARGETS_P99_MS.get(count)
            verdict = "" if target is None or name == "stub" else (
                f"p99 < {target:g} ms " + ("ok" if row["p99_ms"] < target else "MISSED"))  # fmt: skip
            print(f"{name:<8}{count:>9}{row['n']:>6}{row['p50_ms']:>9}{row['p99_ms']:>9}"
                  f"{row['max_ms']:>9}{row['handshakes_per_s']:>8}  {row['codes']} {verdict}",
                  flush=True)  # fmt: skip
    if ingest is not None:
        ingest_stop.set()
        out["ingest"] = ingest_results.get(timeout=120)
        ingest.join(30)
        print(f"ingest beside it: {out['ingest']}")
    directory = args.out_dir or Path(_var()) / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"handshake-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"written to {path}")
    return out


if __name__ == "__main__":
    main()
