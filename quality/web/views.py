"""Quality screens: thin views over quality.services and quality.selectors."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from quality.choices import FlagState, HoldState
from quality.models import Flag, Hold
from quality.web.access import quality_required


@quality_required
def quality_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "quality/home.html",
        {
            "open_flags": Flag.objects.filter(state=FlagState.OPEN).count(),
            "active_holds": Hold.objects.filter(state=HoldState.ACTIVE).count(),
        },
    )
