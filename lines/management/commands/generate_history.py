"""`manage.py generate_history --cells N`: a synthetic production history with full genealogy."""

from django.core.management.base import BaseCommand, CommandError

from lines.history import history_generate
from mes.errors import DomainError


class Command(BaseCommand):
    """Thin shell around lines.history.history_generate; see that package for what is written."""

    help = (
        "Generate a production history of N cells (lots, slurry batches, rolls, cells, their "
        "genealogy and operations) on the demo line, bulk-loaded. Can run again on the same "
        "database: each run uses a new identifier prefix (H1, H2, ... or --prefix)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cells", type=int, required=True, help="number of cells to make")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--prefix", default=None, help="identifier prefix (default: H<n>)")

    def handle(self, *args: object, cells: int, seed: int, prefix: str | None, **options) -> None:
        try:
            report = history_generate(
                cells=cells, seed=seed, prefix=prefix, progress=self.stdout.write
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        out = self.stdout.write
        out(self.style.SUCCESS(f"History {report.prefix}: {report.cells:,} cells."))
        for table, count in sorted(report.rows.items()):
            out(f"  {table}: {count:,} rows")
        out("  Lots: " + ", ".join(f"{code} {count}" for code, count in report.lots.items()))
        out("  Cells now:")
        for status, station, count in report.cell_states:
            out(f"    {status:<11} {station or '-':<9} {count:,}")
        loading = ", ".join(f"{t} {s:.1f} s" for t, s in sorted(report.seconds_loading.items()))
        out(f"  Database load time per table: {loading}")
        for note in report.notes:
            out(f"  {note}")
        out(
            f"  Time: {report.seconds_generate:.1f} s writing, "
            f"{report.seconds_analyze:.1f} s statistics"
        )
