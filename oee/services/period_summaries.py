"""Stored periods removed when something they were computed from changes (docs/oee.md, "Stored
periods"); the next read computes them again (oee/selectors/periods.py).

Writes in bulk (the state ingest, a generated history) call these directly; single-row writes of
the rows a period rests on (a late operation, an admin edit of the calendar) reach them through
model signals (oee/signals.py), so no way of writing can leave a stale period behind.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, Subquery
from django.utils import timezone

from lines.models import Station
from oee.models import PeriodSummary
from oee.models.summaries import KEEP_AFTER
from oee.timeline import REASON_LEAD

# A state or a stop-reason code changes what follows it: everything after it may read
# differently; a code reported just before a stop is that stop's (oee/timeline.py).
LEAD = REASON_LEAD


def _recent(at: datetime) -> bool:
    """No kept period ends after now - KEEP_AFTER: a write at a recent time changes none, and
    asks the database nothing (an operation completes, a state arrives, many times a second)."""
    return at - LEAD >= timezone.now() - KEEP_AFTER


def periods_stale_from(station_id: int, at: datetime) -> int:
    """The station's periods that end after `at`: a state, a code or an operation at `at` may
    change each of them."""
    if _recent(at):
        return 0
    deleted, _ = PeriodSummary.objects.filter(station_id=station_id, end__gt=at - LEAD).delete()
    return deleted


def periods_stale_of_kind_from(station_id: int, at: datetime) -> int:
    """The periods after `at` of every station of the same kind as this one."""
    if _recent(at):
        return 0
    kind = Station.objects.filter(pk=station_id).values("kind")
    deleted, _ = PeriodSummary.objects.filter(
        station__kind=Subquery(kind), end__gt=at - LEAD
    ).delete()
    return deleted


def periods_stale_over(station_id: int, start: datetime, end: datetime) -> int:
    """The station's periods that overlap [start, end]: a reason given to a stop there."""
    if _recent(start):
        return 0
    deleted, _ = PeriodSummary.objects.filter(
        station_id=station_id, start__lt=end + LEAD, end__gt=start - LEAD
    ).delete()
    return deleted


def periods_stale_for_stations(station_ids: Iterable[int]) -> int:
    """Every period of the stations: their calendar, threshold or ideal cycle changed."""
    deleted, _ = PeriodSummary.objects.filter(station_id__in=list(station_ids)).delete()
    return deleted


def periods_stale_after_batch(earliest: dict[int, datetime]) -> None:
    """After an ingest batch: per station, the earliest state or code it stored. One statement
    for all of them: this runs inside every batch that carries a state."""
    late = {station_id: at for station_id, at in earliest.items() if not _recent(at)}
    if not late:
        return
    which = Q()
    for station_id, at in late.items():
        which |= Q(station_id=station_id, end__gt=at - LEAD)
    PeriodSummary.objects.filter(which).delete()
