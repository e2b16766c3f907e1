"""`manage.py telemetry_retention`: remove telemetry past its retention (docs/telemetry.md,
"Retention"). A dry run unless --apply: it prints per class what would be removed and what is
kept past the raw-telemetry period because a unit or a quality record refers to it. --apply
removes exactly what a dry run at the same --as-of lists (the data unchanged meanwhile).
"""

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lines.services.telemetry_retention import Policy, Report, Tally, retention_run


class Command(BaseCommand):
    help = (
        "Remove telemetry past its retention: raw telemetry after MES_RETENTION_TELEMETRY_DAYS, "
        "a unit's samples and samples a quality record refers to after "
        "MES_RETENTION_PRODUCT_YEARS. A dry run unless --apply."
    )

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--apply", action="store_true", help="remove; without it, only list")
        parser.add_argument(
            "--as-of",
            help="judge as of this UTC time (ISO 8601, not in the future; default now): a dry "
            "run and an --apply at the same --as-of remove the same data",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        now = datetime.now(UTC)
        as_of = now
        if opts["as_of"]:
            parsed = parse_datetime(opts["as_of"])
            if parsed is None:
                raise CommandError(_("--as-of is not an ISO 8601 date and time"))
            as_of = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            if as_of > now:
                raise CommandError(_("--as-of may not be in the future"))
        try:
            policy = Policy.from_settings(now=as_of)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        report = retention_run(policy=policy, apply=opts["apply"])
        self._print(report)

    def _print(self, report: Report) -> None:
        policy = report.policy
        self.stdout.write(
            f"retention as of {policy.now:%Y-%m-%d %H:%M} UTC: raw telemetry "
            f"{policy.telemetry_days} days (before {policy.telemetry_cutoff:%Y-%m-%d %H:%M}), "
            f"product data {policy.product_years} years "
            f"(before {policy.product_cutoff:%Y-%m-%d %H:%M})"
        )
        self.stdout.write("removed:" if report.applied else "would remove (dry run; --apply):")
        for name, tally in report.removed.items():
            self.stdout.write(f"  {name}: {_line(tally)}")
        self.stdout.write("kept past the raw-telemetry period:")
        for name, tally in report.kept.items():
            self.stdout.write(f"  {name}: {_line(tally)}")


def _line(tally: Tally) -> str:
    if not tally.samples:
        return "nothing"
    span = f"{tally.oldest:%Y-%m-%d %H:%M} .. {tally.newest:%Y-%m-%d %H:%M}"
    return (
        f"{tally.segments:,} segments and {tally.rows:,} hot rows, {tally.samples:,} samples, "
        f"~{_size(tally.bytes)}, {span}"
    )


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000:
            return f"{size:.0f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"
