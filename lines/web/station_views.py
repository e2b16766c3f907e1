"""The station screen (/station/<code>/) and its partials: the unit card after a scan, the
live panel. Reads only; the writes are in action_views."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import push_url

from lines import hooks, selectors
from lines.models import Station, Unit
from lines.web.card import card_for
from lines.web.live import live_context
from mes.errors import NotFound
from mes.web.views import STATION_COOKIE

REMEMBER_STATION_S = 365 * 24 * 3600


def card_context(*, station: Station, identifier: str) -> dict:
    """The unit card for a scanned identifier, or the refusal when there is no such unit."""
    identifier = identifier.strip()
    if not identifier:
        return {}
    try:
        unit = selectors.unit_get_by_identifier(identifier=identifier)
    except NotFound:
        # What to do, and whom to call, rather than the bare refusal.
        return {"unknown": identifier}
    return {"card": card_for(station=station, unit=unit)}


def screen_context(*, station: Station, unit: Unit | None = None, identifier: str = "") -> dict:
    if unit is not None:
        identifier = unit.identifier
    return {
        "station": station,
        **card_context(station=station, identifier=identifier),
        **live_context(station=station),
        "station_panels": [panel(station=station) for panel in hooks.STATION_PANELS],
    }


@login_required
def station_screen(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(Station, code=code)
    context = screen_context(station=station, identifier=request.GET.get("unit", ""))
    response = render(request, "lines/station.html", context)
    response.set_cookie(
        STATION_COOKIE, station.code, max_age=REMEMBER_STATION_S, samesite="Lax", httponly=True
    )
    return response


@login_required
def station_unit(request: HttpRequest, code: str) -> HttpResponse:
    """The unit card for a scan (htmx swaps it into the page; nothing changes by scanning)."""
    station = get_object_or_404(Station, code=code)
    context = {
        "station": station,
        **card_context(station=station, identifier=request.GET.get("unit", "")),
    }
    return with_unit_in_address(render(request, "lines/_card.html", context), station, context)


def with_unit_in_address(response: HttpResponse, station: Station, context: dict) -> HttpResponse:
    """Put the unit shown on the card in the browser's address (/station/X/?unit=...), so a
    reload or a change of language shows the same unit again."""
    card = context.get("card")
    if card is None:
        return response
    query = urlencode({"unit": card.unit.identifier})
    return push_url(response, f"{reverse('station', args=[station.code])}?{query}")


@login_required
def station_live(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(Station, code=code)
    return render(
        request, "lines/_live.html", {"station": station, **live_context(station=station)}
    )
