"""Hold endpoints: list and read holds and their members, place one, preview what one would reach.

Reads (the impact preview too) need a login; placing a hold needs the quality engineer role.
A hold reaches the unit and every descendant in the genealogy, which read status "on_hold" in
the units API from then on; a signed disposition (dispositions/) releases it. One active hold
per unit and reason: placing it again answers 200 with that hold. Errors: 400 malformed (field
named), 404 unknown hold or unit (field named).
"""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from lines.api.common import WRITE_ERRORS, valid, with_errors
from lines.api.serializers import UnitSerializer
from lines.models import Unit
from mes.actors import request_actor
from mes.permissions import CanDecideQuality
from quality import services
from quality.api import inputs
from quality.api.common import ById, count_of
from quality.api.filters import HoldFilter
from quality.api.reports import HoldImpactSerializer
from quality.api.serializers import HoldSerializer
from quality.models import Hold, HoldMember
from quality.selectors.holds import hold_impact

FIRST_MEMBERS = 20  # a hold on a material lot reaches thousands of cells; the rest are paginated


def holds() -> QuerySet:
    """Holds as HoldSerializer shows them: member count and first members read in two queries."""
    first = HoldMember.objects.select_related("unit").order_by("unit_id")[:FIRST_MEMBERS]
    return (
        Hold.objects.select_related("unit", "placed_by")
        .annotate(member_count=count_of(HoldMember.objects.all(), "hold"))
        .prefetch_related(Prefetch("members", queryset=first, to_attr="first_members"))
    )


@extend_schema_view(
    list=extend_schema(summary="List holds, newest first (paginated, filtered)"),
    retrieve=extend_schema(
        summary="A hold with its member count and first members",
        responses=with_errors({200: HoldSerializer}, 404),
    ),
)
class HoldViewSet(ById, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Holds on units and everything made from them, until a signed disposition."""

    queryset = holds()
    serializer_class = HoldSerializer
    filterset_class = HoldFilter
    permission_classes = [CanDecideQuality]

    @extend_schema(
        summary="Hold a unit and every unit made from it, now and later",
        description="201 with the new hold; 200 with the active hold on the unit for the same "
        "reason when there is one (nothing is written: a repeated or concurrent request makes "
        "one hold).",
        request=inputs.HoldPlaceInput,
        responses=with_errors({201: HoldSerializer, 200: HoldSerializer}, *WRITE_ERRORS),
    )
    def create(self, request: Request) -> Response:
        data = valid(inputs.HoldPlaceInput, request.data)
        hold, placed = services.hold_place_once(**data, by=request_actor(request))
        body = HoldSerializer(holds().get(pk=hold.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if placed else status.HTTP_200_OK)

    @extend_schema(
        summary="Every unit the hold reaches (paginated, oldest unit first)",
        responses=with_errors({200: UnitSerializer(many=True)}, 404),
        filters=False,
    )
    @action(detail=True, methods=["get"])
    def members(self, request: Request, pk: str) -> Response:
        members = Unit.objects.filter(hold_memberships__hold=self.get_object()).order_by("id")
        page = self.paginate_queryset(
            members.select_related(
                "material", "product", "work_order", "route", "current_step", "station"
            )
        )
        return self.get_paginated_response(UnitSerializer(page, many=True).data)

    @extend_schema(
        summary="Impact preview: what a hold on a unit would reach, changing nothing",
        parameters=[inputs.ImpactQuery],
        responses=with_errors({200: HoldImpactSerializer}, 400, 404),
        filters=False,
    )
    @action(detail=False, methods=["get"])
    def impact(self, request: Request) -> Response:
        unit = valid(inputs.ImpactQuery, request.query_params)["unit"]
        return Response(hold_impact(unit=unit))
