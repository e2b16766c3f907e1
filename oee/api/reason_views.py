"""Downtime reasons over the API (docs/oee.md, "Downtime reasons").

GET /api/v1/downtime-reasons/?station=CODE: the tree offered at that station, any signed-in user.
POST /api/v1/downtimes/reasons/ {station, start, end, reason, replaces, note?}: a person's reason
for [start, end) of one stop; `replaces` lists the ids of the assignments in force the person saw
there (empty for an unassigned stop); 409 `reason_changed` when someone assigned it meanwhile.
Operators, quality engineers, integrations and admins may assign.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lines.api import resolve
from lines.api.common import WRITE_ERRORS, valid, with_errors
from mes.actors import request_actor
from mes.permissions import CanMoveUnits
from oee.models import DowntimeReason, StopAssignment
from oee.selectors.stop_reasons import reasons_for
from oee.services.stop_reasons import stop_reason_assign


class ReasonSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", allow_null=True, default=None)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = DowntimeReason
        fields = ["code", "parent_code", "name", "name_zh", "display_name"]


class AssignmentSerializer(serializers.ModelSerializer):
    station = serializers.CharField(source="station.code")
    reason = serializers.CharField(source="reason.code")
    reason_name = serializers.CharField(source="reason.display_name")
    assigned_by = serializers.CharField(source="assigned_by.username")

    class Meta:
        model = StopAssignment
        fields = [
            "id",
            "station",
            "start",
            "end",
            "until_stop_end",
            "reason",
            "reason_name",
            "note",
            "assigned_by",
            "assigned_at",
        ]


class AssignInput(serializers.Serializer):
    station = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField()
    replaces = serializers.ListField(child=serializers.IntegerField(), default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ReasonTreeView(APIView):
    @extend_schema(
        summary="The downtime reasons offered at a station, parents before children",
        responses=with_errors({200: ReasonSerializer(many=True)}, 400, 404),
    )
    def get(self, request: Request) -> Response:
        station = resolve.station(request.query_params.get("station", "").strip())
        return Response(ReasonSerializer(reasons_for(station.kind), many=True).data)


class AssignView(APIView):
    permission_classes = [CanMoveUnits]

    @extend_schema(
        summary="Give (part of) a stop its reason",
        request=AssignInput,
        responses=with_errors({201: AssignmentSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request) -> Response:
        given = valid(AssignInput, request.data)
        assignment = stop_reason_assign(
            station=resolve.station(given["station"]),
            start=given["start"],
            end=given["end"],
            reason=resolve.one(DowntimeReason, "reason", code=given["reason"]),
            replaces=given["replaces"],
            note=given["note"],
            by=request_actor(request),
        )
        return Response(AssignmentSerializer(assignment).data, status=201)
