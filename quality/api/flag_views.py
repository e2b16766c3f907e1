"""Flag endpoints: the out-of-spec, data-quality, SPC and missing-measurement events, read-only.

Flags are raised by the evaluation of samples and by the SPC rules, and closed by dispositions;
nothing writes them here. Any logged-in user reads them.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from lines.api.common import with_errors
from quality.api.common import ById, count_of
from quality.api.filters import FlagFilter
from quality.api.serializers import FlagSerializer
from quality.models import Flag


@extend_schema_view(
    list=extend_schema(summary="List flags, newest first (paginated, filtered)"),
    retrieve=extend_schema(
        summary="A flag with its spec version, samples, metres and derived flags",
        responses=with_errors({200: FlagSerializer}, 404),
    ),
)
class FlagViewSet(ById, viewsets.ReadOnlyModelViewSet):
    """Quality events on units (a roll's flags carry the metre range they cover)."""

    queryset = Flag.objects.select_related("unit", "station", "spec_version").annotate(
        derived_flag_count=count_of(Flag.objects.all(), "source_flag")
    )
    serializer_class = FlagSerializer
    filterset_class = FlagFilter
