"""`manage.py bridge_status [--name line1] [--json]`: what a running bridge reports."""

import json

from django.core.management.base import BaseCommand, CommandError

from opcua_bridge.bridge.config import config_from_options
from opcua_bridge.bridge.status import degraded_reason, read_status

SHOWN = (
    "state",
    "connected",
    "endpoint",
    "subscribed_tags",
    "event_nodes",
    "samples_per_s",
    "samples_total",
    "batches_delivered",
    "spool_depth",
    "unconfirmed",
    "oldest_unconfirmed_s",
    "bound_reached",
    "batches_resent",
    "batches_refused",
    "reconnects",
    "last_error",
    "updated_at",
)


class Command(BaseCommand):
    help = "Print the status file of a bridge (MES_VAR_DIR/bridge-status-<name>.json)."

    def add_arguments(self, parser):
        parser.add_argument("--name", help="bridge name (line1)")
        parser.add_argument("--json", action="store_true", help="print the whole JSON document")

    def handle(self, *args, **options):
        config = config_from_options({"name": options.get("name")})
        status = read_status(config.status_path)
        if status is None:
            raise CommandError(f"no status at {config.status_path}: is run_bridge running?")
        if options["json"]:
            self.stdout.write(json.dumps(status, indent=2))
            return
        for key in SHOWN:
            self.stdout.write(f"{key:18} {status.get(key)}")
        reason = degraded_reason(status)
        if reason:
            self.stdout.write(f"{'degraded':18} {reason}")
        for node in status.get("skipped_nodes", []):
            self.stdout.write(f"skipped            {node['node_id']}: {node['reason']}")
