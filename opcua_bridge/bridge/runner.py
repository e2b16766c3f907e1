"""Wiring for one bridge process: config -> spool, delivery, forwarder, bridge; stop on signals."""

import asyncio
import signal

from opcua_bridge.bridge.client import Bridge
from opcua_bridge.bridge.config import BridgeConfig
from opcua_bridge.bridge.decisions import Decider
from opcua_bridge.bridge.delivery import CeleryDelivery, Delivery
from opcua_bridge.bridge.forwarder import Forwarder
from opcua_bridge.bridge.spool import Spool


def build_bridge(
    config: BridgeConfig, delivery: Delivery | None = None, decider: Decider | None = None
) -> Bridge:
    forwarder = Forwarder(
        delivery=delivery or CeleryDelivery(queue=config.queue),
        spool=Spool(config.spool_dir),
        redeliver_s=config.redeliver_s,
        confirm_timeout_s=config.confirm_timeout_s,
        confirm_max_s=config.confirm_max_s,
        confirm_poll_s=config.confirm_poll_s,
        overtaken_s=config.overtaken_s,
        max_unconfirmed=config.max_unconfirmed,
        max_unconfirmed_mb=config.max_unconfirmed_mb,
    )
    return Bridge(config, forwarder=forwarder, decider=decider)


async def run_until_signalled(bridge: Bridge) -> None:
    """Run until SIGTERM or SIGINT; the bridge then flushes its batch and disconnects."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await bridge.run(stop)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
