"""URLs of the quality API under /api/v1/ (beside the lines API, which shares the prefix)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from lines.api.common import IDENTIFIER_PATH
from quality.api import (
    audit_views,
    disposition_views,
    exposure,
    flag_views,
    gate_views,
    grading_views,
    hold_views,
    ncr_views,
    passport_views,
    pressure,
    spc_views,
    spec_views,
)

# No root view and no format suffixes: the lines router answers /api/v1/ itself.
router = SimpleRouter()
router.register("specs", spec_views.SpecViewSet, basename="spec")
router.register("flags", flag_views.FlagViewSet, basename="flag")
router.register("holds", hold_views.HoldViewSet, basename="hold")
router.register("dispositions", disposition_views.DispositionViewSet, basename="disposition")
router.register("ncrs", ncr_views.NcrViewSet, basename="ncr")
router.register("gates", gate_views.GateViewSet, basename="gate")
router.register("spc", spc_views.SpcViewSet, basename="spc")
router.register("audit", audit_views.AuditViewSet, basename="audit")
router.register("gradings", grading_views.GradingViewSet, basename="grading")
router.register("recalls", grading_views.RecallViewSet, basename="recall")

# Beside the lines router's units/{identifier}/ routes, which end there.
UNIT = rf"^units/(?P<identifier>{IDENTIFIER_PATH})"
urlpatterns = [
    *router.urls,
    re_path(rf"{UNIT}/exposure/$", exposure.ExposureView.as_view(), name="unit-exposure"),
    re_path(
        rf"{UNIT}/exposure/scans/$", exposure.ExposureScanView.as_view(), name="unit-exposure-scan"
    ),
    re_path(
        rf"{UNIT}/exposure/start/$",
        exposure.ExposureStartView.as_view(),
        name="unit-exposure-start",
    ),
    re_path(rf"{UNIT}/pressure/$", pressure.PressureView.as_view(), name="unit-pressure"),
    re_path(rf"{UNIT}/passport/$", passport_views.PassportView.as_view(), name="unit-passport"),
    re_path(rf"{UNIT}/label/$", passport_views.LabelView.as_view(), name="unit-label"),
    re_path(
        rf"{UNIT}/trace-drill/$", grading_views.TraceDrillView.as_view(), name="unit-trace-drill"
    ),
]
