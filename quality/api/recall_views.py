"""Trace drill and recall endpoints (traceability exercises and the recall simulator).

GET /units/{identifier}/trace-drill/ runs a timed trace drill (any logged-in user). GET /recalls/
previews the cells suspect of a defect at a station in a window; POST /recalls/hold/ holds
them all with one signature (quality engineer). Errors: 400 malformed (field named), 403 role,
404 unknown reference (field named), 409 the state forbids it (nothing to hold).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lines.api import resolve
from lines.api.common import WRITE_ERRORS, valid, with_errors
from mes.actors import request_actor
from mes.permissions import CanDecideQuality
from quality.api.recall_inputs import RecallHoldInput, RecallQuery
from quality.selectors.trace_drill import recall_report, recall_suspects, trace_drill
from quality.services.recall import window_recall_hold


class TraceDrillView(APIView):
    @extend_schema(
        summary="Trace drill: both traces timed, chain completeness, where the cells are",
        responses=with_errors({200: OpenApiTypes.OBJECT}, 404),
    )
    def get(self, request: Request, identifier: str) -> Response:
        return Response(trace_drill(unit=resolve.unit(identifier)))


class RecallViewSet(viewsets.ViewSet):
    """Recall simulator: a defect at a station in a time window -> the suspect cells."""

    permission_classes = [CanDecideQuality]

    @extend_schema(
        summary="Suspect cells of a defect at a station in a window, and where they are",
        parameters=[RecallQuery],
        responses=with_errors({200: OpenApiTypes.OBJECT}, 400, 404),
    )
    def list(self, request: Request) -> Response:
        query = valid(RecallQuery, request.query_params)
        return Response(recall_report(recall_suspects(**query)))

    @extend_schema(
        summary="Hold every suspect cell with one electronic signature",
        request=RecallHoldInput,
        responses=with_errors({201: OpenApiTypes.OBJECT}, *WRITE_ERRORS),
    )
    @action(detail=False, methods=["post"])
    def hold(self, request: Request) -> Response:
        data = valid(RecallHoldInput, request.data)
        hold, report = window_recall_hold(**data, by=request_actor(request))
        return Response({"hold": hold.pk, **report}, status=status.HTTP_201_CREATED)
