"""The bridge's delivery half as a process of its own, for the crash test: the real Batcher,
Spool, Forwarder and CeleryDelivery, fed with generated values instead of an OPC UA server.

It makes a batch every `--interval-ms` until `--until` (a Unix time, so a restarted process
stops where the killed one would have), then waits until the ingest has confirmed every batch
in its spool and exits 0 (1 if `--drain-s` passes first). Every batch it spools is written to
`--made` ("<batch id> <samples>"); a process killed between spooling and that line leaves the
batch in the spool, and the next process writes the batches it finds there first. The broker is
REDIS_URL, as for run_bridge.
"""

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import django

SOURCE = "bridge-crash@test"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spool", type=Path, required=True)
    parser.add_argument("--made", type=Path, required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--until", type=float, required=True)
    parser.add_argument("--interval-ms", type=float, default=40)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--confirm-timeout-s", type=float, default=3)
    parser.add_argument("--drain-s", type=float, default=60)
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
    django.setup()
    from opcua_bridge.bridge.batcher import Batcher
    from opcua_bridge.bridge.delivery import CeleryDelivery
    from opcua_bridge.bridge.forwarder import Forwarder
    from opcua_bridge.bridge.mapping import iso_utc
    from opcua_bridge.bridge.spool import Spool

    made = args.made.open("a")

    def record(batch_id: str, samples: int) -> None:
        made.write(f"{batch_id} {samples}\n")
        made.flush()

    class RecordingSpool(Spool):
        def add(self, batch: dict):  # noqa: ANN202
            entry = super().add(batch)
            record(entry.batch_id, entry.samples)
            return entry

    spool = RecordingSpool(args.spool)
    for entry in spool.entries():
        record(entry.batch_id, entry.samples)
    forwarder = Forwarder(
        delivery=CeleryDelivery(queue=args.queue),
        spool=spool,
        redeliver_s=0.2,
        confirm_timeout_s=args.confirm_timeout_s,
        confirm_max_s=args.confirm_timeout_s * 4,
        confirm_poll_s=0.2,
        overtaken_s=1.0,
    )
    forwarder.start()
    batcher = Batcher(source=SOURCE, max_items=args.samples, max_age_s=3600)
    value = 0
    while time.time() < args.until:
        for _ in range(args.samples):
            value += 1
            now = iso_utc(datetime.now(UTC))
            sample = {"node_id": args.node, "value": float(value), "source_time": now}
            batch = batcher.add_sample(sample | {"server_time": now, "status": 0})
            if batch is not None:
                forwarder.submit(batch)
        time.sleep(args.interval_ms / 1000)
    deadline = time.monotonic() + args.drain_s
    while time.monotonic() < deadline:
        stats = forwarder.stats
        if not forwarder.waiting and not stats["spool_depth"] and not stats["unconfirmed"]:
            break
        time.sleep(0.1)
    forwarder.stop()
    summary = forwarder.stats | {
        "delivered": forwarder.batches_delivered,
        "resent": forwarder.batches_resent,
        "confirmed": forwarder.batches_confirmed,
    }
    print(json.dumps(summary), flush=True)
    return 0 if not summary["spool_depth"] and not summary["unconfirmed"] else 1


if __name__ == "__main__":
    sys.exit(main())
