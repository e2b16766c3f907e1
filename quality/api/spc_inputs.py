"""What the SPC baseline endpoint accepts: the chart, the in-control period and a signature."""

from rest_framework import serializers

from lines.api import resolve as lines_resolve
from lines.api.common import DateTimeField, count
from lines.api.inputs import ResolvingSerializer, reference


class SpcBaselineInput(ResolvingSerializer):
    station = reference(help_text="Station code, e.g. COAT-01.")
    parameter = serializers.CharField(max_length=64, help_text="e.g. areal_loading_mg_cm2.")
    period_from = DateTimeField(help_text="Start of the in-control (Phase I) period, ISO 8601.")
    period_to = DateTimeField(help_text="End of the in-control period, ISO 8601.")
    replaces = count(
        required=False,
        allow_null=True,
        default=None,
        help_text="Version of the baseline this one replaces, as last read; null or absent when "
        "the chart has none. A stale version is refused (409 baseline_changed).",
    )
    reason = serializers.CharField(help_text="Why this period; signed and audited.")
    password = serializers.CharField(
        trim_whitespace=False,
        write_only=True,
        style={"input_type": "password"},
        help_text="The quality engineer's password, re-entered: the electronic signature.",
    )
    resolvers = {"station": lines_resolve.station}


class SpcBaselineAnswer(serializers.Serializer):
    """The stored baseline (documentation only: the view answers a plain dict)."""

    station = serializers.CharField()
    parameter = serializers.CharField()
    version = serializers.IntegerField()
    period_from = serializers.DateTimeField()
    period_to = serializers.DateTimeField()
    readings = serializers.IntegerField()
    center = serializers.FloatField()
    sigma = serializers.FloatField(help_text="Sigma of single readings (MR-bar / d2).")
    set_by = serializers.CharField()
    set_at = serializers.DateTimeField()
    reason = serializers.CharField()
