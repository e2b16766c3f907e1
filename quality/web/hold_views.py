"""One hold: what it reaches, where those units are, and the signed disposition that ends it.

A recall hold has no flag, so the queue links here for every active hold."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from mes.actors import request_actor
from mes.errors import DomainError
from quality import services
from quality.choices import HoldState
from quality.models import Hold
from quality.selectors.dispositions import disposition_deciding
from quality.selectors.flag_queue import hold_members
from quality.web.access import quality_required
from quality.web.forms import DispositionForm


@quality_required
def hold_page(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(Hold.objects.select_related("unit", "flag", "placed_by"), pk=hold_id)
    form = DispositionForm(request.POST or None)
    decided, error, status = None, "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                decided = services.disposition_decide(
                    **form.cleaned_data, by=request_actor(request), hold=hold
                )
            except DomainError as exc:
                error = exc.message
            else:
                status, form = 200, DispositionForm()
                hold.refresh_from_db()
    context = {
        "hold": hold,
        "members": hold_members(hold=hold),
        "form": form,
        "decided": decided,
        "signed": disposition_deciding(hold=hold),
        "error": error,
        "active": hold.state == HoldState.ACTIVE,
    }
    return render(request, "quality/hold.html", context, status=status)
