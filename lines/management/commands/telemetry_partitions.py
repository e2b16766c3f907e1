"""`manage.py telemetry_partitions`: upkeep of the monthly sample partitions (PostgreSQL).

Creates the coming months' partitions (run it daily: deploy/systemd/mes-archive.timer), and
with --archive-before-days exports months older than that to gzipped CSV files, then drops them.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lines import partitions


class Command(BaseCommand):
    help = "Create coming monthly sample partitions; archive and drop old ones."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--ahead", type=int, default=3, help="months to create ahead (3)")
        parser.add_argument("--behind", type=int, default=1, help="past months to ensure (1)")
        parser.add_argument(
            "--archive-before-days",
            type=int,
            help="archive and drop months that ended more than this many days ago",
        )
        parser.add_argument("--archive-dir", help="where archives go (default MES_VAR_DIR/archive)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not partitions.is_partitioned():
            raise CommandError(
                _(
                    "samples are not partitioned here: partitioning needs PostgreSQL "
                    "(DATABASE_URL) and `manage.py migrate`"
                )
            )
        for name in partitions.ensure_months(ahead=opts["ahead"], behind=opts["behind"]):
            self.stdout.write(f"created {name}")
        days = opts["archive_before_days"]
        if days is not None:
            if days < 31:
                raise CommandError(_("--archive-before-days must be at least 31 (one month)"))
            cutoff = datetime.now(UTC).date() - timedelta(days=days)
            directory = Path(opts["archive_dir"] or Path(settings.VAR_DIR) / "archive")
            for path in partitions.archive_before(cutoff=cutoff, directory=directory):
                self.stdout.write(f"archived and dropped {path.name.split('.')[0]} -> {path}")
        for name, bound in partitions.partitions():
            self.stdout.write(f"  {name}: {bound}")
