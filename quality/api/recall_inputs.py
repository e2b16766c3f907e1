"""Input serializers of the recall endpoints (see quality.api.inputs for the conventions: shape
errors 400 naming the field, unknown references 404 naming the field)."""

from rest_framework import serializers

from lines.api import resolve as lines_resolve
from lines.api.common import DateTimeField
from lines.api.inputs import ResolvingSerializer, reference


class RecallQuery(ResolvingSerializer):
    station = reference(help_text="Station code where the defect happened, e.g. COAT-01.")
    start = DateTimeField(help_text="Start of the defect window (ISO 8601).")
    end = DateTimeField(help_text="End of the defect window (ISO 8601).")
    resolvers = {"station": lines_resolve.station}


class RecallHoldInput(RecallQuery):
    reason = serializers.CharField(help_text="Why the suspects are held; signed and audited.")
    password = serializers.CharField(
        trim_whitespace=False,
        write_only=True,
        style={"input_type": "password"},
        help_text="The signer's password, re-entered: the electronic signature.",
    )
