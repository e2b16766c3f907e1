"""The SPC endpoint: a station parameter's control chart, rule violations and capability.

Any logged-in user reads it. The chart is computed on request from the stored readings
(quality.selectors.spc.spc_chart); nothing is written (flags come from the ingest). Errors:
400 a missing or malformed station, parameter or option (field named); 404 unknown station
(field `station`); 409 the readings cannot be charted (too few, or the spec's limits allow no
capability index).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api.common import valid, with_errors
from quality.api import inputs
from quality.api.reports import SpcChartSerializer
from quality.selectors.spc import spc_chart


class SpcViewSet(viewsets.ViewSet):
    """Control charts of station parameters (individuals / moving range, or X-bar / R)."""

    @extend_schema(
        summary="Control chart, rule violations and capability of a station parameter",
        parameters=[inputs.SpcQuery],
        responses=with_errors({200: SpcChartSerializer}, 400, 404, 409),
    )
    def list(self, request: Request) -> Response:
        query = valid(inputs.SpcQuery, request.query_params)
        return Response(spc_chart(**query).to_dict())
