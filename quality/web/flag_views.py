"""One flag: its samples around the event on a chart, the spec version, the units it concerns,
and the signed disposition that decides it (or the hold it is under)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from mes.actors import request_actor
from mes.errors import DomainError
from quality import services
from quality.choices import FlagState
from quality.models import Flag
from quality.selectors.dispositions import disposition_deciding
from quality.selectors.flag_queue import FlagContext, flag_context
from quality.web.access import quality_required
from quality.web.forms import DispositionForm
from quality.web.spc_svg import Line, series_svg


def _chart(context: FlagContext) -> str:
    flag = context.flag
    version = flag.spec_version
    lines = []
    if version is not None:
        for name, label, value in (
            ("lsl", _("LSL"), version.lsl),
            ("target", _("Target"), version.target),
            ("usl", _("USL"), version.usl),
        ):
            if value is not None:
                lines.append(Line(name, label, value))
    values = [v for _i, _t, v in context.samples]
    marks = {
        index: ["⚑"]
        for index, (i, _t, _v) in enumerate(context.samples)
        if i in context.flagged_ids
    }
    times = [t for _i, t, _v in context.samples]
    labels = (f"{times[0]:%Y-%m-%d %H:%M:%S}", f"{times[-1]:%H:%M:%S}") if times else ("", "")
    title = _("%(parameter)s at %(station)s around the flag") % {
        "parameter": flag.parameter,
        "station": flag.station.code,
    }
    return series_svg(
        values, lines=lines, marks=marks, title=title, chart_id="flag-chart", x_labels=labels
    )


@quality_required
def flag_page(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = get_object_or_404(
        Flag.objects.select_related("unit", "station", "spec_version__spec", "source_flag"),
        pk=flag_id,
    )
    form = DispositionForm(request.POST or None)
    decided, error, status = None, "", 200
    context = flag_context(flag=flag)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                decided = services.disposition_decide(
                    **form.cleaned_data,
                    by=request_actor(request),
                    hold=context.hold,
                    flag=None if context.hold else flag,
                )
            except DomainError as exc:
                error = exc.message
            else:
                status, form = 200, DispositionForm()
                flag.refresh_from_db()
                context = flag_context(flag=flag)
    page = {
        "flag": flag,
        "ctx": context,
        "chart": _chart(context),
        "form": form,
        "decided": decided,
        "signed": disposition_deciding(flag=flag),
        "error": error,
        "open": flag.state == FlagState.OPEN,
    }
    return render(request, "quality/flag.html", page, status=status)
