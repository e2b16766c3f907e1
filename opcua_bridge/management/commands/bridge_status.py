"""`manage.py bridge_status [--name line1] [--json]`: what a running bridge reports.

Without --name: the bridge named by BRIDGE_NAME (line1) when it has a status, else every bridge
with a status in MES_VAR_DIR (`make demo` runs one named demo)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from opcua_bridge.bridge.config import config_from_options
from opcua_bridge.bridge.status import degraded_reason, read_status

SHOWN = (
    "state",
    "connected",
    "endpoint",
    "subscribed_tags",
    "event_nodes",
    "deadband_tags",
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
    "gap_open_since",
    "last_error",
    "updated_at",
)


class Command(BaseCommand):
    help = "Print the status file of a bridge (MES_VAR_DIR/bridge-status-<name>.json)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--name", help="bridge name (default: BRIDGE_NAME, line1, else every bridge found)"
        )
        parser.add_argument("--json", action="store_true", help="print the whole JSON document")

    def handle(self, *args, **options):
        config = config_from_options({"name": options.get("name")})
        paths = [config.status_path]
        if not options.get("name") and not config.status_path.exists():
            paths = sorted(Path(config.var_dir).glob("bridge-status-*.json")) or paths
        statuses = [(path, read_status(path)) for path in paths]
        if statuses[0][1] is None:
            raise CommandError(
                _("No status at %(path)s: is run_bridge running?") % {"path": paths[0]}
            )
        for path, status in statuses:
            if status is None:
                continue
            if len(statuses) > 1:
                self.stdout.write(f"== {status.get('name')} ({path.name})")
            self._show(status, as_json=options["json"])

    def _show(self, status: dict, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(status, indent=2))
            return
        for key in SHOWN:
            self.stdout.write(f"{key:18} {status.get(key)}")
        reason = degraded_reason(status)
        if reason:
            self.stdout.write(f"{'degraded':18} {reason}")
        for node in status.get("skipped_nodes", []):
            self.stdout.write(f"skipped            {node['node_id']}: {node['reason']}")
        for node in status.get("deadband_refused", []):
            self.stdout.write(
                f"deadband refused   {node['node_id']} ({node['deadband']}): {node['reason']}, "
                "subscribed without it"
            )
        skipped = {node["node_id"] for node in status.get("skipped_nodes", [])}
        for node_id, tag in sorted((status.get("tags") or {}).items()):
            if tag.get("failing") and node_id not in skipped:
                self.stdout.write(
                    f"failing            {node_id}: {tag.get('last_error')} "
                    f"since {tag.get('last_error_at')}"
                )
