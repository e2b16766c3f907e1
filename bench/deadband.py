"""Deadband benchmark: `python -m bench.deadband --seconds 60` (see bench/README.md).

What share of a signal's readings a deadband at the source lets through, on the simulated line's
own server (asyncua with the simulator's Part 4 deadband, opcua_bridge/simulator/deadband.py).
One subscription monitors the same node several times, once per deadband (none, then each
absolute value asked for), so every filter sees the same readings; the simulator writes each
process value once per tick. Signals: a dryer zone (white noise, sigma 0.6 degC around its
set-point, as the simulator models it) and the coater's web position (a metre counter that
rises steadily). Prints a table and writes JSON to <var>/bench/deadband-<timestamp>.json.
"""

import argparse
import asyncio
import json
import socket
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from asyncua import Client, ua

from opcua_bridge.simulator import LineSimulator

BYTES_PER_SAMPLE = 290  # a stored row with its indexes today (issue 17)
SIGNALS = {
    "dryer_zone_1_c": "ns=2;s=COAT-01.DryerZone1Temperature",
    "web_position_m": "ns=2;s=COAT-01.WebPosition",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(node_id: str, handle: int, deadband: float) -> ua.MonitoredItemCreateRequest:
    if deadband:
        flt = ua.DataChangeFilter(
            Trigger=ua.DataChangeTrigger.StatusValue,
            DeadbandType=ua.DeadbandType.Absolute,
            DeadbandValue=deadband,
        )
    else:  # what the bridge asks for a tag without a deadband: every reading
        flt = ua.DataChangeFilter(Trigger=ua.DataChangeTrigger.StatusValueTimestamp)
    return ua.MonitoredItemCreateRequest(
        ItemToMonitor=ua.ReadValueId(
            NodeId=ua.NodeId.from_string(node_id), AttributeId=ua.AttributeIds.Value
        ),
        MonitoringMode=ua.MonitoringMode.Reporting,
        RequestedParameters=ua.MonitoringParameters(
            ClientHandle=handle,
            SamplingInterval=0.0,
            QueueSize=10_000,
            DiscardOldest=True,
            Filter=flt,
        ),  # fmt: skip
    )


async def measure(seconds: float, deadbands: list[float], tick_s: float) -> dict:
    endpoint = f"opc.tcp://127.0.0.1:{_free_port()}/"
    simulator = LineSimulator(endpoint=endpoint, speed=1.0, tick_s=tick_s)
    await simulator.start()
    items = {}  # client handle -> (signal, deadband)
    try:
        async with Client(endpoint) as client:
            subscription = await client.create_subscription(100, handler=None, queue_maxsize=0)
            requests = []
            for signal, node_id in SIGNALS.items():
                for deadband in [0.0, *deadbands]:
                    handle = 1_000_000 + len(requests)
                    items[handle] = (signal, deadband)
                    requests.append(_request(node_id, handle, deadband))
            results = await subscription.create_monitored_items(requests)
            refused = [r for r in results if isinstance(r, ua.StatusCode)]
            assert not refused, refused
            counts: Counter = Counter()

            async def consume() -> None:
                async for event in subscription:
                    handle = event.data.subscription_data.client_handle
                    counts[items[handle]] += 1

            consumer = asyncio.create_task(consume())
            started = time.monotonic()
            await asyncio.sleep(seconds)
            elapsed = time.monotonic() - started
            consumer.cancel()
    finally:
        await simulator.stop()
    rows = []
    for signal in SIGNALS:
        every = counts[(signal, 0.0)]
        for deadband in [0.0, *deadbands]:
            got = counts[(signal, deadband)]
            share = got / every if every else 0.0
            rows.append(
                {
                    "signal": signal,
                    "deadband": deadband,
                    "notifications": got,
                    "share": round(share, 3),
                    # a tag sampled at 10 Hz, as the demo ingest is measured (issue 17)
                    "mb_per_day_at_10hz": round(share * 864_000 * BYTES_PER_SAMPLE / 1e6, 1),
                }
            )
    return {"seconds": round(elapsed, 1), "tick_s": tick_s, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tick-s", type=float, default=0.1, help="simulator tick (0.1: 10 Hz)")
    parser.add_argument("--deadbands", default="0.1,0.25,0.5,1.0,1.5")
    parser.add_argument("--out-dir", default="var/bench")
    args = parser.parse_args()
    deadbands = [float(value) for value in args.deadbands.split(",")]
    result = asyncio.run(measure(args.seconds, deadbands, args.tick_s))
    print(f"{result['seconds']} s at one reading per {result['tick_s']} s per signal")
    print(f"{'signal':16} {'deadband':>8} {'notifications':>13} {'share':>6} {'MB/day@10Hz':>11}")
    for row in result["rows"]:
        print(
            f"{row['signal']:16} {row['deadband']:8g} {row['notifications']:13d} "
            f"{row['share']:6.3f} {row['mb_per_day_at_10hz']:11.1f}"
        )
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out / f"deadband-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
