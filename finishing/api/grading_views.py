"""EOL grading endpoint.

POST /gradings/ grades a batch of cells (quality engineer; each grade audited). Errors: 400
malformed (field named), 403 role, 404 unknown reference (field named), 409 the state forbids it
(batch too small).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from finishing.api.passport_inputs import GradeInput
from finishing.services.grading import GradingRun, cells_grade
from lines.api.common import WRITE_ERRORS, valid, with_errors
from mes.actors import request_actor
from mes.permissions import CanDecideQuality


def grading_payload(run: GradingRun) -> dict:
    return {
        "batch": run.batch,
        "scheme": run.scheme,
        "median_ocv_v": run.median_ocv_v,
        "counts": run.counts,
        "grades": [
            {
                "cell": grade.unit.identifier,
                "grade": grade.grade,
                "reasons": grade.reasons,
                "k_mv_day": grade.k_mv_day,
                "ocv_v": grade.ocv_v,
                "ocv_deviation_mv": grade.ocv_deviation_mv,
                "acir_mohm": grade.acir_mohm,
                "capacity_ah": grade.capacity_ah,
                "readings": grade.readings,
            }
            for grade in run.grades
        ],
    }


class GradingViewSet(viewsets.ViewSet):
    """Grade the cells of an aging batch at EOL."""

    permission_classes = [CanDecideQuality]

    @extend_schema(
        summary="Grade a batch of cells (K-value, batch-median OCV, bins); audited",
        request=GradeInput,
        responses=with_errors({201: OpenApiTypes.OBJECT}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(GradeInput, request.data)
        run = cells_grade(**data, by=request_actor(request))
        for grade, cell in zip(run.grades, data["cells"], strict=True):
            grade.unit = cell  # the payload names cells without a query each
        return Response(grading_payload(run), status=status.HTTP_201_CREATED)
