"""The flags and holds queue, and an NCR opened over the flags ticked in it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from mes.actors import request_actor
from mes.errors import DomainError
from mes.numbers import BIGINT_MAX
from mes.web.htmx import HtmxRequest
from mes.web.params import BadParameter
from quality import services
from quality.choices import FlagState
from quality.models import Flag
from quality.selectors.flag_queue import (
    QUEUE_LIMIT,
    QueueFilter,
    active_holds,
    open_flags,
    queue_choices,
)
from quality.selectors.ncrs import ncr_codes_of
from quality.web.access import quality_required
from quality.web.forms import NcrForm
from quality.web.labels import SEVERITY
from quality.web.ncr_views import ncr_page_context


def _filters(request: HttpRequest) -> QueueFilter:
    get = request.GET
    return QueueFilter(
        station=get.get("station", ""),
        parameter=get.get("parameter", ""),
        severity=get.get("severity", ""),
        age=get.get("age", ""),
    )


@quality_required
def queue_page(request: HtmxRequest) -> HttpResponse:
    filters = _filters(request)
    flags = open_flags(filters=filters)
    shown = list(flags[:QUEUE_LIMIT])
    in_ncrs = ncr_codes_of(flag_ids=[f.pk for f in shown])
    context = {
        "filters": filters,
        "flags": shown,
        "rows": [(flag, in_ncrs.get(flag.pk, [])) for flag in shown],
        "flag_count": flags.count(),
        "holds": active_holds()[:QUEUE_LIMIT],
        "choices": queue_choices(),
        "severities": list(SEVERITY.items()),
        "ncr_form": NcrForm(),
    }
    template = "quality/_queue_flags.html" if request.htmx else "quality/queue.html"
    return render(request, template, context)


def _flag_ids(values: list[str]) -> list[int]:
    """The ticked flags' ids; anything else (a tampered form: '²', a 30-digit number) is refused
    as a whole rather than dropped, so the NCR never quietly covers fewer flags than sent."""
    ids = []
    for value in values:
        text = value.strip()
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= BIGINT_MAX):
            raise BadParameter(_("“%(value)s” is not a flag id.") % {"value": text[:40]})
        ids.append(int(text))
    return ids


@quality_required
def ncr_create(request: HttpRequest) -> HttpResponse:
    """Open an NCR over the ticked flags (quality.services.ncr_open audits it)."""
    if request.method != "POST":
        return redirect("quality-queue")
    form = NcrForm(request.POST)
    error = ""
    try:
        ids = _flag_ids(request.POST.getlist("flags"))
    except BadParameter as exc:
        ids, error = [], exc.message
    flags = list(Flag.objects.filter(id__in=ids, state=FlagState.OPEN).order_by("id"))
    if form.is_valid() and not error:
        try:
            ncr = services.ncr_open(
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                flags=flags,
                by=request_actor(request),
            )
        except DomainError as exc:
            error = exc.message
        else:
            page = {**ncr_page_context(ncr), "opened": True}
            return render(request, "quality/ncr.html", page)
    context = {"form": form, "error": error, "flags": flags}
    return render(request, "quality/ncr_refused.html", context, status=400)
