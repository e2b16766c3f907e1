"""`manage.py telemetry_partitions`: upkeep of the monthly sample partitions (PostgreSQL).

Creates the coming months' partitions (run it daily: deploy/systemd/mes-archive.timer). With
--drop-empty-before-days it drops old months that compaction and retention emptied. With
--archive-before-days it exports months older than that to gzipped CSV files, then drops them,
but refuses a month that still holds rows retention keeps (docs/telemetry.md, "Retention").
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lines import partitions


class Command(BaseCommand):
    help = (
        "Create coming monthly sample partitions; drop old ones that compaction and retention "
        "emptied; archive and drop old ones. Archiving refuses a month holding rows retention "
        "keeps (a unit's samples, samples a quality record refers to, raw telemetry younger than "
        "MES_RETENTION_TELEMETRY_DAYS): compact first (telemetry_compact), segments keep them."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--ahead", type=int, default=3, help="months to create ahead (3)")
        parser.add_argument("--behind", type=int, default=1, help="past months to ensure (1)")
        parser.add_argument(
            "--archive-before-days",
            type=int,
            help="archive and drop months that ended more than this many days ago; a month "
            "holding rows retention keeps is refused (compact it first)",
        )
        parser.add_argument(
            "--drop-empty-before-days",
            type=int,
            help="drop months that ended more than this many days ago and hold no row",
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
        empty_days = opts["drop_empty_before_days"]
        if empty_days is not None:
            if empty_days < 31:
                raise CommandError(_("--drop-empty-before-days must be at least 31 (one month)"))
            cutoff = datetime.now(UTC).date() - timedelta(days=empty_days)
            for name in partitions.drop_empty_before(cutoff=cutoff):
                self.stdout.write(f"dropped empty {name}")
        days = opts["archive_before_days"]
        refused: list[tuple[str, int]] = []
        if days is not None:
            if days < 31:
                raise CommandError(_("--archive-before-days must be at least 31 (one month)"))
            cutoff = datetime.now(UTC).date() - timedelta(days=days)
            directory = Path(opts["archive_dir"] or Path(settings.VAR_DIR) / "archive")
            archived = partitions.archive_before(cutoff=cutoff, directory=directory)
            for path in archived.files:
                self.stdout.write(f"archived and dropped {path.name.split('.')[0]} -> {path}")
            refused = archived.refused
        for name, bound in partitions.partitions():
            self.stdout.write(f"  {name}: {bound}")
        if refused:
            raise CommandError(
                _(
                    "not archived, rows retention keeps (compact first: telemetry_compact): "
                    "%(months)s"
                )
                % {"months": ", ".join(f"{name} ({rows} rows)" for name, rows in refused)}
            )
