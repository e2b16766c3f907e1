"""Stored samples, read-only: every value the ingest (or an operator) reported, as received.

Any logged-in user reads them; no route writes them (405 for every method but GET, for every
role: the ingest stores samples, and they are never changed). Newest first by source time (then
id), filtered by station and parameter, node id (`tag`), unit, rejected or not, and a half-open
source time range. A sample of a node the tag map did not know has a null station; a rejected
one says why in `rejected_reason`.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from lines.api import resolve
from lines.api.common import ID_PATH, path_id, with_errors
from lines.api.filters import SampleFilter
from lines.api.serializers import SampleSerializer
from lines.models import Sample


@extend_schema_view(
    list=extend_schema(summary="List samples, newest first (paginated, filtered)"),
    retrieve=extend_schema(
        summary="A sample by id", responses=with_errors({200: SampleSerializer}, 404)
    ),
)
class SampleViewSet(viewsets.ReadOnlyModelViewSet):
    """Process values and role values as stored by the ingest, with their attribution."""

    queryset = Sample.objects.select_related("station", "unit", "batch").order_by(
        "-source_time", "-id"
    )
    serializer_class = SampleSerializer
    filterset_class = SampleFilter
    lookup_value_regex = ID_PATH

    def get_object(self) -> Sample:
        sample = resolve.one(Sample, "id", id=path_id(Sample, self.kwargs["pk"]))
        self.check_object_permissions(self.request, sample)
        return sample
