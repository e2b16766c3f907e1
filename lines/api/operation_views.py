"""Operation and consumption endpoints: start, complete, consume, and the lists behind them.

Reads need a login; writes need a role that moves units (mes.permissions.CanMoveUnits). Errors
as in lines.api.unit_views: 400 malformed (fields named), 404 unknown unit, station, step or
operation (field named), 409 refused by the service (already completed, out of order, held...),
403 when the role allows moving units but not what was asked (a hold override needs quality).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from lines import services
from lines.api import inputs, resolve
from lines.api.common import (
    ID_PATH,
    WRITE_ERRORS,
    InputForms,
    fields_as_sent,
    path_id,
    valid,
    with_errors,
)
from lines.api.filters import EdgeFilter, OperationFilter
from lines.api.serializers import EdgeSerializer, OperationSerializer
from lines.models import GenealogyEdge, Operation
from mes.actors import request_actor
from mes.permissions import CanMoveUnits


@extend_schema_view(
    list=extend_schema(summary="List operations (paginated, filtered)"),
    retrieve=extend_schema(
        summary="An operation by id", responses=with_errors({200: OperationSerializer}, 404)
    ),
)
class OperationViewSet(
    InputForms, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Units worked at stations: start one (create), complete it with a result."""

    queryset = Operation.objects.select_related(
        "unit", "station", "step", "started_by", "completed_by"
    )
    serializer_class = OperationSerializer
    filterset_class = OperationFilter
    permission_classes = [CanMoveUnits]
    lookup_value_regex = ID_PATH
    input_serializers = {
        "create": inputs.OperationStartInput,
        "complete": inputs.OperationCompleteInput,
    }

    def get_object(self) -> Operation:
        operation = resolve.operation(path_id(Operation, self.kwargs["pk"]), field="id")
        self.check_object_permissions(self.request, operation)
        return operation

    @extend_schema(
        summary="Start the unit's next route step at a station",
        request=inputs.OperationStartInput,
        responses=with_errors({201: OperationSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.OperationStartInput, request.data)
        operation = services.operation_start(**data, by=request_actor(request))
        return Response(OperationSerializer(operation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Complete an open operation as passed or failed",
        request=inputs.OperationCompleteInput,
        responses=with_errors({200: OperationSerializer}, *WRITE_ERRORS),
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        data = valid(inputs.OperationCompleteInput, request.data)
        operation = services.operation_complete(
            operation=self.get_object(), **data, by=request_actor(request)
        )
        return Response(OperationSerializer(operation).data)


@extend_schema_view(list=extend_schema(summary="List genealogy edges (paginated, filtered)"))
class ConsumptionViewSet(InputForms, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Genealogy edges: which parent unit gave how much (and which metres) to which child."""

    queryset = GenealogyEdge.objects.select_related("parent", "child", "created_by")
    serializer_class = EdgeSerializer
    filterset_class = EdgeFilter
    permission_classes = [CanMoveUnits]
    input_serializers = {"create": inputs.ConsumptionInput}

    @extend_schema(
        summary="Record that a child unit consumed (part of) a parent unit",
        request=inputs.ConsumptionInput,
        responses=with_errors({201: EdgeSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.ConsumptionInput, request.data)
        with fields_as_sent(position_from_m="position_from", position_to_m="position_to"):
            edge = services.unit_consume(
                child=data["child"],
                parent=data["parent"],
                quantity=data.get("quantity"),
                position_from_m=data.get("position_from"),
                position_to_m=data.get("position_to"),
                operation=data.get("operation"),
                hold_override=data["hold_override"],
                by=request_actor(request),
            )
        return Response(EdgeSerializer(edge).data, status=status.HTTP_201_CREATED)
