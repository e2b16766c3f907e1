"""The shift calendar over the API: GET/POST /api/v1/shift-patterns/(?line=CODE),
PATCH/DELETE /api/v1/shift-patterns/{id}/. Writes go through oee.services.calendar (an
overlapping pattern is refused with 400 naming both shifts)."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api import resolve
from lines.api.common import WRITE_ERRORS, with_errors
from lines.models import Line
from mes.permissions import CanPlanProduction
from oee.models import ShiftPattern
from oee.services.calendar import shift_pattern_save


class BreakSerializer(serializers.Serializer):
    start = serializers.TimeField(format="%H:%M")
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)


class ShiftPatternSerializer(serializers.ModelSerializer):
    line = serializers.CharField(source="line.code")
    start = serializers.TimeField(format="%H:%M")
    breaks = BreakSerializer(many=True, required=False)

    class Meta:
        model = ShiftPattern
        fields = ["id", "line", "name", "start", "hours", "weekdays", "breaks"]


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in data.items() if k not in ("line", "breaks")}
    if "breaks" in data:
        fields["breaks"] = [
            {"start": b["start"].strftime("%H:%M"), "minutes": b["minutes"]} for b in data["breaks"]
        ]
    return fields


@extend_schema(responses=with_errors({200: ShiftPatternSerializer}, *WRITE_ERRORS))
class ShiftPatternViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ShiftPatternSerializer
    permission_classes = [CanPlanProduction]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ShiftPattern]:
        rows = ShiftPattern.objects.select_related("line").order_by("line__code", "start")
        code = self.request.query_params.get("line", "").strip()
        return rows.filter(line__code=code) if code else rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        line = resolve.one(Line, "line", code=given.validated_data["line"]["code"])
        pattern = shift_pattern_save(line=line, **_fields(given.validated_data))
        return Response(self.get_serializer(pattern).data, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        pattern = self.get_object()
        given = self.get_serializer(pattern, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        current = {
            "name": pattern.name,
            "start": pattern.start,
            "hours": pattern.hours,
            "weekdays": pattern.weekdays,
            "breaks": pattern.breaks,
        }
        saved = shift_pattern_save(
            line=pattern.line, pk=pattern.pk, **{**current, **_fields(given.validated_data)}
        )
        return Response(self.get_serializer(saved).data)
