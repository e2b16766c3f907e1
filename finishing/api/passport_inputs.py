"""Input serializers of the grading and passport endpoints (see quality.api.inputs for
the conventions: shape errors 400 naming the field, unknown references 404 naming the field)."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from finishing.models import GradingScheme
from lines.api.inputs import reference
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
