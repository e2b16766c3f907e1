"""Exposure endpoints of a lot: its moisture-exposure account and history, and operator scans.

Reads need a login; a scan needs a role that moves units (operators scan containers); starting
an account with carried-in exposure needs the quality engineer role. Errors: 400 malformed
(field named), 404 unknown unit or zone (field named), 409 the scan does not fit the lot's state
(opening an open lot, a lot with no budget, a scan earlier than what is counted).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conditions.models import DryZone, ExposureEvent, ExposurePeriod, LotExposure
from conditions.selectors.exposure import exposure_state, lot_exposure_of
from conditions.services.exposure import SCAN_ACTIONS, exposure_scan, lot_exposure_start
from lines.api import resolve as lines_resolve
from lines.api.common import WRITE_ERRORS, DateTimeField, FloatField, valid, with_errors
from lines.api.inputs import ResolvingSerializer, reference
from lines.api.serializers import code_of
from lines.models import Unit
from mes.actors import request_actor
from mes.errors import NotFound
from mes.permissions import CanDecideQuality, CanMoveUnits
from quality.choices import ExposureForm


def zone_by_code(code: str, *, field: str = "zone") -> DryZone:
    found = DryZone.objects.filter(code=code).first()
    if found is None:
        raise NotFound(_("No dry-room zone %(code)s.") % {"code": repr(code)}, field=field)
    return found


class ScanInput(ResolvingSerializer):
    action = serializers.ChoiceField(choices=list(SCAN_ACTIONS))
    zone = reference(required=False, help_text="Zone code; required to move, and at a first scan.")
    form = serializers.ChoiceField(choices=ExposureForm.choices, required=False)
    at = DateTimeField(required=False, help_text="When scanned (ISO 8601); now.")
    resolvers = {"zone": zone_by_code}


class StartInput(ResolvingSerializer):
    zone = reference(help_text="Zone code where the lot is.")
    form = serializers.ChoiceField(choices=ExposureForm.choices, required=False)
    carried_in_weighted_min = FloatField(
        min_value=0, default=0.0, help_text="Exposure the lot had before (declared, audited)."
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    resolvers = {"zone": zone_by_code}


class ExposurePeriodSerializer(serializers.ModelSerializer):
    zone = code_of()
    counted_until = serializers.DateTimeField(source="accrued_until")

    class Meta:
        model = ExposurePeriod
        fields = [
            "zone",
            "form",
            "form_weight",
            "opened_at",
            "closed_at",
            "counted_until",
            "weighted_min",
            "h2s_flag",
        ]


class ExposureEventSerializer(serializers.ModelSerializer):
    zone = code_of(allow_null=True)
    by = code_of("username", allow_null=True)

    class Meta:
        model = ExposureEvent
        fields = ["at", "action", "zone", "form", "total_weighted_min", "by", "detail"]


class LotExposureSerializer(serializers.ModelSerializer):
    """A lot's exposure account: its budget, what it spent, its state, its periods and history."""

    unit = code_of("identifier")
    material = serializers.CharField(source="budget.material.code", default=None)
    product = serializers.CharField(source="budget.product.code", default=None)
    budget_weighted_min = serializers.FloatField(source="budget.budget_weighted_min")
    spent_fraction = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    zone = code_of(allow_null=True)
    open = serializers.SerializerMethodField()
    periods = ExposurePeriodSerializer(many=True, read_only=True)
    events = ExposureEventSerializer(many=True, read_only=True)

    class Meta:
        model = LotExposure
        fields = [
            "unit",
            "material",
            "product",
            "budget_weighted_min",
            "carried_in_weighted_min",
            "accrued_weighted_min",
            "spent_fraction",
            "state",
            "zone",
            "form",
            "open",
            "warned_at",
            "hold",
            "started_at",
            "periods",
            "events",
        ]

    def get_spent_fraction(self, account: LotExposure) -> float:
        return round(account.accrued_weighted_min / account.budget.budget_weighted_min, 4)

    def get_state(self, account: LotExposure) -> str:
        return exposure_state(account)

    def get_open(self, account: LotExposure) -> bool:
        return any(period.closed_at is None for period in account.periods.all())


def _report(unit: Unit) -> dict:
    return LotExposureSerializer(lot_exposure_of(unit=unit)).data


class ExposureView(APIView):
    """GET a lot's exposure account and history."""

    @extend_schema(
        summary="A lot's moisture exposure: budget, spent, state, open periods and history",
        responses=with_errors({200: LotExposureSerializer}, 404),
    )
    def get(self, request: Request, identifier: str) -> Response:
        return Response(_report(lines_resolve.unit(identifier)))


class ExposureScanView(APIView):
    permission_classes = [CanMoveUnits]

    @extend_schema(
        summary="Scan a lot's container: opened, closed or moved to a zone",
        request=ScanInput,
        responses=with_errors({201: LotExposureSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request, identifier: str) -> Response:
        unit = lines_resolve.unit(identifier)
        data = valid(ScanInput, request.data)
        exposure_scan(unit=unit, **data, by=request_actor(request))
        return Response(_report(unit), status=status.HTTP_201_CREATED)


class ExposureStartView(APIView):
    permission_classes = [CanDecideQuality]

    @extend_schema(
        summary="Start a lot's exposure account, with the exposure it had before (audited)",
        request=StartInput,
        responses=with_errors({201: LotExposureSerializer}, *WRITE_ERRORS),
    )
    def post(self, request: Request, identifier: str) -> Response:
        unit = lines_resolve.unit(identifier)
        data = valid(StartInput, request.data)
        lot_exposure_start(unit=unit, **data, by=request_actor(request))
        return Response(_report(unit), status=status.HTTP_201_CREATED)
