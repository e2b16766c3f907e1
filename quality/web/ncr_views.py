"""NCRs: the list to find one again and one NCR's page with its flags and units."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from quality.models import Ncr
from quality.selectors.ncrs import NCRS_SHOWN, ncr_flags, ncr_list
from quality.web.access import quality_required


@quality_required
def ncr_list_page(request: HttpRequest) -> HttpResponse:
    ncrs = ncr_list()
    context = {"ncrs": ncrs[:NCRS_SHOWN], "count": ncrs.count()}
    return render(request, "quality/ncr_list.html", context)


def ncr_page_context(ncr: Ncr) -> dict[str, object]:
    units = ncr.units.order_by("identifier")
    return {"ncr": ncr, "flags": ncr_flags(ncr=ncr), "units": units}


@quality_required
def ncr_page(request: HttpRequest, code: str) -> HttpResponse:
    ncr = get_object_or_404(Ncr.objects.select_related("created_by"), code=code)
    return render(request, "quality/ncr.html", ncr_page_context(ncr))
