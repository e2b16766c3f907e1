"""The audit trail, read-only: who changed which quality record when, from what to what, and why.

Any logged-in user reads it; no route writes it (405 for every method but GET, for every role).
GET verify/ checks the keyed chains and the live records against them (quality engineers).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api.common import with_errors
from mes.roles import DECIDES_QUALITY, user_roles
from quality.api.common import ById
from quality.api.filters import AuditFilter
from quality.api.serializers import AuditEntrySerializer, AuditVerifySerializer
from quality.models import AuditEntry


class VerifiesAudit(BasePermission):
    """Verification reads every record and says where it was tampered with: quality engineers."""

    message = _("Verifying the audit trail needs the quality engineer role.")

    def has_permission(self, request, view) -> bool:  # noqa: ANN001 (DRF signature)
        return bool(user_roles(request.user) & DECIDES_QUALITY)


@extend_schema_view(
    list=extend_schema(summary="List audit entries, newest first (paginated, filtered)"),
    retrieve=extend_schema(
        summary="An audit entry by id", responses=with_errors({200: AuditEntrySerializer}, 404)
    ),
)
class AuditViewSet(ById, viewsets.ReadOnlyModelViewSet):
    """Append-only trail of specs, flags, holds, dispositions, NCRs and gates."""

    queryset = AuditEntry.objects.select_related("by")
    serializer_class = AuditEntrySerializer
    filterset_class = AuditFilter

    @extend_schema(
        summary="Verify the sealed audit trail: the first broken link, if any",
        parameters=[
            OpenApiParameter(
                "expect",
                str,
                many=True,
                description="a head recorded earlier outside the database: audit=SEQ:MAC",
            )
        ],
        responses=with_errors({200: AuditVerifySerializer}, 400, 403),
    )
    @action(detail=False, methods=["get"], permission_classes=[VerifiesAudit])
    def verify(self, request: Request) -> Response:
        """200 with `intact` true or false (a broken trail is a finding, not an error)."""
        from quality.selectors.audit_verify import audit_verify, parse_expect

        expect = parse_expect(request.query_params.getlist("expect"))
        return Response(audit_verify(expect=expect).as_dict())
