"""Per-cell EOL outputs: the battery passport (JSON) and the printable cell label (SVG).

Any logged-in user reads them. Errors: 404 unknown identifier (field `identifier`); 409 the
unit is not a finished cell (passport) or has no grade yet (label).
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from finishing.label import label_svg, label_text
from finishing.selectors.labels import label_content
from finishing.selectors.passport import passport_of
from lines.api import resolve
from lines.api.common import with_errors
from lines.models import Unit


def _cell(identifier: str) -> Unit:
    unit = resolve.unit(identifier)
    return Unit.objects.select_related("product", "work_order", "current_step").get(pk=unit.pk)


class PassportView(APIView):
    """The battery passport of a finished cell: what the MES is the source for, and what not."""

    @extend_schema(
        summary="Battery passport of a finished cell (BatteryPass data model groups)",
        responses=with_errors({200: OpenApiTypes.OBJECT}, 404, 409),
    )
    def get(self, request: Request, identifier: str) -> Response:
        return Response(passport_of(unit=_cell(identifier)))


class LabelView(APIView):
    """The cell's EOL label: serial, grade, OCV, K, ACIR, capacity, batch and passport QR."""

    @extend_schema(
        summary="Printable cell label (SVG, 62 x 29 mm; ?as=text for the text lines)",
        responses=with_errors({(200, "image/svg+xml"): OpenApiTypes.STR}, 404, 409),
    )
    def get(self, request: Request, identifier: str) -> HttpResponse:
        content = label_content(unit=_cell(identifier))
        if request.query_params.get("as") == "text":
            return HttpResponse("\n".join(label_text(content)) + "\n", content_type="text/plain")
        return HttpResponse(label_svg(content), content_type="image/svg+xml")
