"""URLs of the quality API under /api/v1/ (beside the lines API, which shares the prefix)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from lines.api.common import IDENTIFIER_PATH
from quality.api import (
    audit_views,
    disposition_views,
    flag_views,
    gate_views,
    hold_views,
    ncr_views,
    recall_views,
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
router.register("recalls", recall_views.RecallViewSet, basename="recall")

# Beside the lines router's units/{identifier}/ routes, which end there.
UNIT = rf"^units/(?P<identifier>{IDENTIFIER_PATH})"
urlpatterns = [
    *router.urls,
    re_path(
        rf"{UNIT}/trace-drill/$", recall_views.TraceDrillView.as_view(), name="unit-trace-drill"
    ),
]
