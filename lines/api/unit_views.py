"""Unit endpoints: list, retrieve, create, receive, scrap, split, trace and whereabouts.

Reads need a login; every write needs a role that moves units (mes.permissions.CanMoveUnits).
Errors, all in the shape of mes.api_errors: a malformed request is 400 naming each bad field;
an unknown identifier or code, in the path or in the body, is 404 naming the field (`identifier`
for the path); a refusal by the service (wrong state, not enough left) is 409 "conflict".
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from lines import selectors, services
from lines.api import inputs, resolve
from lines.api.common import IDENTIFIER_PATH, WRITE_ERRORS, InputForms, valid, with_errors
from lines.api.filters import UnitFilter
from lines.api.serializers import UnitSerializer
from lines.api.trace import (
    TraceSerializer,
    WhereaboutsSerializer,
    trace_payload,
    whereabouts_payload,
)
from lines.models import Unit
from mes.actors import request_actor
from mes.permissions import CanMoveUnits


@extend_schema_view(
    list=extend_schema(summary="List units (paginated, filtered)"),
    retrieve=extend_schema(
        summary="A unit by its identifier", responses=with_errors({200: UnitSerializer}, 404)
    ),
)
class UnitViewSet(InputForms, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Traceable units: material lots, slurry batches, rolls and cells, by identifier."""

    queryset = Unit.objects.select_related(
        "material", "product", "work_order", "route", "current_step", "station"
    )
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    permission_classes = [CanMoveUnits]
    lookup_field = "identifier"
    lookup_value_regex = IDENTIFIER_PATH
    input_serializers = {
        "create": inputs.UnitCreateInput,
        "scrap": inputs.ScrapInput,
        "split": inputs.SplitInput,
    }

    def get_object(self) -> Unit:
        unit = resolve.unit(self.kwargs["identifier"])
        self.check_object_permissions(self.request, unit)
        return unit

    def retrieve(self, request: Request, identifier: str) -> Response:
        unit = self.get_queryset().get(pk=self.get_object().pk)
        return Response(UnitSerializer(unit).data)

    @extend_schema(
        summary="Create a made unit (slurry batch, roll, cell)",
        request=inputs.UnitCreateInput,
        responses=with_errors({201: UnitSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.UnitCreateInput, request.data)
        unit = services.unit_create(**data, by=request_actor(request))
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Scrap a unit, saying why",
        request=inputs.ScrapInput,
        responses=with_errors({200: UnitSerializer}, *WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def scrap(self, request: Request, identifier: str) -> Response:
        data = valid(inputs.ScrapInput, request.data)
        unit = services.unit_scrap(
            unit=self.get_object(), reason=data["reason"], by=request_actor(request)
        )
        return Response(UnitSerializer(unit).data)

    @extend_schema(
        summary="Slit a whole roll into daughter rolls",
        request=inputs.SplitInput,
        responses=with_errors({201: UnitSerializer(many=True)}, *WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def split(self, request: Request, identifier: str) -> Response:
        data = valid(inputs.SplitInput, request.data)
        daughters = services.roll_split(
            parent=self.get_object(),
            daughter_identifiers=data["daughters"],
            by=request_actor(request),
        )
        body = UnitSerializer(daughters, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)

    # Not named `trace`: a viewset method named after an HTTP verb would answer HTTP TRACE.
    @extend_schema(
        summary="Genealogy trace, backward (what went in) or forward (where it went)",
        parameters=[inputs.TraceQuery],
        responses=with_errors({200: TraceSerializer}, 400, 404),
    )
    @action(detail=True, methods=["get"], url_path="trace", renderer_classes=[JSONRenderer])
    def genealogy_trace(self, request: Request, identifier: str) -> Response:
        direction = valid(inputs.TraceQuery, request.query_params)["direction"]
        walk = selectors.trace_forward if direction == "forward" else selectors.trace_backward
        return Response(trace_payload(walk(unit=self.get_object())))

    @extend_schema(
        summary="Where are they now: the forward trace counted by status and station",
        parameters=[inputs.WhereaboutsQuery],
        responses=with_errors({200: WhereaboutsSerializer}, 400, 404),
    )
    @action(detail=True, methods=["get"])
    def whereabouts(self, request: Request, identifier: str) -> Response:
        kind = valid(inputs.WhereaboutsQuery, request.query_params).get("kind")
        return Response(whereabouts_payload(self.get_object(), kind=kind))


class MaterialLotViewSet(InputForms, viewsets.GenericViewSet):
    """Receiving purchased material: a new material lot unit with its supplier lot number."""

    queryset = Unit.objects.none()
    serializer_class = UnitSerializer
    permission_classes = [CanMoveUnits]
    input_serializers = {"create": inputs.MaterialReceiveInput}

    @extend_schema(
        summary="Receive a material lot",
        request=inputs.MaterialReceiveInput,
        responses=with_errors({201: UnitSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.MaterialReceiveInput, request.data)
        unit = services.material_receive(**data, by=request_actor(request))
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)
