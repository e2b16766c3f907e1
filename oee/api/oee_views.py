"""OEE and machine time over the API (docs/oee.md defines every figure).

GET /api/v1/oee/?station=|line=&start=&end=&group_by=shift|day|hour: one row per station and
group; for a line, then one row per group with `station` null: the line's, its stations' seconds
and counts summed. GET /api/v1/downtimes/?station=&start=&end=: the stops inside planned production time.
Any logged-in user reads them. Times are ISO 8601 with an offset; the window defaults to the last
24 hours and may span at most 366 days.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lines.api import resolve
from lines.api.common import valid, with_errors
from lines.models import Line, Station
from oee.api.reason_views import AssignmentSerializer
from oee.selectors.machine_time import line_clock, station_stops
from oee.selectors.periods import line_rows, station_figures

MAX_WINDOW = timedelta(days=366)
GROUPS = (
    ("", gettext_lazy("the whole window")),
    ("shift", "shift"),
    ("day", "day"),
    ("hour", "hour"),
)


class WindowQuery(serializers.Serializer):
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict) -> dict:
        end = attrs.get("end") or timezone.now()
        start = attrs.get("start") or end - timedelta(days=1)
        if end <= start:
            raise serializers.ValidationError({"end": [_("The end must come after the start.")]})
        if end - start > MAX_WINDOW:
            raise serializers.ValidationError(
                {"start": [_("A window may span at most 366 days; ask for a shorter one.")]}
            )
        return {**attrs, "start": start, "end": end}


class OeeQuery(WindowQuery):
    station = serializers.CharField(required=False)
    line = serializers.CharField(required=False)
    group_by = serializers.ChoiceField(choices=GROUPS, required=False, default="")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("station")) == bool(attrs.get("line")):
            raise serializers.ValidationError(
                {"station": [_("Give one station or one line: exactly one of the two.")]}
            )
        return super().validate(attrs)


class DowntimeQuery(WindowQuery):
    station = serializers.CharField()


class OeeRowSerializer(serializers.Serializer):
    # null: the line's row (a line was asked for): its stations' seconds and counts summed
    station = serializers.CharField(source="station.code", allow_null=True)
    group = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    availability = serializers.FloatField(source="figures.availability", allow_null=True)
    performance = serializers.FloatField(source="figures.performance", allow_null=True)
    quality = serializers.FloatField(source="figures.quality", allow_null=True)
    oee = serializers.FloatField(source="figures.oee", allow_null=True)
    performance_capped = serializers.BooleanField(source="figures.performance_capped")
    planned_s = serializers.FloatField(source="figures.planned_s")
    run_s = serializers.FloatField(source="figures.run_s")
    down_s = serializers.FloatField(source="figures.down_s")
    idle_s = serializers.FloatField(source="figures.idle_s")
    setup_s = serializers.FloatField(source="figures.setup_s")
    micro_stop_s = serializers.FloatField(source="figures.micro_stop_s")
    unmapped_s = serializers.FloatField(source="figures.unmapped_s")
    no_data_s = serializers.FloatField(source="figures.no_data_s")
    planned_stop_s = serializers.FloatField(source="figures.planned_stop_s")
    processed = serializers.IntegerField(source="counts.processed")
    good_first_time = serializers.IntegerField(source="counts.good_first_time")


class DowntimeSerializer(serializers.Serializer):
    station = serializers.CharField(source="station.code")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    duration_s = serializers.FloatField()
    category = serializers.CharField()
    plc_state = serializers.CharField()
    plc_code = serializers.CharField(source="reason")  # the PLC's own code, "" when none
    plc_reason = serializers.CharField(source="plc_reason.code", allow_null=True, default=None)
    reasons = AssignmentSerializer(source="assignments", many=True)
    unassigned_s = serializers.FloatField()
    micro_stop = serializers.BooleanField()


class OeeView(APIView):
    @extend_schema(
        summary="OEE per station and shift, day or hour (docs/oee.md defines every figure)",
        parameters=[OeeQuery],
        responses=with_errors({200: OeeRowSerializer(many=True)}, 400, 404),
    )
    def get(self, request: Request) -> Response:
        query = valid(OeeQuery, request.query_params)
        if query.get("station"):
            stations = [resolve.station(query["station"])]
        else:
            line = resolve.one(Line, "line", code=query["line"])
            stations = list(Station.objects.filter(line=line).order_by("code"))
        rows = []
        for station in stations:
            clock = line_clock(station.line)
            if query["group_by"] == "shift" and not clock.patterns:
                raise serializers.ValidationError(
                    {
                        "group_by": [
                            _("Line %(line)s has no shift calendar.") % {"line": station.line.code}
                        ]
                    }
                )
            rows += station_figures(station, query["start"], query["end"], query["group_by"], clock)
        if query.get("line"):
            rows += line_rows(rows)
        return Response(OeeRowSerializer(rows, many=True).data)


class DowntimeView(APIView):
    @extend_schema(
        summary="A station's stops inside planned production time, oldest first",
        parameters=[DowntimeQuery],
        responses=with_errors({200: DowntimeSerializer(many=True)}, 400, 404),
    )
    def get(self, request: Request) -> Response:
        query = valid(DowntimeQuery, request.query_params)
        station = resolve.station(query["station"])
        stops = station_stops(station, query["start"], query["end"], with_reasons=True)
        return Response(DowntimeSerializer(stops, many=True).data)
