"""Stored samples, read-only: every value the ingest (or an operator) reported, as received.

Any logged-in user reads them; no route writes them (405 for every method but GET, for every
role: the ingest stores samples, and they are never changed). Newest first by source time (then
id), filtered by station and parameter, node id (`tag`), unit, rejected or not, and a half-open
source time range. A sample of a node the tag map did not know has a null station; a rejected
one says why in `rejected_reason`.

Hot rows and compacted segments are read as one (lines/selectors/samples.py): the filters, the
order and the pages are the same whichever holds a sample, and a page may span both. The filter
set validates the query; lines.api.sample_pages turns it into the selector's `Where`.
"""

from typing import Any

from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api import resolve
from lines.api.common import ID_PATH, path_id, with_errors
from lines.api.filters import SampleFilter
from lines.api.sample_pages import MergedSamples, where_of
from lines.api.serializers import SampleSerializer
from lines.models import Sample
from lines.selectors import samples

RELATED = ("station", "unit", "batch")


@extend_schema_view(
    list=extend_schema(summary="List samples, newest first (paginated, filtered)"),
    retrieve=extend_schema(
        summary="A sample by id", responses=with_errors({200: SampleSerializer}, 404)
    ),
)
class SampleViewSet(viewsets.ReadOnlyModelViewSet):
    """Process values and role values as stored by the ingest, with their attribution."""

    queryset = Sample.objects.select_related(*RELATED).order_by("-source_time", "-id")
    serializer_class = SampleSerializer
    filterset_class = SampleFilter
    lookup_value_regex = ID_PATH

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filterset = self.filterset_class(request.query_params, queryset=self.queryset)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        merged = MergedSamples(where_of(filterset.form.cleaned_data))
        page: list[Sample] | None = self.paginate_queryset(merged)  # type: ignore[arg-type]  # a sequence the paginator slices
        assert page is not None  # PAGE_SIZE is set
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> Sample:
        sample_id = path_id(Sample, self.kwargs["pk"])
        sample = samples.by_id(sample_id, related=RELATED)
        if sample is None:  # the same 404 as for any look-up by id
            sample = resolve.one(Sample, "id", id=sample_id)
        self.check_object_permissions(self.request, sample)
        return sample
