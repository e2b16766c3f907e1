"""Station screens: thin views over lines.services and lines.selectors."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lines.models import Station


@login_required
def station_pick(request: HttpRequest) -> HttpResponse:
    stations = Station.objects.select_related("line").order_by("line__code", "code")
    return render(request, "lines/station_pick.html", {"stations": stations})
