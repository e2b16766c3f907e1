"""URLs of the OEE API under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from oee.api import calendar_views, oee_views, reason_views

router = DefaultRouter()
router.include_root_view = False
router.register("shift-patterns", calendar_views.ShiftPatternViewSet, basename="shift-pattern")

urlpatterns = [
    path("oee/", oee_views.OeeView.as_view(), name="oee"),
    path("downtimes/", oee_views.DowntimeView.as_view(), name="downtimes"),
    path("downtimes/reasons/", reason_views.AssignView.as_view(), name="downtime-assign"),
    path("downtime-reasons/", reason_views.ReasonTreeView.as_view(), name="downtime-reasons"),
] + router.urls
