"""The audit trail, read-only: who changed which quality record when, from what to what, and why.

Any logged-in user reads it; no route writes it (405 for every method but GET, for every role).
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from lines.api.common import with_errors
from quality.api.common import ById
from quality.api.filters import AuditFilter
from quality.api.serializers import AuditEntrySerializer
from quality.models import AuditEntry


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
