"""NCR endpoints: open a non-conformance report over flags, close it, list and read them.

Reads need a login; opening and closing need the quality engineer role. Errors: 400 malformed
(field named), 404 an unknown flag (field `flags`) or NCR, 409 an NCR closed already.
"""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api.common import WRITE_ERRORS, valid, with_errors
from lines.models import Unit
from mes.actors import request_actor
from mes.permissions import CanDecideQuality
from quality import services
from quality.api import inputs
from quality.api.common import ById
from quality.api.filters import NcrFilter
from quality.api.serializers import NcrSerializer
from quality.models import Flag, Ncr


def ncrs() -> QuerySet:
    """NCRs with their flags (by id) and units (by identifier) read in two more queries."""
    return Ncr.objects.select_related("created_by").prefetch_related(
        Prefetch("flags", queryset=Flag.objects.order_by("id")),
        Prefetch("units", queryset=Unit.objects.order_by("identifier")),
    )


@extend_schema_view(
    list=extend_schema(summary="List NCRs, newest first (paginated, filtered)"),
    retrieve=extend_schema(
        summary="An NCR with its flags and units", responses=with_errors({200: NcrSerializer}, 404)
    ),
)
class NcrViewSet(ById, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Non-conformance reports grouping flags and the units they concern."""

    queryset = ncrs()
    serializer_class = NcrSerializer
    filterset_class = NcrFilter
    permission_classes = [CanDecideQuality]

    @extend_schema(
        summary="Open an NCR over one or more flags",
        request=inputs.NcrOpenInput,
        responses=with_errors({201: NcrSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.NcrOpenInput, request.data)
        ncr = services.ncr_open(**data, by=request_actor(request))
        return Response(NcrSerializer(ncrs().get(pk=ncr.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close an NCR with the conclusion of the investigation",
        request=inputs.NcrCloseInput,
        responses=with_errors({200: NcrSerializer}, *WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        data = valid(inputs.NcrCloseInput, request.data)
        ncr = services.ncr_close(ncr=self.get_object(), **data, by=request_actor(request))
        return Response(NcrSerializer(ncrs().get(pk=ncr.pk)).data)
