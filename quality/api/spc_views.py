"""The SPC endpoint: a station parameter's control chart, rule violations and capability.

Any logged-in user reads it. The chart is computed on request from the stored readings
(quality.selectors.spc.spc_chart); nothing is written (flags come from the ingest). Errors:
400 a missing or malformed station, parameter or option (field named); 404 unknown station
(field `station`); 409 the readings cannot be charted (too few, or the spec's limits allow no
capability index).

POST baseline/ (quality engineers, password re-entered) fixes a chart's control limits from an
in-control period; the chart is then judged against them. 409 `baseline_changed` when the
baseline named in `replaces` is no longer the chart's (another engineer set one meanwhile).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api.common import WRITE_ERRORS, valid, with_errors
from mes.actors import request_actor
from mes.permissions import CanDecideQuality
from quality.api import inputs
from quality.api.reports import SpcChartSerializer
from quality.api.spc_inputs import SpcBaselineAnswer, SpcBaselineInput
from quality.selectors.spc import spc_chart
from quality.selectors.spc_baselines import baseline_to_dict
from quality.services.spc_baselines import spc_baseline_set


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

    @extend_schema(
        summary="Sign a chart's baseline: control limits from an in-control period",
        request=SpcBaselineInput,
        responses=with_errors({201: SpcBaselineAnswer}, *WRITE_ERRORS),
    )
    @action(detail=False, methods=["post"], permission_classes=[CanDecideQuality])
    def baseline(self, request: Request) -> Response:
        data = valid(SpcBaselineInput, request.data)
        stored = spc_baseline_set(**data, user=request_actor(request))
        return Response(baseline_to_dict(stored), status=status.HTTP_201_CREATED)
