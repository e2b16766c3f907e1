"""Writing a line's shift calendar: a pattern whose shifts would overlap another's is refused
(the same hour would count twice as planned production time)."""

from datetime import time
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.models import Line
from mes.errors import InvalidInput
from oee.models import ShiftPattern
from oee.selectors.machine_time import line_clock, pattern_of
from oee.shifts import overlapping


def shift_pattern_check(
    *,
    line: Line,
    name: str,
    start: time,
    hours: Decimal,
    weekdays: str = "0123456",
    breaks: list[dict[str, Any]] | None = None,
    pk: int | None = None,
) -> None:
    """Refuse a pattern that is malformed or whose shifts overlap another pattern's."""
    if (
        not weekdays
        or any(d not in "0123456" for d in weekdays)
        or len(set(weekdays)) != len(weekdays)
    ):
        raise InvalidInput(
            _("Weekdays are digits 0 (Monday) to 6 (Sunday), each at most once, e.g. 01234."),
            field="weekdays",
        )
    if not Decimal(0) < Decimal(hours) <= Decimal(24):
        raise InvalidInput(_("A shift lasts more than 0 and at most 24 hours."), field="hours")
    candidate = ShiftPattern(
        line=line, name=name, start=start, hours=hours, weekdays=weekdays, breaks=breaks or []
    )
    try:
        pattern = pattern_of(candidate)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(
            _('Breaks are a list of {"start": "HH:MM", "minutes": N}.'), field="breaks"
        ) from exc
    clock = line_clock(line)
    rows = ShiftPattern.objects.filter(line=line)
    others = [pattern_of(p) for p in (rows.exclude(pk=pk) if pk is not None else rows)]
    clash = overlapping([*others, pattern], clock.time_zone, timezone.now())
    if clash:
        raise InvalidInput(
            _("Shift %(first)s would overlap shift %(second)s on line %(line)s.")
            % {"first": clash[0], "second": clash[1], "line": line.code},
            field="start",
        )


def shift_pattern_save(*, line: Line, pk: int | None = None, **fields: Any) -> ShiftPattern:
    """Create or change a pattern once it is checked; two planners at once are serialised on
    the line, so neither can add an overlap the other's check did not see."""
    with transaction.atomic():
        Line.objects.select_for_update().filter(pk=line.pk).first()
        shift_pattern_check(line=line, pk=pk, **fields)
        if pk is None:
            return ShiftPattern.objects.create(line=line, **fields)
        pattern = ShiftPattern.objects.get(pk=pk, line=line)
        for key, value in fields.items():
            setattr(pattern, key, value)
        pattern.save()
        return pattern
