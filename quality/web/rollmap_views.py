"""Roll map: a roll's metres coloured by quality per parameter, its daughters and its cells."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from lines.choices import UnitKind
from lines.models import Unit
from quality.selectors.roll_map import roll_map, whole_roll_flags
from quality.web.access import quality_required
from quality.web.rollmap_svg import rollmap_svg


@quality_required
def rollmap_page(request: HttpRequest, identifier: str) -> HttpResponse:
    roll = get_object_or_404(Unit, identifier=identifier, kind=UnitKind.ROLL)
    result = roll_map(roll=roll)
    title = _("Roll map of %(identifier)s") % {"identifier": roll.identifier}
    context = {
        "map": result,
        "svg": rollmap_svg(result, title=title),
        "title": title,
        "whole_roll": whole_roll_flags(roll=roll),
    }
    return render(request, "quality/rollmap.html", context)
