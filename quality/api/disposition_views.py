"""Disposition endpoints: sign a decision on a hold or a flag; read decisions and check them.

Signing needs the quality engineer role and the signer's password, re-entered (an electronic
signature: quality.services.disposition_decide). Every disposition read says whether it is
still `intact`: false when it, its subject or its signature changed after signing. Errors: 400
malformed, a wrong password (field `password`) or no reason; 404 unknown hold or flag; 409 the
hold is released or the flag dispositioned already, or the flag is under a hold.
"""

from collections.abc import Iterable

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api.common import WRITE_ERRORS, valid, with_errors
from mes.actors import request_actor
from mes.permissions import CanDecideQuality
from quality import services
from quality.api import inputs
from quality.api.common import ById
from quality.api.filters import DispositionFilter
from quality.api.serializers import DispositionSerializer
from quality.models import AuditEntry, Disposition
from quality.selectors.dispositions import disposition_verify


def checked(dispositions: Iterable[Disposition]) -> list[Disposition]:
    """The dispositions, each with `intact` set from a fresh verification of its signature."""
    dispositions = list(dispositions)
    # Their sealed "signed" audit entries in one query, not one per disposition.
    entries = AuditEntry.objects.filter(
        entity="disposition", action="signed", entity_id__in=[d.pk for d in dispositions]
    ).order_by("-seq")
    signed = {entry.entity_id: entry for entry in entries}
    for disposition in dispositions:
        disposition.intact = disposition_verify(  # type: ignore[attr-defined]  # per answer, not a column
            disposition=disposition, entry=signed.get(disposition.pk)
        )
    return dispositions


@extend_schema_view(
    list=extend_schema(summary="List dispositions, newest first (paginated, filtered)"),
    retrieve=extend_schema(
        summary="A disposition with its signature and whether it is intact",
        responses=with_errors({200: DispositionSerializer}, 404),
    ),
)
class DispositionViewSet(
    ById, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Signed decisions (release, rework, scrap, use as is) on holds and flags."""

    # Everything the signature covers is loaded with the disposition (the hold's unit...).
    queryset = Disposition.objects.select_related("signature__signer", "hold__unit", "flag__unit")
    serializer_class = DispositionSerializer
    filterset_class = DispositionFilter
    permission_classes = [CanDecideQuality]

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # DEFAULT_PAGINATION_CLASS is set
        body = DispositionSerializer(checked(page), many=True).data
        return self.get_paginated_response(body)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(DispositionSerializer(checked([self.get_object()])[0]).data)

    @extend_schema(
        summary="Sign a decision on an active hold, or on an open flag no hold covers",
        request=inputs.DispositionInput,
        responses=with_errors({201: DispositionSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.DispositionInput, request.data)
        disposition = services.disposition_decide(**data, by=request_actor(request))
        signed = checked([self.get_queryset().get(pk=disposition.pk)])[0]
        return Response(DispositionSerializer(signed).data, status=status.HTTP_201_CREATED)
