"""Connection gaps of a batch (docs/telemetry.md, "Connection gaps"): when its bridge had no
subscription on its server. Stored once per source and start (lines.ConnectionGap): a re-sent
batch stores nothing twice, and the report of the end closes the open gap reported before it,
in whichever order the two arrive.

A gap that cannot be used (no readable times, an end not after its start, a time far in the
future) is a problem of the batch, recorded with it; it never costs the batch its values.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lines.models import ConnectionGap, Station, Tag
from lines.telemetry_bounds import text_of, time_problem

MAX_GAPS = 100  # per batch; a bridge sends one or two
# A gap's time later than this past the ingest's clock is no clock drift but a wrong clock: it
# would blank a station's time that has not happened yet.
MAX_AHEAD = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RawGap:
    start: datetime
    end: datetime | None  # None: still open
    endpoint: str
    stations: tuple[str, ...] | None  # None: the batch did not say


def _moment(raw: Any, what: str, now: datetime) -> tuple[datetime | None, str]:
    try:
        moment = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return None, _("%(field)s must be an ISO 8601 time with a zone, got %(value)s.") % {
            "field": what,
            "value": repr(text_of(raw, 80)),
        }
    problem = time_problem(moment, what, raw)
    if not problem and moment > now + MAX_AHEAD:
        problem = _("%(field)s %(value)s lies in the future.") % {"field": what, "value": raw}
    return (None, problem) if problem else (moment, "")


def _gap(item: Any, now: datetime) -> tuple[RawGap | None, str]:
    if not isinstance(item, dict):
        return None, _("A gap is a JSON object.")
    start, problem = _moment(item.get("start"), "start", now)
    if start is None:
        return None, problem
    end = None
    if item.get("end") is not None:
        end, problem = _moment(item.get("end"), "end", now)
        if end is None:
            return None, problem
        if end <= start:
            return None, _("The gap ends (%(end)s) before it starts (%(start)s).") % {
                "end": item.get("end"),
                "start": item.get("start"),
            }
    stations = item.get("stations")
    if stations is not None:
        if not isinstance(stations, list):
            return None, _("A gap's stations must be a list of station codes.")
        stations = tuple(text_of(code, 32) for code in stations)
    return RawGap(start, end, text_of(item.get("endpoint") or "", 255), stations), ""


def gaps_parse(raw: Any, now: datetime) -> tuple[list[RawGap], list[str]]:
    """The usable gaps of a batch's `gaps`, and why each other one cannot be used. Pure."""
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], [_("gaps must be a list of JSON objects: none of them was stored.")]
    found, problems = [], []
    for item in raw[:MAX_GAPS]:
        gap, problem = _gap(item, now)
        if gap is None:
            shown = text_of(item, 160)
            problems.append(_("gap %(gap)s: %(problem)s") % {"gap": shown, "problem": problem})
        else:
            found.append(gap)
    if len(raw) > MAX_GAPS:
        problems.append(
            _("%(n)s gaps in one batch; the first %(max)s were read.")
            % {"n": len(raw), "max": MAX_GAPS}
        )
    return found, problems


def gaps_store(*, gaps: list[RawGap], source: str) -> list[str]:
    """Store the batch's gaps (inside its transaction); the problems found on the way."""
    problems: list[str] = []
    if not gaps:
        return problems
    codes = {code for gap in gaps for code in gap.stations or ()}
    by_code = dict(Station.objects.filter(code__in=codes).values_list("code", "id"))
    every: list[int] | None = None
    now = timezone.now()
    for gap in gaps:
        if gap.stations is None:
            # A sender that does not say: the stations of every enabled tag, which is what every
            # bridge subscribes (opcua_bridge/bridge/tagmap.py).
            if every is None:
                every = list(
                    Tag.objects.filter(enabled=True).values_list("station_id", flat=True).distinct()
                )
            station_ids = every
        else:
            unknown = sorted(set(gap.stations) - set(by_code))
            if unknown:
                problems.append(
                    _("gap from %(start)s: no station %(codes)s in the MES.")
                    % {"start": gap.start.isoformat(), "codes": ", ".join(unknown)}
                )
            station_ids = [by_code[code] for code in gap.stations if code in by_code]
        row, created = ConnectionGap.objects.get_or_create(
            source=source,
            start=gap.start,
            defaults={"end": gap.end, "endpoint": gap.endpoint, "received_at": now},
        )
        if not created and gap.end is not None and row.end is None:
            # The first end reported wins: a re-sent batch carries the same one. Saved, not
            # updated in bulk: what was computed from the open gap hears of it (post_save).
            row = ConnectionGap.objects.select_for_update().get(pk=row.pk)
            if row.end is None:
                row.end = gap.end
                row.save(update_fields=["end"])
        row.stations.add(*station_ids)
    return problems
