"""Choosing the station a tablet works at. The choice is remembered by the tablet (a cookie set
by the station screen), so the next operator to sign in lands on it."""

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lines.choices import StationKind
from lines.models import Station
from mes.web.views import STATION_COOKIE


def process_order() -> Case:
    """A station's place in the flow of material (StationKind lists the kinds in that order)."""
    return Case(
        *(When(kind=kind, then=Value(i)) for i, kind in enumerate(StationKind.values)),
        default=Value(len(StationKind.values)),
        output_field=IntegerField(),
    )


@login_required
def station_pick(request: HttpRequest) -> HttpResponse:
    stations = list(
        Station.objects.select_related("line")
        .alias(step=process_order())
        .order_by("line__code", "step", "code")
    )
    cookie = request.COOKIES.get(STATION_COOKIE, "")
    remembered = next((s.code for s in stations if s.code == cookie), "")
    return render(
        request, "lines/station_pick.html", {"stations": stations, "remembered": remembered}
    )
