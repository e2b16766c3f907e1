"""The pressure history endpoint of a cell: one profile per press or formation operation, with
its figures (time at pressure, peaks) and the readings behind them. Any logged-in user reads it;
404 for an unknown identifier. The figures are recorded when the operation has ended."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conditions.models import PressureProfile
from conditions.selectors.pressure import pressure_profiles_of, pressure_series
from lines.api import resolve as lines_resolve
from lines.api.common import with_errors
from lines.api.serializers import code_of, finite_or_none


class PressureProfileSerializer(serializers.ModelSerializer):
    station = code_of()
    operation = serializers.IntegerField(source="operation_id")
    series = serializers.SerializerMethodField()

    class Meta:
        model = PressureProfile
        fields = [
            "operation",
            "station",
            "started_at",
            "ended_at",
            "readings",
            "threshold_mpa",
            "threshold_source",
            "time_at_pressure_s",
            "peak_pressure_mpa",
            "min_pressure_mpa",
            "peak_temperature_c",
            "plc_hold_time_s",
            "series",
        ]

    def get_series(self, profile: PressureProfile) -> dict[str, list[dict]]:
        return {
            name: [
                {"at": at, "value": finite_or_none(value), "status": code}
                for at, value, code in rows
            ]
            for name, rows in pressure_series(profile).items()
        }


class PressureView(APIView):
    """GET a cell's pressure history: one profile per press or formation operation."""

    @extend_schema(
        summary="A cell's pressure history: profiles, their figures and readings",
        responses=with_errors({200: PressureProfileSerializer(many=True)}, 404),
    )
    def get(self, request: Request, identifier: str) -> Response:
        unit = lines_resolve.unit(identifier)
        profiles = pressure_profiles_of(unit=unit)
        return Response(PressureProfileSerializer(profiles, many=True).data)
