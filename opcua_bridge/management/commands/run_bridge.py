"""`manage.py run_bridge`: the OPC UA bridge, until SIGTERM/SIGINT (see docs/telemetry.md)."""

import asyncio

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from opcua_bridge.bridge.config import SECURITY_POLICIES, config_from_options
from opcua_bridge.bridge.runner import build_bridge, run_until_signalled


class Command(BaseCommand):
    help = "Subscribe to the PLC tags of the tag map and hand batches of samples to the ingest."

    def add_arguments(self, parser):
        parser.add_argument("--endpoint", help="opc.tcp://host:port/path (default OPCUA_ENDPOINT)")
        parser.add_argument("--name", help="bridge name: spool dir and status file (line1)")
        parser.add_argument(
            "--queue", help="Celery queue for its batches (BRIDGE_QUEUE; default queue)"
        )
        parser.add_argument("--batch-size", type=int, help="samples per batch at most (5000)")
        parser.add_argument("--batch-ms", type=int, help="a batch closes after this many ms (200)")
        parser.add_argument("--security", choices=SECURITY_POLICIES, help="security policy")
        parser.add_argument("--certificate", help="client certificate (its URI is our app URI)")
        parser.add_argument("--private-key", help="client private key")
        parser.add_argument("--server-certificate", help="server certificate to trust")
        parser.add_argument("--user", help="user name (password: --password or OPCUA_PASSWORD)")
        parser.add_argument("--password", help="prefer the OPCUA_PASSWORD environment variable")
        parser.add_argument(
            "--allow-none",
            action="store_true",
            help="allow SecurityPolicy None to a remote endpoint or with a password",
        )

    def handle(self, *args, **options):
        config = config_from_options(options)
        try:
            config.check()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        bridge = build_bridge(config)
        self.stdout.write(f"bridge {config.name} -> {config.endpoint}; status {config.status_path}")
        asyncio.run(run_until_signalled(bridge))
        status = bridge.status
        self.stdout.write(
            f"bridge {config.name} stopped: {status.samples_total} samples, "
            f"{status.batches_delivered} batches delivered, {status.spool_depth} in the spool"
        )
