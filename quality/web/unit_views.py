"""A unit's history, printable as its traceability report."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from lines.models import Unit
from quality.selectors.unit_report import unit_report
from quality.web.access import quality_required
from quality.web.unit_panels import unit_panels


@quality_required
def unit_page(request: HttpRequest, identifier: str) -> HttpResponse:
    unit = get_object_or_404(
        Unit.objects.select_related("station", "product"), identifier=identifier
    )
    context = {
        "report": unit_report(unit=unit),
        "panels": unit_panels(unit=unit),
        "printed_at": timezone.now(),
    }
    return render(request, "quality/unit.html", context)
