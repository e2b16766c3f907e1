"""Query filters of the list endpoints. Related objects are named by code or identifier.

Time ranges are half-open: `*_after` includes the instant given, `*_before` excludes it, so
consecutive windows never count a unit twice. Times are ISO 8601 with an offset (or Z).
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.drainage import set_override

from lines.choices import OperationResult, StationKind, UnitKind, UnitStatus
from lines.models import Equipment, GenealogyEdge, Operation, Sample, Station, Tag, TagRole, Unit
from mes.errors import InvalidInput
from mes.number_fields import PlainIntegerField
from mes.numbers import BIGINT_MAX, INT_MAX, check_instant


class WholeNumberFilter(filters.NumberFilter):
    """An integer filter bounded to its column: a 32-bit one unless told otherwise.

    django-filter's NumberFilter reads a decimal, so `?hold=-5e106` reached the database as an
    integer too large for it (an OverflowError, a 500); this one reads a plain integer within
    the column's range and answers 400 naming the parameter for anything else.
    """

    field_class = PlainIntegerField  # "8.000" is refused, not read as 8 (mes.numbers)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(*args, **kwargs)
        # The schema says so too (an integer in range), with the label as its description.
        schema = {"type": "integer", "minimum": kwargs["min_value"], "maximum": kwargs["max_value"]}
        set_override(self, "field", schema | ({"description": self.label} if self.label else {}))


class InstantField(IsoDateTimeField):
    """An ISO 8601 instant the database can store (mes.numbers.check_instant)."""

    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return check_instant(parsed, field="")
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message, code="invalid") from exc


class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    """django-filter's, refusing (400) a time that overflows when converted to UTC."""

    field_class = InstantField


def id_filter(field_name: str, label: str) -> WholeNumberFilter:
    """Filter by the id of a related record (a bigint)."""
    return WholeNumberFilter(field_name=field_name, label=label, min_value=1, max_value=BIGINT_MAX)


def _code(field_name: str, label: str) -> filters.CharFilter:
    return filters.CharFilter(field_name=field_name, label=label)


class StationFilter(filters.FilterSet):
    line = _code("line__code", "Line code.")
    kind = filters.ChoiceFilter(choices=StationKind.choices)

    class Meta:
        model = Station
        fields = ["line", "kind"]


class EquipmentFilter(filters.FilterSet):
    station = _code("station__code", "Station code.")

    class Meta:
        model = Equipment
        fields = ["station"]


class UnitFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=UnitKind.choices)
    status = filters.ChoiceFilter(choices=UnitStatus.choices)
    station = _code("station__code", "Code of the station the unit is at (or was last).")
    work_order = _code("work_order__code", "Work order code.")
    material = _code("material__code", "Material code (material lots only).")
    product = _code("product__code", "Product code.")
    supplier_lot = _code("supplier_lot", "The supplier's lot number.")
    created_after = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label="Created at or after (ISO 8601)."
    )
    created_before = IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label="Created before (ISO 8601)."
    )

    class Meta:
        model = Unit
        fields = ["kind", "status", "station", "work_order", "material", "product"]


class OperationFilter(filters.FilterSet):
    station = _code("station__code", "Station code.")
    unit = _code("unit__identifier", "Unit identifier.")
    open = filters.BooleanFilter(
        field_name="completed_at", lookup_expr="isnull", label="true: not completed yet."
    )
    result = filters.ChoiceFilter(choices=OperationResult.choices)
    started_after = IsoDateTimeFilter(
        field_name="started_at", lookup_expr="gte", label="Started at or after (ISO 8601)."
    )
    started_before = IsoDateTimeFilter(
        field_name="started_at", lookup_expr="lt", label="Started before (ISO 8601)."
    )

    class Meta:
        model = Operation
        fields = ["station", "unit", "open", "result"]


class EdgeFilter(filters.FilterSet):
    parent = _code("parent__identifier", "Identifier of the parent unit.")
    child = _code("child__identifier", "Identifier of the child unit.")
    operation = id_filter("operation_id", "Operation id.")

    class Meta:
        model = GenealogyEdge
        fields = ["parent", "child", "operation"]


class TagFilter(filters.FilterSet):
    station = _code("station__code", "Station code.")
    parameter = _code("parameter", "Process parameter, e.g. areal_loading_mg_cm2.")
    role = filters.ChoiceFilter(choices=TagRole.choices)
    enabled = filters.BooleanFilter(label="true: tags the bridge subscribes to.")

    class Meta:
        model = Tag
        fields = ["station", "parameter", "role", "enabled"]


class SampleFilter(filters.FilterSet):
    station = _code("station__code", "Station code.")
    parameter = _code("parameter", "Process parameter (or the role of a role tag).")
    tag = _code("node_id", "OPC UA node id the value came from, e.g. ns=2;s=COAT-01.ArealLoading.")
    unit = _code("unit__identifier", "Identifier of the unit the value is attributed to.")
    rejected = filters.BooleanFilter(
        method="filter_rejected", label="true: only values the ingest could not use; false: none."
    )
    source_after = IsoDateTimeFilter(
        field_name="source_time", lookup_expr="gte", label="Source time at or after (ISO 8601)."
    )
    source_before = IsoDateTimeFilter(
        field_name="source_time", lookup_expr="lt", label="Source time before (ISO 8601)."
    )

    class Meta:
        model = Sample
        fields = ["station", "parameter", "tag", "unit", "rejected"]

    def filter_rejected(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return (
            queryset.exclude(rejected_reason="") if value else queryset.filter(rejected_reason="")
        )
