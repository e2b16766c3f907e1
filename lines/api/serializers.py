"""Output serializers of the lines API: what a unit, an operation, an edge or master data looks like.

Related objects appear by their code or identifier, never by database id (operations and recipes,
which have no code, are the exception). Quantities and metres are JSON numbers, as in the trace.
"""

import math
from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lines.models import (
    Equipment,
    GenealogyEdge,
    Interlock,
    Line,
    Material,
    Operation,
    Product,
    Recipe,
    Route,
    RouteStep,
    Sample,
    Station,
    Tag,
    Unit,
    WorkOrder,
)
from lines.selectors.interlocks import interlock_reason
from lines.selectors.tag_health import TagWarnings, tags_health


class NumberField(serializers.DecimalField):
    """A decimal rendered as a JSON number (the trace's convention), not as a string."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)


class CodedSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose decimal columns come out as JSON numbers."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: NumberField,
    }


def code_of(field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    """A read-only reference to a related object by its code (or another unique slug)."""
    return serializers.SlugRelatedField(slug_field=field, read_only=True, **kwargs)


class LineSerializer(CodedSerializer):
    class Meta:
        model = Line
        fields = ["code", "name", "site"]


class StationSerializer(CodedSerializer):
    line = code_of()

    class Meta:
        model = Station
        fields = ["code", "name", "kind", "line"]


class EquipmentSerializer(CodedSerializer):
    station = code_of()

    class Meta:
        model = Equipment
        fields = ["code", "name", "station", "manufacturer", "model_number", "serial_number"]


class MaterialSerializer(CodedSerializer):
    class Meta:
        model = Material
        fields = ["code", "name", "category", "uom", "moisture_sensitive"]


class ProductSerializer(CodedSerializer):
    class Meta:
        model = Product
        fields = ["code", "name", "unit_kind", "description"]


class RecipeSerializer(CodedSerializer):
    product = code_of()

    class Meta:
        model = Recipe
        fields = ["id", "code", "version", "product", "station_kind", "setpoints", "active"]


class StepRefSerializer(serializers.ModelSerializer):
    """A route step as other objects show it: its sequence and name."""

    class Meta:
        model = RouteStep
        fields = ["sequence", "name"]


class RouteStepSerializer(CodedSerializer):
    class Meta:
        model = RouteStep
        fields = ["sequence", "name", "station_kind", "recipe"]


class RouteSerializer(CodedSerializer):
    product = code_of()
    steps = RouteStepSerializer(many=True, read_only=True)

    class Meta:
        model = Route
        fields = ["code", "name", "product", "active", "steps"]


class WorkOrderSerializer(CodedSerializer):
    product = code_of()
    route = code_of()

    class Meta:
        model = WorkOrder
        fields = ["code", "product", "route", "quantity_planned", "status", "due_at", "created_at"]


class UnitSerializer(CodedSerializer):
    material = code_of(allow_null=True)
    product = code_of(allow_null=True)
    work_order = code_of(allow_null=True)
    route = code_of(allow_null=True)
    current_step = StepRefSerializer(read_only=True, allow_null=True)
    station = code_of(allow_null=True)

    class Meta:
        model = Unit
        fields = [
            "identifier",
            "kind",
            "status",
            "material",
            "supplier",
            "supplier_lot",
            "uom",
            "quantity_initial",
            "quantity_remaining",
            "product",
            "work_order",
            "route",
            "current_step",
            "station",
            "created_at",
            "updated_at",
        ]


class OperationSerializer(CodedSerializer):
    unit = code_of("identifier")
    station = code_of()
    step = StepRefSerializer(read_only=True, allow_null=True)
    started_by = code_of("username", allow_null=True)
    completed_by = code_of("username", allow_null=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Operation
        fields = [
            "id",
            "unit",
            "station",
            "step",
            "started_at",
            "started_by",
            "completed_at",
            "completed_by",
            "result",
            "note",
            "is_open",
        ]


class EdgeSerializer(CodedSerializer):
    """A genealogy edge, with the same keys as an edge of the trace (plus id and created_by)."""

    parent = code_of("identifier")  # type: ignore[assignment]  # a field named like Field.parent: DRF moves declared fields off the class
    child = code_of("identifier")
    position_from = NumberField(
        source="position_from_m", max_digits=10, decimal_places=3, read_only=True, allow_null=True
    )
    position_to = NumberField(
        source="position_to_m", max_digits=10, decimal_places=3, read_only=True, allow_null=True
    )
    created_by = code_of("username", allow_null=True)

    class Meta:
        model = GenealogyEdge
        fields = [
            "id",
            "parent",
            "child",
            "quantity",
            "position_from",
            "position_to",
            "operation",
            "created_at",
            "created_by",
        ]


class TagHealthSerializer(serializers.Serializer):
    """How the running bridge reads the node now (null: no running bridge reports it, e.g. a
    node the MES only writes, or no bridge running)."""

    bridge = serializers.CharField(help_text="The name of the bridge that reports it.")
    last_value_at = serializers.DateTimeField(
        allow_null=True, help_text="When its last usable value came (UTC); null: none yet."
    )
    last_error = serializers.CharField(
        help_text="The last error: the server's refusal (BadNodeIdUnknown) or a bad status."
    )
    last_error_at = serializers.DateTimeField(allow_null=True)
    failing = serializers.BooleanField(
        help_text="True while the server does not monitor it or its last value was bad."
    )
    deadband_refused = serializers.CharField(
        required=False,
        help_text="The server's refusal of the tag's deadband (BadDeadbandFilterInvalid): it is "
        "monitored without it, every reading arrives. Empty when none was refused.",
    )


class TagSerializer(CodedSerializer):
    """An OPC UA node of the tag map: a process parameter of its station, or a role; with how the
    running bridge reads it (`health`) and what is missing (`warnings`, e.g. no spec)."""

    station = code_of()
    health = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    @extend_schema_field(TagHealthSerializer(allow_null=True))
    def get_health(self, tag: Tag) -> dict[str, Any] | None:
        if "tags_health" not in self.context:
            self.context["tags_health"] = tags_health()
        return self.context["tags_health"].get(tag.node_id)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, tag: Tag) -> list[str]:
        if "tag_warnings" not in self.context:
            self.context["tag_warnings"] = TagWarnings()
        return self.context["tag_warnings"].of(tag)

    class Meta:
        model = Tag
        fields = [
            "id",
            "node_id",
            "station",
            "parameter",
            "role",
            "sampling_interval_ms",
            "queue_size",
            "deadband_kind",
            "deadband_value",
            "enabled",
            "description",
            "updated_at",
            "health",
            "warnings",
        ]


def finite_or_none(value: float | None) -> float | None:
    """A stored float for JSON: null for NaN and infinity, which JSON has not. One such row
    (PostgreSQL keeps NaN, both databases keep infinity) made a whole answer a 500."""
    return value if value is None or math.isfinite(value) else None


class FiniteFloatField(serializers.FloatField):
    """A stored float as a JSON number, or null for NaN and infinity (what arrived is in
    raw_value when the ingest rejected it)."""

    def to_representation(self, value: float) -> Any:  # float | None (the stubs say str)
        return finite_or_none(float(value))  # what FloatField.to_representation returns


class SampleSerializer(CodedSerializer):
    """A stored value as received; `station` is null for a node the tag map did not know."""

    station = code_of(allow_null=True)
    value = FiniteFloatField(allow_null=True, read_only=True)
    position_m = FiniteFloatField(allow_null=True, read_only=True)
    unit = code_of("identifier", allow_null=True)
    batch = code_of("batch_id", allow_null=True, help_text="The ingest batch id (uuid).")

    class Meta:
        model = Sample
        fields = [
            "id",
            "node_id",
            "station",
            "parameter",
            "value",
            "raw_value",
            "source_time",
            "server_time",
            "status_code",
            "unit",
            "position_m",
            "source",
            "rejected_reason",
            "batch",
        ]


class InterlockSerializer(serializers.ModelSerializer):
    """An answer to a PLC: `code` 1 OK, 2 on hold/finished, 3 refused, 4 unknown serial, 9 could
    not decide; `reason` in the request's language; `answer_ms` from the PLC's request to done."""

    station = code_of()
    unit = code_of("identifier")
    reason = serializers.SerializerMethodField()

    class Meta:
        model = Interlock
        fields = [
            "id",
            "station",
            "side",
            "serial",
            "unit",
            "code",
            "reason_code",
            "reason",
            "plc_result",
            "samples",
            "operation",
            "requested_at",
            "decided_at",
            "answered_at",
            "answer_ms",
            "state",
        ]

    def get_reason(self, interlock: Interlock) -> str:
        return interlock_reason(interlock)
