"""`manage.py telemetry_compact`: hot samples older than the hot window into segments
(docs/telemetry.md, "Compaction"; celery beat runs the same every 10 minutes in services mode).

--dry-run counts what it would compact; --verify decodes segments and checks their count and
checksum (exit code 1 on a mismatch).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lines.services import telemetry_compaction as compaction


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = parse_datetime(text)
    if moment is None or moment.tzinfo is None:
        raise CommandError(_("not a time with its zone (2026-01-31T00:00+00:00): %s") % text)
    return moment


class Command(BaseCommand):
    help = "Compact hot samples older than the hot window into segments; verify segments."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument(
            "--hot-hours",
            type=float,
            help=f"hours kept as hot rows (default MES_TELEMETRY_HOT_HOURS, {settings.TELEMETRY_HOT_HOURS})",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument(
            "--rest",
            type=float,
            help="after each window, sleep this many times as long as it took "
            f"(default MES_TELEMETRY_COMPACT_REST, {settings.TELEMETRY_COMPACT_REST})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="windows compacted at once, a thread and a connection each (PostgreSQL; "
            f"default MES_TELEMETRY_COMPACT_WORKERS, {settings.TELEMETRY_COMPACT_WORKERS})",
        )
        parser.add_argument("--max-buckets", type=int, help="stop after this many bucket windows")
        parser.add_argument(
            "--verify", action="store_true", help="decode segments, check count and checksum"
        )
        parser.add_argument("--since", help="--verify: buckets from this time (ISO 8601)")
        parser.add_argument("--until", help="--verify: buckets before this time (ISO 8601)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["verify"]:
            self._verify(_moment(opts["since"]), _moment(opts["until"]))
            return
        hours = opts["hot_hours"] if opts["hot_hours"] is not None else settings.TELEMETRY_HOT_HOURS
        if hours < 0:
            raise CommandError(_("--hot-hours cannot be negative"))
        if opts["rest"] is not None and opts["rest"] < 0:
            raise CommandError(_("--rest cannot be negative"))
        if opts["workers"] is not None and opts["workers"] < 1:
            raise CommandError(_("--workers must be at least 1"))
        if opts["max_buckets"] is not None and opts["max_buckets"] < 1:
            raise CommandError(_("--max-buckets must be at least 1"))
        before = compaction.hot_cutoff(hours)
        try:
            done = compaction.samples_compact(
                before=before,
                max_buckets=opts["max_buckets"],
                dry_run=opts["dry_run"],
                rest=opts["rest"] if opts["rest"] is not None else settings.TELEMETRY_COMPACT_REST,
                workers=opts["workers"] or settings.TELEMETRY_COMPACT_WORKERS,
            )
        except compaction.CompactionBusy:
            self.stdout.write("another telemetry compaction is running: nothing done")
            return
        verb = "would compact" if opts["dry_run"] else "compacted"
        self.stdout.write(
            f"{verb} samples before {before:%Y-%m-%d %H:%M} UTC: {done.buckets} buckets, "
            f"{done.segments} segments, {done.samples} samples"
            + ("" if opts["dry_run"] else f" ({done.merged} merged with late samples)")
            + f", {done.seconds:.2f} s, {done.rate:,.0f} samples/s"
        )

    def _verify(self, since: datetime | None, until: datetime | None) -> None:
        result = compaction.segments_verify(since=since, until=until)
        for problem in result.bad:
            self.stderr.write(problem)
        self.stdout.write(
            f"verified {result.segments} segments, {result.samples} samples: {len(result.bad)} bad"
        )
        if result.bad:
            raise CommandError(
                _("%(count)d segments failed verification") % {"count": len(result.bad)}
            )
