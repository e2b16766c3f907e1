from django.urls import path

from oee.web import station_panel, views

urlpatterns = [
    path("oee/", views.oee_index, name="oee-index"),
    path("oee/<str:line_code>/", views.line_page, name="oee-line"),
    path("oee/stations/<str:code>/panel/", station_panel.station_panel, name="oee-station-panel"),
    path(
        "oee/stations/<str:code>/reason/",
        station_panel.station_reason,
        name="oee-station-reason",
    ),
]
