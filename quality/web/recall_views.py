"""Recall: from a suspect lot, where its cells are now, what a hold would reach, and one signed
action that holds them all."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lines.models import Unit
from mes.actors import request_actor
from mes.errors import DomainError
from quality import services
from quality.selectors.holds import hold_impact, recall_holds_on
from quality.web.access import quality_required
from quality.web.forms import SignatureFields


@quality_required
def recall_page(request: HttpRequest, identifier: str) -> HttpResponse:
    unit = get_object_or_404(Unit, identifier=identifier)
    form = SignatureFields(request.POST or None)
    placed, error, status = None, "", 200
    if request.method == "POST" and form.is_valid():
        try:
            placed = services.unit_recall_hold(
                unit=unit,
                reason=form.cleaned_data["reason"],
                password=form.cleaned_data["password"],
                by=request_actor(request),
            )
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            # The page shows the unit as it is now: held, with its hold instead of the form.
            unit.refresh_from_db()
            form = SignatureFields()
    elif request.method == "POST":
        status = 400
    context = {
        "unit": unit,
        "impact": hold_impact(unit=unit),
        "form": form,
        "placed": placed,
        "recall_holds": recall_holds_on(unit=unit),
        "error": error,
    }
    return render(request, "quality/recall.html", context, status=status)
