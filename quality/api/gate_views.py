"""Quality gate endpoints: which specs a route step requires measured and in spec; add one.

Reads need a login; adding a requirement needs the quality engineer role. Errors: 400
malformed (field named), 404 unknown route, step or spec (field named), 409 the step already
requires that spec.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api.common import WRITE_ERRORS, valid, with_errors
from mes.actors import request_actor
from mes.permissions import CanDecideQuality
from quality import services
from quality.api import inputs
from quality.api.common import ById
from quality.api.filters import GateFilter
from quality.api.serializers import GateSerializer
from quality.models import GateRequirement


@extend_schema_view(
    list=extend_schema(summary="List gate requirements (paginated, filtered)"),
    retrieve=extend_schema(
        summary="A gate requirement by id", responses=with_errors({200: GateSerializer}, 404)
    ),
)
class GateViewSet(ById, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Route steps gated on specs: a unit needs a good, in-spec reading to pass."""

    queryset = GateRequirement.objects.select_related("step__route", "spec").order_by(
        "step__route__code", "step__sequence", "spec_id"
    )
    serializer_class = GateSerializer
    filterset_class = GateFilter
    permission_classes = [CanDecideQuality]

    @extend_schema(
        summary="Gate a route step on a spec",
        request=inputs.GateCreateInput,
        responses=with_errors({201: GateSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.GateCreateInput, request.data)
        gate = services.gate_requirement_create(**data, by=request_actor(request))
        return Response(GateSerializer(gate).data, status=status.HTTP_201_CREATED)
