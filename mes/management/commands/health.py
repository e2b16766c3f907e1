"""`manage.py health ready|worker|bridge [--node NAME]`: exit 0 when healthy, 1 when not
(container and systemd health checks); prints each check. `health worker --node ingest-line1@host`
asks that worker alone (its container's own check)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mes.ops import health


class Command(BaseCommand):
    help = "Check a component's health: ready (database, broker), worker, bridge."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("component", choices=sorted(health.COMPONENTS))
        parser.add_argument(
            "--node", help="worker: the node name (celery -n) that must answer; default any"
        )

    def handle(self, *args: object, component: str, node: str | None, **opts: object) -> None:
        ok, checks = health.check(component, node=node)
        for name, result in checks.items():
            word = "FAILING" if not result["ok"] else "DEGRADED" if result.get("degraded") else "ok"
            self.stdout.write(f"{name}: {word} - {result['detail']}")
        if not ok:
            raise CommandError(_("%(component)s is not healthy") % {"component": component})
