"""URLs of the OEE API under /api/v1/."""

from django.urls import path

from oee.api import oee_views

urlpatterns = [
    path("oee/", oee_views.OeeView.as_view(), name="oee"),
    path("downtimes/", oee_views.DowntimeView.as_view(), name="downtimes"),
]
