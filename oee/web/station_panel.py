"""The station screen's machine-time panel (lines.hooks.STATION_PANELS): the machine's state now,
the shift's OEE so far, and every stop of the shift longer than the micro-stop threshold that
still has time without a reason, asking for one (the one still running first). An operator picks
a reason from the tree offered at the station; the answer is the panel again."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lines.models import Station
from mes.actors import request_actor
from mes.errors import DomainError
from mes.roles import MOVES_UNITS, user_roles
from oee.models import DowntimeReason
from oee.models.states import StateCategory
from oee.selectors.machine_time import current_shift, line_clock, state_now, station_stops
from oee.selectors.periods import station_figures
from oee.selectors.stop_reasons import reasons_for
from oee.services.stop_reasons import stop_reason_assign
from oee.web.svg import COLOURS


def panel_url(*, station: Station) -> str:
    return reverse("oee-station-panel", args=[station.code])


def _context(request: HttpRequest, station: Station, notice: str = "", ok: bool = True) -> dict:
    now = timezone.now().replace(microsecond=0)
    clock = line_clock(station.line)
    shift, start = current_shift(clock, now)
    (row,) = station_figures(station, start, now, clock=clock)
    state = state_now(station, now)
    stops = [
        s
        for s in station_stops(station, start, now, with_reasons=True)
        if not s.micro_stop and s.unassigned_s > 0
    ]
    stops.sort(key=lambda s: s.end != now)  # the stop still running first
    return {
        "station": station,
        "shift": shift if clock.patterns else "",
        "state": state,
        "state_name": dict(StateCategory.choices).get(state, state),
        "colour": COLOURS.get(state, "#9e9e9e"),
        "figures": row.figures,
        "stops": [{"stop": s, "running": s.end == now} for s in stops],
        "reasons": reasons_for(station.kind),
        "may_assign": bool(user_roles(request.user) & MOVES_UNITS),
        "notice": notice,
        "notice_ok": ok,
    }


def _panel(
    request: HttpRequest, station: Station, notice: str = "", *, status: int = 200
) -> HttpResponse:
    context = _context(request, station, notice, ok=status == 200)
    return render(request, "oee/_station_panel.html", context, status=status)


def _moment(text: str) -> datetime | None:
    try:
        return parse_datetime(text)
    except ValueError:  # well formed but no date (month 13): as unreadable as any other
        return None


@login_required
def station_panel(request: HttpRequest, code: str) -> HttpResponse:
    return _panel(request, get_object_or_404(Station, code=code))


@login_required
@require_POST
def station_reason(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(Station, code=code)
    start = _moment(request.POST.get("start", ""))
    end = _moment(request.POST.get("end", ""))
    reason = DowntimeReason.objects.filter(code=request.POST.get("reason", "")).first()
    if not user_roles(request.user) & MOVES_UNITS:
        return _panel(request, station, _("Your role does not allow this change."), status=403)
    if start is None or end is None or reason is None:
        return _panel(request, station, _("Choose a reason for the stop."), status=400)
    replaces = [int(v) for v in request.POST.getlist("replaces") if v.isdigit()]
    try:
        stop_reason_assign(
            station=station,
            start=start,
            end=end,
            reason=reason,
            replaces=replaces,
            by=request_actor(request),
            until_stop_end=request.POST.get("running") == "1",
        )
    except DomainError as refused:
        return _panel(request, station, refused.message, status=409)
    said = _("Reason recorded: %(reason)s.") % {"reason": reason.display_name}
    return _panel(request, station, said)
