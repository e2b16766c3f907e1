"""Input serializers of the grading, recall and passport endpoints (see quality.api.inputs for
the conventions: shape errors 400 naming the field, unknown references 404 naming the field)."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from finishing.models import GradingScheme
from lines.api import resolve as lines_resolve
from lines.api.common import DateTimeField
from lines.api.inputs import ResolvingSerializer, reference
from lines.models import Unit
from mes.errors import NotFound

MAX_BATCH = 100_000


def scheme(code: str, *, field: str = "scheme") -> GradingScheme:
    found = GradingScheme.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("No grading scheme %(code)s.") % {"code": repr(code)}, field=field)
    return found


def cells(identifiers: list[str], *, field: str = "cells") -> list[Unit]:
    """The units with these identifiers, in the order given; the first unknown one is a 404."""
    found: dict[str, Unit] = {}
    for start in range(0, len(identifiers), 2000):
        chunk = identifiers[start : start + 2000]
        found.update({u.identifier: u for u in Unit.objects.filter(identifier__in=chunk)})
    unknown = [i for i in identifiers if i not in found]
    if unknown:
        raise NotFound(
            _("No unit with identifier %(identifier)s.") % {"identifier": repr(unknown[0])},
            field=field,
        )
    return [found[i] for i in identifiers]


class GradeInput(serializers.Serializer):
    scheme = reference(help_text="Code of the grading scheme.")
    cells = serializers.ListField(
        child=serializers.CharField(max_length=64),
        allow_empty=False,
        max_length=MAX_BATCH,
        help_text="Serials of the cells that aged together: the batch of the median rule.",
    )
    batch = serializers.CharField(
        max_length=64, required=False, default="", help_text="Batch label; generated if blank."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["scheme"] = scheme(attrs["scheme"])
        attrs["cells"] = cells(attrs["cells"])
        return attrs


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
