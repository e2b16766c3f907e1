"""Input serializers: they check the shape of a request and resolve the codes and identifiers in it.

Shape errors come first (400, `error.fields` names each bad field); only a well-formed request has
its references looked up, and an unknown one is a 404 naming the field (see lines.api.resolve).
The services then apply the rules; their refusals keep the field names used here.
"""

from collections.abc import Callable
from typing import Any, ClassVar, TypedDict

from rest_framework import serializers

from lines.api import resolve
from lines.api.common import DateTimeField, DecimalField, FloatField, IntegerField, count, record_id
from lines.choices import OperationResult, UnitKind
from lines.models import DeadbandKind, TagRole
from lines.services import tags as tag_rules


class Digits(TypedDict):
    """The size of a DecimalField, spread into it: `DecimalField(**QUANTITY, ...)`."""

    max_digits: int
    decimal_places: int


QUANTITY: Digits = {"max_digits": 14, "decimal_places": 4}
METRES: Digits = {"max_digits": 10, "decimal_places": 3}
MADE_KINDS = [UnitKind.SLURRY_BATCH, UnitKind.ROLL, UnitKind.CELL]


def reference(**kwargs: Any) -> serializers.CharField:
    """An identifier or code naming an existing object; resolved after the shape checks pass."""
    return serializers.CharField(max_length=64, **kwargs)


class ResolvingSerializer(serializers.Serializer):
    """Replaces each reference named in `resolvers` by the object it names, field by field."""

    resolvers: ClassVar[dict[str, Callable[..., Any]]] = {}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name, find in self.resolvers.items():
            if attrs.get(name) is not None:
                attrs[name] = find(attrs[name], field=name)
        return attrs


class UnitCreateInput(ResolvingSerializer):
    identifier = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=MADE_KINDS)
    quantity = DecimalField(
        **QUANTITY, required=False, help_text="kg for a slurry batch, m for a roll; a cell is 1."
    )
    product = reference(required=False, help_text="Product code; defaults to the route's.")
    work_order = reference(required=False, help_text="Work order code.")
    route = reference(required=False, help_text="Route code; defaults to the work order's.")
    resolvers = {
        "product": resolve.product,
        "work_order": resolve.work_order,
        "route": resolve.route,
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The service would default to 1; a 1 m roll made by forgetting a field helps nobody.
        if attrs["kind"] != UnitKind.CELL and attrs.get("quantity") is None:
            raise serializers.ValidationError(
                {"quantity": "Give the quantity: kg for a slurry batch, m for a roll."}
            )
        return super().validate(attrs)


class MaterialReceiveInput(ResolvingSerializer):
    material = reference(help_text="Material code, e.g. NMC811.")
    identifier = serializers.CharField(max_length=64)
    quantity = DecimalField(**QUANTITY, help_text="In the material's unit of measure.")
    supplier = serializers.CharField(max_length=120)
    supplier_lot = serializers.CharField(max_length=64)
    resolvers = {"material": resolve.material}


class ScrapInput(serializers.Serializer):
    reason = serializers.CharField()


class SplitInput(serializers.Serializer):
    daughters = serializers.ListField(
        child=serializers.CharField(max_length=64),
        allow_empty=False,
        help_text="One new identifier per daughter roll (lane).",
    )


class TraceQuery(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["backward", "forward"])


class WhereaboutsQuery(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=UnitKind.choices, required=False, help_text="Count only units of this kind."
    )


class OperationStartInput(ResolvingSerializer):
    unit = reference(help_text="Identifier of the unit to start.")
    station = reference(help_text="Station code.")
    step = count(required=False, help_text="Sequence of the step; defaults to the unit's next.")
    resolvers = {"unit": resolve.unit, "station": resolve.station}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs.get("step") is not None:
            attrs["step"] = resolve.route_step(attrs["unit"], attrs["step"])
        return attrs


class OperationCompleteInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=OperationResult.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConsumptionInput(ResolvingSerializer):
    child = reference(help_text="Identifier of the unit that consumes.")
    parent = reference(help_text="Identifier of the unit consumed from.")  # type: ignore[assignment]  # named like Field.parent: DRF moves declared fields off the class
    quantity = DecimalField(
        **QUANTITY, required=False, help_text="Needed unless the metres of a roll are given."
    )
    position_from = DecimalField(**METRES, required=False, allow_null=True)
    position_to = DecimalField(**METRES, required=False, allow_null=True)
    operation = record_id(required=False, allow_null=True, help_text="Id of the child's operation.")
    hold_override = serializers.BooleanField(
        default=False, help_text="Consume a held parent (quality engineers only)."
    )
    resolvers = {
        "child": resolve.unit,
        "parent": resolve.unit,
        "operation": resolve.operation,
    }


class WorkOrderCreateInput(ResolvingSerializer):
    code = serializers.CharField(max_length=32)
    route = reference(help_text="Route code; the product is the route's.")
    quantity_planned = count()
    due_at = DateTimeField(required=False, allow_null=True)
    resolvers = {"route": resolve.route}


def tag_parameter(**kwargs: Any) -> serializers.CharField:
    """What a process-value node carries; null or blank when the tag has a role."""
    return serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Process parameter, e.g. areal_loading_mg_cm2; give this or a role.",
        **kwargs,
    )


