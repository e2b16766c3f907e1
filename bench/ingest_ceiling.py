"""The receive ceiling of bench.ingest: an asyncua client subscribing the same nodes with the
same settings as the bridge, with a no-op handler; prints how many data changes it received.

    python -m bench.ingest_ceiling ENDPOINT NODES_JSON WARMUP_S WINDOW_S
"""

import asyncio
import json
import sys
import time
from pathlib import Path

from asyncua import Client


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def datachange_notification(self, node, val, data) -> None:  # noqa: ANN001
        self.count += 1


async def main(endpoint: str, nodes_file: str, warmup_s: float, window_s: float) -> None:
    specs = json.loads(Path(nodes_file).read_text())  # [[node_id, sampling_ms, queue_size], ...]
    counter = Counter()
    async with Client(endpoint, timeout=4) as client:
        subscription = await client.create_subscription(100, counter)
        for node_id, sampling_ms, queue_size in specs:
            await subscription.subscribe_data_change(
                client.get_node(node_id), sampling_interval=sampling_ms, queuesize=queue_size
            )
        await asyncio.sleep(warmup_s)
        start, began = counter.count, time.monotonic()
        await asyncio.sleep(window_s)
        received, elapsed = counter.count - start, time.monotonic() - began
    print(json.dumps({"received": received, "seconds": elapsed, "per_s": received / elapsed}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
