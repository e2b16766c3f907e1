"""The cell-finishing pages, beside the quality engineer's unit pages."""

from django.urls import path

from finishing.web import views

urlpatterns = [
    path(
        "quality/units/<str:identifier>/passport/",
        views.passport_page,
        name="finishing-passport",
    ),
]
