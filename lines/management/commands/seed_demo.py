"""`manage.py seed_demo`: load the demo line, its lots and its demo users (dev and demo only)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lines.demo import DEMO_FIXTURE, DemoSummary, load_demo_line
from mes.errors import DomainError


class Command(BaseCommand):
    """Thin shell around lines.demo.load_demo_line; safe to run again (it changes nothing then)."""

    help = (
        "Load the demo solid-state pouch-cell line (fixtures/demo_line.toml) idempotently, and "
        "create the demo users. DEMO ONLY: the demo passwords are public."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--path", type=Path, default=DEMO_FIXTURE, help="fixture file (TOML)")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="allow_without_debug",
            help="load the demo with DEBUG off too (a training or commissioning server)",
        )

    def handle(
        self, *args: object, path: Path, allow_without_debug: bool = False, **options: object
    ) -> None:
        # The demo users' passwords are printed here and in the README: on a production server
        # (DEBUG off) they would be a way in. Asked for by name, it is the operator's decision.
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                _(
                    "seed_demo creates users with public passwords (admin / admin-demo), so it "
                    "is refused when DEBUG is off. On a laptop, run it with DEBUG=1 (make demo "
                    "does); on a server that is not production (training, commissioning), add "
                    "--i-know-this-is-not-production."
                )
            )
        try:
            summary = load_demo_line(path=path)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._report(summary)

    def _report(self, summary: DemoSummary) -> None:
        out = self.stdout.write
        out(f"Demo line {summary.line_code} loaded.")
        if not summary.created and not summary.updated:
            out("  Master data: already up to date, nothing changed")
        for model in sorted(set(summary.created) | set(summary.updated)):
            out(f"  {model}: {summary.created[model]} created, {summary.updated[model]} updated")
        out(
            f"  Material lots: {len(summary.lots_received)} received, "
            f"{len(summary.lots_skipped)} already there"
        )
        for note in summary.notes:
            out(f"  {note}")
        for warning in summary.warnings:
            out(self.style.WARNING(f"  {warning}"))
        out(
            self.style.WARNING(
                "Demo logins (DEMO ONLY, public passwords; never use in production):"
            )
        )
        for login in summary.logins:
            kept = "" if login.created else "  (user existed: unless its password was changed)"
            out(f"  {login.username:<12} {login.role:<18} {login.password}{kept}")
            if login.token:
                out(f"  {'':<12} API token: {login.token}")
            if login.badge:
                out(f"  {'':<12} station screens: {login.badge}")
