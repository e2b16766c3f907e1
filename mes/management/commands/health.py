"""`manage.py health ready|worker|bridge`: exit 0 when healthy, 1 when not (container and
systemd health checks); prints each check."""

from django.core.management.base import BaseCommand, CommandError

from mes.ops import health


class Command(BaseCommand):
    help = "Check a component's health: ready (database, broker), worker, bridge."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("component", choices=sorted(health.COMPONENTS))

    def handle(self, *args: object, component: str, **opts: object) -> None:
        ok, checks = health.check(component)
        for name, result in checks.items():
            self.stdout.write(f"{name}: {'ok' if result['ok'] else 'FAILING'} - {result['detail']}")
        if not ok:
            raise CommandError(f"{component} is not healthy")
