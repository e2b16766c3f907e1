"""Input serializers of the quality API: the shape of each request, then its references resolved.

As in lines.api.inputs: shape errors come first (400 naming each bad field); only a well-formed
request has its references looked up (an unknown one is a 404 naming the field); then the
service applies the rules (LSL above USL, a wrong password, an NCR already closed...), and its
refusals name the fields used here.
"""

from typing import Any

from rest_framework import serializers

from lines.api import resolve as lines_resolve
from lines.api.common import DateTimeField, FloatField, count, record_id
from lines.api.inputs import ResolvingSerializer, reference
from lines.choices import StationKind
from quality.api import resolve
from quality.choices import Decision, Severity
from quality.services.specs import LIMIT_FIELDS

MAX_SUBGROUP_SIZE = 10  # the largest n of the X-bar/R constants table (quality.spc.constants)


def _limit(help_text: str) -> serializers.FloatField:
    return FloatField(required=False, allow_null=True, help_text=help_text)


def _record_id(help_text: str, **kwargs: Any) -> serializers.IntegerField:
    return record_id(help_text=help_text, **kwargs)


class LimitsInput(serializers.Serializer):
    """A complete set of limits: a limit left out (or null) is open. LSL or USL is required."""

    target = _limit("Target value.")
    lsl = _limit("Lower spec limit.")
    usl = _limit("Upper spec limit.")
    lcl = _limit("Lower control limit (SPC); with UCL it fixes the chart's limits.")
    ucl = _limit("Upper control limit (SPC).")
    reason = serializers.CharField(help_text="Why the limits are set or changed (audited).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        attrs["limits"] = {name: attrs.pop(name, None) for name in LIMIT_FIELDS}
        return attrs


class SpecCreateInput(LimitsInput, ResolvingSerializer):
    parameter = serializers.CharField(max_length=64, help_text="e.g. areal_loading_mg_cm2.")
    unit_of_measure = serializers.CharField(max_length=16, help_text="e.g. mg/cm2.")
    station_kind = serializers.ChoiceField(choices=StationKind.choices)
    station = reference(required=False, help_text="Station code: a spec for this station only.")
    recipe = reference(required=False, help_text="Recipe code: a spec for this recipe only.")
    recipe_version = count(
        required=False, help_text="Defaults to the recipe's newest active version."
    )
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MAJOR)
    holds_on_violation = serializers.BooleanField(
        default=True, help_text="An out-of-spec value puts the unit on hold."
    )
    spc_holds = serializers.BooleanField(default=False, help_text="An SPC rule violation holds.")
    nelson_rules = serializers.BooleanField(
        default=False, help_text="Run Nelson rules 5-8 besides Western Electric 1-4."
    )
    description = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    resolvers = {"station": lines_resolve.station}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        version = attrs.pop("recipe_version", None)
        if attrs.get("recipe") is not None:
            attrs["recipe"] = resolve.recipe(attrs["recipe"], version)
        return attrs


class SpecReviseInput(LimitsInput):
    """New limits for a spec: they become its next version, in force from now on."""


class HoldPlaceInput(ResolvingSerializer):
    unit = reference(help_text="Identifier of the unit to hold, with everything made from it.")
    reason = serializers.CharField()
    resolvers = {"unit": lines_resolve.unit}


class ImpactQuery(ResolvingSerializer):
    unit = reference(help_text="Identifier of the unit a hold would be placed on.")
    resolvers = {"unit": lines_resolve.unit}


class DispositionInput(ResolvingSerializer):
    hold = _record_id("Id of the active hold decided on.", required=False)
    flag = _record_id("Id of the open flag decided on (one no hold covers).", required=False)
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(help_text="Why; signed and audited.")
    password = serializers.CharField(
        trim_whitespace=False,
        write_only=True,
        style={"input_type": "password"},
        help_text="The signer's password, re-entered: the electronic signature.",
    )
    resolvers = {"hold": resolve.hold, "flag": resolve.flag}


class NcrOpenInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    flags = serializers.ListField(
        child=record_id(),
        allow_empty=False,
        help_text="Ids of the flags the NCR investigates; their units are attached.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["flags"] = resolve.flags(attrs["flags"])
        return attrs


class NcrCloseInput(serializers.Serializer):
    reason = serializers.CharField(help_text="The conclusion of the investigation (audited).")


class GateCreateInput(serializers.Serializer):
    route = reference(help_text="Route code.")
    step = count(help_text="Sequence of the step on the route.")
    spec = _record_id("Id of the spec the step requires measured and in spec.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        route = lines_resolve.route(attrs.pop("route"))
        attrs["step"] = resolve.route_step(route, attrs["step"])
        attrs["spec"] = resolve.spec(attrs["spec"])
        return attrs


class SpcQuery(ResolvingSerializer):
    station = reference(help_text="Station code, e.g. COAT-01.")
    parameter = serializers.CharField(max_length=64, help_text="e.g. areal_loading_mg_cm2.")
    since = DateTimeField(required=False, help_text="Readings from (ISO 8601).")
    until = DateTimeField(required=False, help_text="Readings up to (ISO 8601).")
    subgroup_size = count(
        max_value=MAX_SUBGROUP_SIZE,
        default=1,
        help_text="1: individuals / moving-range chart; 2..10: X-bar / R chart.",
    )
    baseline = count(
        required=False,
        help_text="Leading points (or subgroups) that set provisional control limits when the "
        "chart has no stored baseline and the spec gives no LCL and UCL; default 100.",
    )
    resolvers = {"station": lines_resolve.station}
