"""Genealogy explorer: search an identifier, see its trace drawn, expand a fan-out, export it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lines.models import Unit
from lines.services.common import IDENTIFIER_RE
from mes.web.params import answers_bad_parameters, int_param
from quality.selectors.genealogy_graph import EXPANDED_LIMIT, genealogy_graph
from quality.web.access import quality_required
from quality.web.graph_svg import genealogy_svg


@quality_required
def genealogy_search(request: HttpRequest) -> HttpResponse:
    """The search box's target: any identifier, typed or scanned."""
    identifier = request.GET.get("q", "").strip()
    if not identifier:
        return render(request, "quality/genealogy.html", {"unit": None})
    if not IDENTIFIER_RE.match(identifier):
        # No unit has such an identifier ('a/b' would not even make a page address).
        return _not_found(request, identifier)
    return redirect("quality-genealogy", identifier=identifier)


def _not_found(request: HttpRequest, identifier: str) -> HttpResponse:
    context = {"unit": None, "missing": identifier}
    return render(request, "quality/genealogy.html", context, status=404)


@quality_required
@answers_bad_parameters
def genealogy_page(request: HttpRequest, identifier: str) -> HttpResponse:
    unit = Unit.objects.filter(identifier=identifier).first()
    if unit is None:
        return _not_found(request, identifier)
    graph = genealogy_graph(unit=unit, expand=int_param(request, "expand", default=None))
    title = _("Genealogy of %(identifier)s") % {"identifier": unit.identifier}
    context = {
        "unit": unit,
        "graph": graph,
        "svg": genealogy_svg(graph, title=title),
        "title": title,
        "expanded_limit": EXPANDED_LIMIT,
        "groups": [
            (g, graph.nodes[g.parent_id]) for g in graph.groups if g.parent_id in graph.nodes
        ],
        "recall_url": reverse("quality-recall", args=[unit.identifier]),
    }
    return render(request, "quality/genealogy.html", context)
