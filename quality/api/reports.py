"""The shapes of the two computed answers, the SPC chart and the hold impact preview.

Both are built as plain dicts by quality.selectors (SpcResult.to_dict(), hold_impact); the
serializers below only document them for the OpenAPI schema; nothing runs through them.
"""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from lines.api.trace import WhereaboutsGroupSerializer


class HoldImpactSerializer(serializers.Serializer):
    root = serializers.CharField(help_text="Identifier of the unit a hold would be placed on.")  # type: ignore[assignment]  # named like Field.root: DRF moves declared fields off the class
    units = serializers.IntegerField(help_text="Units the hold would reach, the root included.")
    by_kind = serializers.DictField(
        child=serializers.IntegerField(), help_text="Those units counted by kind."
    )
    would_stop = serializers.IntegerField(help_text="Those created, in process or released.")
    already_on_hold = serializers.IntegerField()
    cells = WhereaboutsGroupSerializer(many=True, help_text="Where the cells are now.")


class SpcPointSerializer(serializers.Serializer):
    sample = serializers.IntegerField(help_text="Id of the sample.")
    time = serializers.DateTimeField(help_text="Source time of the reading.")
    value = serializers.FloatField()


class ChartLimitsSerializer(serializers.Serializer):
    center = serializers.FloatField()
    ucl = serializers.FloatField()
    lcl = serializers.FloatField()
    sigma = serializers.FloatField(help_text="Sigma of the plotted statistic (the zone width).")


class ChartSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="individuals or xbar_r.")
    subgroup_size = serializers.IntegerField()
    points = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="Plotted points: readings, or subgroup means; null where missing.",
    )
    limits = ChartLimitsSerializer()
    ranges = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="Moving ranges, or subgroup ranges; null where there is none.",
    )
    range_limits = ChartLimitsSerializer()
    sigma_within = serializers.FloatField()
    baseline = serializers.ListField(
        child=serializers.IntegerField(), help_text="Indices of the points that set the limits."
    )


class ViolationSerializer(serializers.Serializer):
    rule = serializers.IntegerField(help_text="1-4 Western Electric, 5-8 Nelson.")
    name = serializers.CharField()
    description = serializers.CharField()
    indices = serializers.ListField(
        child=serializers.IntegerField(), help_text="Chart points that complete a violation."
    )


class CapabilitySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    sigma_within = serializers.FloatField(allow_null=True)
    sigma_overall = serializers.FloatField(allow_null=True)
    lsl = serializers.FloatField(allow_null=True)
    usl = serializers.FloatField(allow_null=True)
    cp = serializers.FloatField(allow_null=True)
    cpk = serializers.FloatField(allow_null=True)
    pp = serializers.FloatField(allow_null=True)
    ppk = serializers.FloatField(allow_null=True)


class SpcSpecSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    lsl = serializers.FloatField(allow_null=True)
    usl = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    lcl = serializers.FloatField(allow_null=True)
    ucl = serializers.FloatField(allow_null=True)


class SpcBaselineSerializer(serializers.Serializer):
    station = serializers.CharField()
    parameter = serializers.CharField()
    version = serializers.IntegerField()
    period_from = serializers.DateTimeField(help_text="Start of the Phase I period.")
    period_to = serializers.DateTimeField(help_text="End of the Phase I period.")
    readings = serializers.IntegerField(help_text="Usable readings in the period.")
    center = serializers.FloatField()
    sigma = serializers.FloatField(help_text="Sigma of single readings (MR-bar / d2).")
    set_by = serializers.CharField(help_text="User name of the quality engineer.")
    set_at = serializers.DateTimeField()
    reason = serializers.CharField()


@extend_schema_serializer(many=False)  # answered by a `list` route, yet one chart
class SpcChartSerializer(serializers.Serializer):
    station = serializers.CharField()
    parameter = serializers.CharField()
    points = SpcPointSerializer(many=True, help_text="The usable readings, oldest first.")
    chart = ChartSerializer()
    limits_source = serializers.ChoiceField(
        choices=["baseline", "spec", "provisional"],
        help_text="baseline: the chart's stored Phase I limits; spec: the spec's LCL/UCL; "
        "provisional: computed from the window's first readings (no baseline set).",
    )
    baseline = SpcBaselineSerializer(allow_null=True, help_text="The chart's stored baseline.")
    violations = ViolationSerializer(many=True)
    capability = CapabilitySerializer(allow_null=True)
    spec = SpcSpecSerializer(allow_null=True, help_text="The spec version in force now.")
