"""Master-data endpoints: lines, stations, equipment, materials, products, recipes, routes, orders.

Master data is read-only through the API (any logged-in user reads it) and is maintained in the
admin, except work orders, which an ERP or a quality engineer may create here (CanDecideQuality:
quality engineers and admins). Objects are addressed by code (recipes, which are versioned, by
id); an unknown code is 404 naming `code`.
"""

from django.db.models import Model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from lines import services
from lines.api import inputs, resolve
from lines.api.common import (
    CODE_PATH,
    ID_PATH,
    WRITE_ERRORS,
    GenericViewBase,
    InputForms,
    path_id,
    valid,
    with_errors,
)
from lines.api.filters import EquipmentFilter, StationFilter
from lines.api.serializers import (
    EquipmentSerializer,
    LineSerializer,
    MaterialSerializer,
    ProductSerializer,
    RecipeSerializer,
    RouteSerializer,
    StationSerializer,
    WorkOrderSerializer,
)
from lines.models import Equipment, Line, Material, Product, Recipe, Route, Station, WorkOrder
from mes.permissions import CanDecideQuality


class ByCode(GenericViewBase):
    """Detail routes address the object by its code; an unknown code is a 404 naming `code`."""

    lookup_field = "code"
    lookup_value_regex = CODE_PATH

    def get_object(self) -> Model:
        found = resolve.one(self.get_queryset().model, "code", code=self.kwargs["code"])
        self.check_object_permissions(self.request, found)
        return found


class LineViewSet(ByCode, viewsets.ReadOnlyModelViewSet):
    """Production lines."""

    queryset = Line.objects.all()
    serializer_class = LineSerializer


class StationViewSet(ByCode, viewsets.ReadOnlyModelViewSet):
    """Stations, filterable by line code and kind."""

    queryset = Station.objects.select_related("line")
    serializer_class = StationSerializer
    filterset_class = StationFilter


class EquipmentViewSet(ByCode, viewsets.ReadOnlyModelViewSet):
    """Machines at stations."""

    queryset = Equipment.objects.select_related("station")
    serializer_class = EquipmentSerializer
    filterset_class = EquipmentFilter


class MaterialViewSet(ByCode, viewsets.ReadOnlyModelViewSet):
    """Purchased materials that lots are received of."""

    queryset = Material.objects.all()
    serializer_class = MaterialSerializer
    filterset_fields = ["category"]


class ProductViewSet(ByCode, viewsets.ReadOnlyModelViewSet):
    """Products: cell types and intermediates."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = ["unit_kind"]


class RecipeViewSet(viewsets.ReadOnlyModelViewSet):
    """Versioned set-points per product and station kind, by id."""

    queryset = Recipe.objects.select_related("product")
    serializer_class = RecipeSerializer
    filterset_fields = ["code", "station_kind", "active"]
    lookup_value_regex = ID_PATH

    def get_object(self) -> Model:
        found = resolve.one(Recipe, "id", id=path_id(Recipe, self.kwargs["pk"]))
        self.check_object_permissions(self.request, found)
        return found


class RouteViewSet(ByCode, viewsets.ReadOnlyModelViewSet):
    """Routes with their steps in sequence order."""

    queryset = Route.objects.select_related("product").prefetch_related("steps")
    serializer_class = RouteSerializer


class WorkOrderViewSet(ByCode, InputForms, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Work orders; quality engineers and admins create new ones."""

    queryset = WorkOrder.objects.select_related("product", "route")
    serializer_class = WorkOrderSerializer
    permission_classes = [CanDecideQuality]
    filterset_fields = ["status"]
    input_serializers = {"create": inputs.WorkOrderCreateInput}

    @extend_schema(
        summary="Create a work order for a route (its product is the route's)",
        request=inputs.WorkOrderCreateInput,
        responses=with_errors({201: WorkOrderSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.WorkOrderCreateInput, request.data)
        order = services.work_order_create(**data)
        return Response(WorkOrderSerializer(order).data, status=status.HTTP_201_CREATED)
