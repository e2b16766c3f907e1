"""Stored periods removed when something they were computed from changes (docs/oee.md, "Stored
periods"); the next read computes them again (oee/selectors/periods.py).

Writes in bulk (the state ingest, a generated history) call these directly; single-row writes of
the rows a period rests on (a late operation, an admin edit of the calendar) reach them through
model signals (oee/signals.py), so no way of writing can leave a stale period behind.

Each removal first counts one more on the stations' PeriodStamp, then deletes: a reader that
computed meanwhile sees the count moved and keeps nothing; one that kept just before waits for
the count's row lock, and its row is then deleted by the statement that follows.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, Q, QuerySet, Subquery
from django.utils import timezone

from lines.models import Station
from oee.models import PeriodStamp, PeriodSummary
from oee.models.summaries import KEEP_AFTER, MAX_MARGIN
from oee.timeline import REASON_LEAD

# A state or a stop-reason code changes what follows it, and what a period computed with the
# timeline one threshold beyond its end (MAX_MARGIN); a code reported just before a stop is that
# stop's (oee/timeline.py).
REACH = REASON_LEAD + MAX_MARGIN


def _recent(at: datetime) -> bool:
    """No kept period ends after now - KEEP_AFTER: a write at a recent time changes none, and
    asks the database nothing (an operation completes, a state arrives, many times a second)."""
    return at - REACH >= timezone.now() - KEEP_AFTER


def _remove(stamps: QuerySet[PeriodStamp], periods: QuerySet[PeriodSummary]) -> int:
    stamps.update(removals=F("removals") + 1)
    deleted, _ = periods.delete()
    return deleted


def periods_stale_from(station_id: int, at: datetime) -> int:
    """The station's periods that a state, a code or an operation at `at` may change."""
    if _recent(at):
        return 0
    return _remove(
        PeriodStamp.objects.filter(station_id=station_id),
        PeriodSummary.objects.filter(station_id=station_id, end__gt=at - REACH),
    )


def periods_stale_of_kind_from(station_id: int, at: datetime) -> int:
    """The periods after `at` of every station of the same kind as this one."""
    if _recent(at):
        return 0
    kind = Subquery(Station.objects.filter(pk=station_id).values("kind"))
    return _remove(
        PeriodStamp.objects.filter(station__kind=kind),
        PeriodSummary.objects.filter(station__kind=kind, end__gt=at - REACH),
    )


def periods_stale_over(station_id: int, start: datetime, end: datetime) -> int:
    """The station's periods that overlap [start, end]: a reason given to a stop there."""
    if _recent(start):
        return 0
    return _remove(
        PeriodStamp.objects.filter(station_id=station_id),
        PeriodSummary.objects.filter(
            station_id=station_id, start__lt=end + REACH, end__gt=start - REACH
        ),
    )


def periods_stale_for_stations(station_ids: Iterable[int]) -> int:
    """Every period of the stations: their calendar, threshold or ideal cycle changed."""
    ids = list(station_ids)
    return _remove(
        PeriodStamp.objects.filter(station_id__in=ids),
        PeriodSummary.objects.filter(station_id__in=ids),
    )


def periods_stale_after_batch(earliest: dict[int, datetime]) -> None:
    """After an ingest batch: per station, the earliest state or code it stored. One statement
    each for all of them, and none for a batch in order (this runs inside every batch that
    carries a state)."""
    late = {station_id: at for station_id, at in earliest.items() if not _recent(at)}
    if not late:
        return
    which = Q()
    for station_id, at in late.items():
        which |= Q(station_id=station_id, end__gt=at - REACH)
    _remove(
        PeriodStamp.objects.filter(station_id__in=list(late)),
        PeriodSummary.objects.filter(which),
    )


def period_stamps_create(station_ids: Iterable[int]) -> None:
    """A stamp for each station that has none (a new station; a reader's first look)."""
    PeriodStamp.objects.bulk_create(
        [PeriodStamp(station_id=pk) for pk in station_ids], ignore_conflicts=True
    )