def tag_role(**kwargs: Any) -> serializers.ChoiceField:
    """What a non-process node means; null or blank when the tag carries a parameter."""
    return serializers.ChoiceField(
        choices=TagRole.choices,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="What a non-process node means; give this or a parameter.",
        **kwargs,
    )


def sampling_interval_field(**kwargs: Any) -> serializers.IntegerField:
    return IntegerField(min_value=0, max_value=tag_rules.MAX_SAMPLING_INTERVAL_MS, **kwargs)


def queue_size_field(**kwargs: Any) -> serializers.IntegerField:
    return IntegerField(min_value=1, max_value=tag_rules.MAX_QUEUE_SIZE, **kwargs)


def deadband_kind_field(**kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=DeadbandKind.choices,
        help_text="none, absolute (in the value's unit) or percent (of the node's EURange).",
        **kwargs,
    )


def deadband_value_field(**kwargs: Any) -> FloatField:
    return FloatField(
        min_value=0,
        help_text="A change the server does not report unless exceeded; 0 with kind none.",
        **kwargs,
    )


def _blank_for_null(attrs: dict[str, Any]) -> dict[str, Any]:
    """A null parameter or role means none, as a blank one does."""
    for name in ("parameter", "role"):
        if name in attrs and attrs[name] is None:
            attrs[name] = ""
    return attrs


class TagCreateInput(ResolvingSerializer):
    """Map a node of a station: exactly one of `parameter` and `role` (services.tag_create)."""

    node_id = serializers.CharField(
        max_length=255, help_text=f"OPC UA node id, e.g. {tag_rules.NODE_ID_EXAMPLE}."
    )
    station = reference(help_text="Station code.")
    parameter = tag_parameter()
    role = tag_role()
    sampling_interval_ms = sampling_interval_field(default=tag_rules.DEFAULT_SAMPLING_INTERVAL_MS)
    queue_size = queue_size_field(default=tag_rules.DEFAULT_QUEUE_SIZE)
    deadband_kind = deadband_kind_field(default=DeadbandKind.NONE)
    deadband_value = deadband_value_field(default=0.0)
    enabled = serializers.BooleanField(default=True)
    description = serializers.CharField(max_length=200, allow_blank=True, default="")
    resolvers = {"station": resolve.station}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return super().validate(_blank_for_null(attrs))


class TagUpdateInput(serializers.Serializer):
    """Change a tag, only the fields sent; `parameter` or `role` switches what the node carries."""

    parameter = tag_parameter()
    role = tag_role()
    sampling_interval_ms = sampling_interval_field(required=False)
    queue_size = queue_size_field(required=False)
    deadband_kind = deadband_kind_field(required=False)
    deadband_value = deadband_value_field(required=False)
    enabled = serializers.BooleanField(required=False)
    description = serializers.CharField(max_length=200, allow_blank=True, required=False)
    fixed: ClassVar[dict[str, str]] = {
        "node_id": "A tag's node id does not change (its samples are stored under it): disable "
        "this tag and map the new node id as a new tag.",
        "station": "A tag's station does not change here: disable this tag, or have an admin "
        "correct the station in the admin.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Partial, as PATCH is: a field left out of form data is left as it is (DRF would read a
        # missing checkbox as enabled=false).
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        sent = self.initial_data if hasattr(self.initial_data, "keys") else {}
        refused = {name: message for name, message in self.fixed.items() if name in sent}
        if refused:
            raise serializers.ValidationError(refused)
        return _blank_for_null(attrs)
