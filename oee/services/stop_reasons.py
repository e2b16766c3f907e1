"""Assigning a reason to (part of) a station's stop (docs/oee.md, "Downtime reasons").

Two people assigning the same stop at once: the one whose transaction runs second sees that the
assignments it was shown are no longer current and is refused, naming who assigned what; nobody
overwrites a reason they did not see.
"""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.models import Station
from mes.errors import InvalidInput, NotFound, RuleViolation
from oee.models import DowntimeReason, StopAssignment
from oee.selectors.machine_time import station_stops
from oee.selectors.stop_reasons import current_assignments, reason_offered


def stop_reason_assign(
    *,
    station: Station,
    start: datetime,
    end: datetime,
    reason: DowntimeReason,
    replaces: Sequence[int],
    by: User,
    note: str = "",
    until_stop_end: bool = False,
) -> StopAssignment:
    """Assign `reason` to [start, end) of one stop. `replaces` are the ids of the current
    assignments the person saw overlapping that range (none for a stop nobody assigned yet).
    `until_stop_end`: the stop still runs (`end` is now) and the reason holds until it ends."""
    if end <= start:
        raise InvalidInput(_("The end must come after the start."), field="end")
    if not reason_offered(reason, station.kind):
        raise InvalidInput(
            _("Reason %(reason)s is not offered at %(station)s.")
            % {"reason": reason.display_name, "station": station.code},
            field="reason",
        )
    with transaction.atomic():
        # One writer per station at a time: the check below and the write are one step.
        Station.objects.select_for_update().filter(pk=station.pk).first()
        _within_one_stop(station, start, end)
        overlapped = list(current_assignments(station, start, end))
        if sorted(a.pk for a in overlapped) != sorted(replaces):
            raise RuleViolation(_changed_meanwhile(overlapped), code="reason_changed")
        now = timezone.now()
        for old in overlapped:
            old.superseded_at = now
            old.save(update_fields=["superseded_at"])
            for piece_start, piece_end in _uncovered(old, start, end):
                StopAssignment.objects.create(
                    station=station,
                    start=piece_start,
                    end=piece_end,
                    reason_id=old.reason_id,
                    note=old.note,
                    assigned_by_id=old.assigned_by_id,
                    assigned_at=old.assigned_at,
                    piece_of=old,
                )
        return StopAssignment.objects.create(
            station=station,
            start=start,
            end=end,
            reason=reason,
            note=note,
            assigned_by=by,
            assigned_at=now,
            until_stop_end=until_stop_end,
        )


def _within_one_stop(station: Station, start: datetime, end: datetime) -> None:
    now = timezone.now()
    if end > now:
        raise InvalidInput(_("A reason can be given for time that has passed only."), field="end")
    for stop in station_stops(station, start, end):
        if stop.start <= start and end <= stop.end:
            return
    raise NotFound(
        _("%(station)s had no single stop from %(start)s to %(end)s.")
        % {"station": station.code, "start": start.isoformat(), "end": end.isoformat()},
        field="start",
    )


def _uncovered(
    old: StopAssignment, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    pieces = []
    if old.start < start:
        pieces.append((old.start, start))
    if old.end > end:
        pieces.append((end, old.end))
    return pieces


def _changed_meanwhile(current: Sequence[StopAssignment]) -> str:
    if not current:
        return _("The reasons of this stop changed meanwhile. Reload it and choose again.")
    latest = max(current, key=lambda a: a.assigned_at)
    return _(
        "%(user)s assigned %(reason)s to this stop at %(at)s, after you loaded it. Reload it and "
        "choose again."
    ) % {
        "user": latest.assigned_by.get_username(),
        "reason": latest.reason.display_name,
        "at": timezone.localtime(latest.assigned_at).strftime("%H:%M:%S"),
    }
