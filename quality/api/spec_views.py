"""Spec endpoints: list and read specs with their versions, create one, revise its limits.

Reads need a login; writes need the quality engineer role (mes.permissions.CanDecideQuality).
A change of limits is a new version (quality.services.spec_revise), never an edit. Errors in
the shape of mes.api_errors: 400 malformed or bad limits (the field named: `lsl` above `usl`,
no limit at all...), 404 unknown spec, station or recipe (field named), 409 a spec for the same
parameter and scope exists.
"""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api.common import WRITE_ERRORS, valid, with_errors
from mes.actors import request_actor
from mes.permissions import CanDecideQuality
from quality import services
from quality.api import inputs
from quality.api.common import ById
from quality.api.filters import SpecFilter
from quality.api.serializers import SpecDetailSerializer, SpecSerializer
from quality.models import Spec


def specs() -> QuerySet:
    """Specs with their station, recipe and every version (with its author) in two queries."""
    return (
        Spec.objects.select_related("station", "recipe")
        .prefetch_related("versions__created_by")
        .order_by("station_kind", "parameter", "id")
    )


@extend_schema_view(
    list=extend_schema(summary="List specs with their current limits (paginated, filtered)"),
    retrieve=extend_schema(
        summary="A spec with every version of its limits, newest first",
        responses=with_errors({200: SpecDetailSerializer}, 404),
    ),
)
class SpecViewSet(ById, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Parameter specs per station kind (or station) and recipe, with versioned limits."""

    queryset = specs()
    serializer_class = SpecSerializer
    filterset_class = SpecFilter
    permission_classes = [CanDecideQuality]

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(SpecDetailSerializer(self.get_object()).data)

    @extend_schema(
        summary="Create a spec with its first version of limits",
        request=inputs.SpecCreateInput,
        responses=with_errors({201: SpecDetailSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.SpecCreateInput, request.data)
        spec = services.spec_create(**data, by=request_actor(request))
        body = SpecDetailSerializer(specs().get(pk=spec.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revise a spec's limits: a new version, in force from now on",
        request=inputs.SpecReviseInput,
        responses=with_errors({201: SpecDetailSerializer}, *WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        data = valid(inputs.SpecReviseInput, request.data)
        version = services.spec_revise(spec=self.get_object(), **data, by=request_actor(request))
        body = SpecDetailSerializer(specs().get(pk=version.spec_id)).data
        return Response(body, status=status.HTTP_201_CREATED)
