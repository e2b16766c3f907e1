"""`manage.py oee_summarise --days N`: compute and keep the ended periods of the last N days."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.models import Line, Station
from oee.selectors.machine_time import line_clock
from oee.selectors.periods import stations_parts


class Command(BaseCommand):
    """Periods are kept the first time they are read (docs/oee.md, "Stored periods"); this reads
    them ahead, so the first look at a year's Pareto after an upgrade or a generated history is
    as fast as the next. Safe to run at any time and again: it keeps what is missing only."""

    help = "Compute and keep the ended shifts (or days) of the last N days of every line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=366, help="how far back (default 366)")
        parser.add_argument("--line", default=None, help="one line's code (default: every line)")

    def handle(self, *args: object, days: int, line: str | None, **options) -> None:
        if days < 1:
            raise CommandError(_("--days must be at least 1."))
        lines = Line.objects.order_by("code")
        if line is not None:
            lines = lines.filter(code=line)
            if not lines.exists():
                raise CommandError(_("No line %(code)s.") % {"code": line})
        end = timezone.now()
        for each in lines:
            clock = line_clock(each)
            stations = list(Station.objects.filter(line=each).order_by("code"))
            periods = stations_parts(stations, clock, end - timedelta(days=days), end)
            for station in stations:
                self.stdout.write(f"{each.code} {station.code}: {len(periods[station.pk])} periods")
