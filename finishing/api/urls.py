"""URLs of the cell-finishing API under /api/v1/ (paths unchanged since they lived in quality/)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from finishing.api import grading_views, passport_views
from lines.api.common import IDENTIFIER_PATH

router = SimpleRouter()
router.register("gradings", grading_views.GradingViewSet, basename="grading")

# Beside the lines router's units/{identifier}/ routes, which end there.
UNIT = rf"^units/(?P<identifier>{IDENTIFIER_PATH})"
urlpatterns = [
    *router.urls,
    re_path(rf"{UNIT}/passport/$", passport_views.PassportView.as_view(), name="unit-passport"),
    re_path(rf"{UNIT}/label/$", passport_views.LabelView.as_view(), name="unit-label"),
]
