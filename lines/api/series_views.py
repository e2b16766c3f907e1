"""A station parameter's usable values over a window, downsampled for a chart (issue #17).

GET /api/v1/series/?station=COAT-01&parameter=areal_loading_mg_cm2&source_after=..&source_before=..
&points=1000: at most `points` buckets of (start, min, max, count), extremes kept, hot rows and
compacted segments alike (lines.selectors.sample_series.series_extremes); empty buckets are left
out. The window is half-open, as the samples API's: source_after included, source_before not.

Any logged-in user reads it; nothing is written. Errors: 400 a missing or malformed field, an
empty or inverted window, a window longer than MAX_WINDOW_DAYS, points out of 1..MAX_POINTS
(field named); 404 an unknown station (field `station`, as every reference of the API).
"""

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lines.api import resolve
from lines.api.common import DateTimeField, count, valid, with_errors
from lines.api.inputs import ResolvingSerializer, reference
from lines.selectors.sample_series import series_extremes

MAX_POINTS = 10_000  # buckets: more than a screen has pixels
MAX_WINDOW_DAYS = 400  # a year and a bit: ~58,000 segment rows of one tag at most


class SeriesQuery(ResolvingSerializer):
    station = reference(help_text="Station code, e.g. COAT-01.")
    parameter = serializers.CharField(max_length=64, help_text="e.g. areal_loading_mg_cm2.")
    source_after = DateTimeField(help_text="Source time at or after (ISO 8601).")
    source_before = DateTimeField(help_text="Source time before (ISO 8601).")
    points = count(
        max_value=MAX_POINTS,
        default=1000,
        help_text=f"Most buckets answered, 1..{MAX_POINTS}; default 1000.",
    )
    resolvers = {"station": resolve.station}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs["source_after"], attrs["source_before"]
        if before <= after:
            raise serializers.ValidationError(
                {"source_before": _("The window must end after it starts.")}
            )
        if before - after > timedelta(days=MAX_WINDOW_DAYS):
            raise serializers.ValidationError(
                {
                    "source_before": _("A window of at most %(days)s days, please.")
                    % {"days": MAX_WINDOW_DAYS}
                }
            )
        return super().validate(attrs)


class SeriesBucketSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    min = serializers.FloatField()
    max = serializers.FloatField()
    count = serializers.IntegerField()


class SeriesSerializer(serializers.Serializer):
    """The answer (documentation only: the view answers a plain dict)."""

    station = serializers.CharField()
    parameter = serializers.CharField()
    source_after = serializers.DateTimeField()
    source_before = serializers.DateTimeField()
    bucket_seconds = serializers.FloatField(help_text="Width of every bucket.")
    buckets = SeriesBucketSerializer(many=True, help_text="Non-empty buckets, oldest first.")


class SeriesView(APIView):
    """Min, max and count per bucket of a station parameter's usable values."""

    @extend_schema(
        summary="A station parameter's values over a window as min/max buckets (for charts)",
        parameters=[SeriesQuery],
        responses=with_errors({200: SeriesSerializer}, 400, 404),
    )
    def get(self, request: Request) -> Response:
        query = valid(SeriesQuery, request.query_params)
        found = series_extremes(
            query["station"],
            query["parameter"],
            query["source_after"],
            query["source_before"],
            points=query["points"],
        )
        field = serializers.DateTimeField()
        return Response(
            {
                "station": query["station"].code,
                "parameter": query["parameter"],
                "source_after": field.to_representation(query["source_after"]),
                "source_before": field.to_representation(query["source_before"]),
                "bucket_seconds": found.width.total_seconds(),
                "buckets": [
                    {
                        "start": field.to_representation(b.start),
                        "min": b.min,
                        "max": b.max,
                        "count": b.count,
                    }
                    for b in found.buckets
                ],
            }
        )
