"""The trace of a unit as files: CSV (one row per edge) and JSON (nodes and edges per direction).

An export is the whole trace, not the collapsed picture: a recall list for a lot of 50,000 cells
is what the quality engineer sends on.
"""

import csv
from collections.abc import Iterator, Sequence

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from lines.models import Unit
from lines.selectors import Trace, trace_backward, trace_forward
from quality.web.access import quality_required

CSV_HEADER = [
    "direction",
    "parent",
    "parent_kind",
    "child",
    "child_kind",
    "child_status",
    "quantity",
    "position_from_m",
    "position_to_m",
    "created_at",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(traces: list[Trace]) -> Iterator[Sequence[object]]:
    yield CSV_HEADER
    for trace in traces:
        nodes = trace.nodes
        for e in trace.edges:
            parent, child = nodes[e.parent_id], nodes[e.child_id]
            yield [
                trace.direction,
                parent.identifier,
                parent.kind,
                child.identifier,
                child.kind,
                child.status,
                f"{e.quantity:g}",
                "" if e.position_from_m is None else f"{e.position_from_m:g}",
                "" if e.position_to_m is None else f"{e.position_to_m:g}",
                e.created_at.isoformat(),
            ]


@quality_required
def trace_csv(request: HttpRequest, identifier: str) -> StreamingHttpResponse:
    unit = get_object_or_404(Unit, identifier=identifier)
    traces = [trace_backward(unit=unit), trace_forward(unit=unit)]
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(traces)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="trace-{unit.identifier}.csv"'
    return response


def _trace_dict(trace: Trace) -> dict[str, object]:
    return {
        "nodes": [
            {"identifier": n.identifier, "kind": n.kind, "status": n.status}
            for n in trace.nodes.values()
        ],
        "edges": [
            {
                "parent": trace.nodes[e.parent_id].identifier,
                "child": trace.nodes[e.child_id].identifier,
                "quantity": e.quantity,
                "position_from_m": e.position_from_m,
                "position_to_m": e.position_to_m,
                "created_at": e.created_at.isoformat(),
            }
            for e in trace.edges
        ],
    }


@quality_required
def trace_json(request: HttpRequest, identifier: str) -> HttpResponse:
    unit = get_object_or_404(Unit, identifier=identifier)
    body = {
        "root": {"identifier": unit.identifier, "kind": unit.kind, "status": unit.status},
        "backward": _trace_dict(trace_backward(unit=unit)),
        "forward": _trace_dict(trace_forward(unit=unit)),
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="trace-{unit.identifier}.json"'
    return response
