"""Interlocks, read-only: every answer the MES gave a PLC's check-in or check-out, and why.

Any logged-in user reads them (GET /api/v1/interlocks/?station=<code>&unit=<identifier>); the
bridge writes them through lines.services.interlocks, never through the API. `reason` is worded
in the request's language (Accept-Language: en or zh-Hans). Newest first.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets

from lines.api.serializers import InterlockSerializer
from lines.models import Interlock
from lines.selectors.interlocks import interlocks_list


@extend_schema(
    summary="List PLC interlock answers, newest first (paginated)",
    parameters=[
        OpenApiParameter("station", OpenApiTypes.STR, description="Station code."),
        OpenApiParameter(
            "unit", OpenApiTypes.STR, description="Unit identifier (or the serial the PLC sent)."
        ),
    ],
)
class InterlockViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Check-in and check-out answers: station, serial, side, code, reason, time to answer."""

    serializer_class = InterlockSerializer
    queryset = Interlock.objects.none()  # for the schema; get_queryset reads the selector

    def get_queryset(self):  # noqa: ANN201 - a QuerySet of Interlock
        params = self.request.query_params
        return interlocks_list(
            station=params.get("station", "").strip(), unit=params.get("unit", "").strip()
        )
