"""The quality engineer's queue: open flags (filtered) and active holds, and one flag in context."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from lines.models import Unit
from lines.selectors import samples
from quality.choices import FlagState, HoldState
from quality.models import Flag, Hold, HoldMember

QUEUE_LIMIT = 200
AGES = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7)}
CONTEXT_SAMPLES = 60  # readings drawn either side of a flag's own samples
AFFECTED_SHOWN = 50


@dataclass(frozen=True)
class QueueFilter:
    station: str = ""
    parameter: str = ""
    severity: str = ""
    age: str = ""  # "1h", "24h", "7d": raised within; "old": raised more than 7 days ago


def open_flags(*, filters: QueueFilter, now: datetime | None = None) -> QuerySet[Flag]:
    """Open flags, newest first, narrowed by station code, parameter, severity and age."""
    flags = Flag.objects.filter(state=FlagState.OPEN).select_related("unit", "station")
    if filters.station:
        flags = flags.filter(station__code=filters.station)
    if filters.parameter:
        flags = flags.filter(parameter=filters.parameter)
    if filters.severity:
        flags = flags.filter(severity=filters.severity)
    now = now or timezone.now()
    if filters.age in AGES:
        flags = flags.filter(raised_at__gte=now - AGES[filters.age])
    elif filters.age == "old":
        flags = flags.filter(raised_at__lt=now - AGES["7d"])
    return flags.order_by("-raised_at", "-id")


def active_holds() -> QuerySet[Hold]:
    """Active holds with their member counts, newest first."""
    return (
        Hold.objects.filter(state=HoldState.ACTIVE)
        .select_related("unit", "flag", "placed_by")
        .annotate(member_count=Count("members"))
        .order_by("-placed_at", "-id")
    )


def queue_choices() -> dict[str, list[str]]:
    """What the filters offer: the stations and parameters that have open flags."""
    rows = Flag.objects.filter(state=FlagState.OPEN).values_list("station__code", "parameter")
    pairs = set(rows)
    return {
        "stations": sorted({s for s, _ in pairs}),
        "parameters": sorted({p for _, p in pairs}),
    }


@dataclass
class FlagContext:
    """What a decision on a flag rests on."""

    flag: Flag
    samples: list[tuple[int, datetime, float]]  # (id, source time, value), oldest first
    flagged_ids: set[int]
    hold: Hold | None  # the active hold a disposition decides, if any
    affected: list[Unit] = field(default_factory=list)
    affected_count: int = 0


def flag_context(*, flag: Flag) -> FlagContext:
    """The flag's samples with the readings around them, the hold it is under, the units it
    concerns (its unit, the cells flagged from its segment, the members of its hold)."""
    hold = _deciding_hold(flag)
    samples = _samples_around(flag)
    context = FlagContext(flag, samples, set(flag.sample_ids or []), hold)
    ids: Iterable[int | None]
    if hold is not None:
        members = HoldMember.objects.filter(hold=hold).order_by("unit_id")
        context.affected_count = members.count()
        ids = members.values_list("unit_id", flat=True)[:AFFECTED_SHOWN]
    else:
        derived = Flag.objects.filter(source_flag=flag).exclude(unit=None)
        own = [flag.unit_id] if flag.unit_id else []
        ids = own + list(derived.values_list("unit_id", flat=True)[:AFFECTED_SHOWN])
        context.affected_count = (1 if flag.unit_id else 0) + derived.count()
    context.affected = list(Unit.objects.filter(id__in=list(ids)).order_by("identifier"))
    return context


def _deciding_hold(flag: Flag) -> Hold | None:
    """The active hold placed for this flag, or for the segment flag it derives from."""
    ids = [flag.pk] + ([flag.source_flag_id] if flag.source_flag_id else [])
    return (
        Hold.objects.filter(flag_id__in=ids, state=HoldState.ACTIVE)
        .select_related("unit")
        .order_by("placed_at")
        .first()
    )


def _samples_around(flag: Flag) -> list[tuple[int, datetime, float]]:
    series = samples.Where(stations=[flag.station_id], parameters=[flag.parameter], usable=True)
    own = samples.samples(samples.Where(ids=flag.sample_ids or []))
    if not own:
        before = replace(series, until=flag.raised_at, until_closed=True)
        after = replace(series, since=flag.raised_at, since_open=True)
    else:
        before = replace(series, until=own[0].source_time)
        after = replace(series, since=own[-1].source_time, since_open=True)
    rows = list(reversed(samples.newest(before, CONTEXT_SAMPLES)))
    rows += own
    rows += samples.oldest(after, CONTEXT_SAMPLES)
    return [(s.pk, s.source_time, s.value) for s in rows if s.value is not None]


@dataclass
class HoldMembers:
    count: int
    by_status: list[tuple[str, int]]
    first: list[Unit]


def hold_members(*, hold: Hold) -> HoldMembers:
    """How many units a hold reaches, by their status now, and the first of them."""
    members = Unit.objects.filter(hold_memberships__hold=hold)
    by_status = members.values_list("status").annotate(n=Count("id")).order_by("-n", "status")
    return HoldMembers(
        count=members.count(),
        by_status=list(by_status),
        first=list(members.order_by("identifier")[:AFFECTED_SHOWN]),
    )
