from django.urls import path

from lines.web import action_views
from lines.web.pick_views import station_pick
from lines.web.station_views import station_live, station_screen, station_unit

urlpatterns = [
    path("station/", station_pick, name="station-pick"),
    path("station/<str:code>/", station_screen, name="station"),
    path("station/<str:code>/unit/", station_unit, name="station-unit"),
    path("station/<str:code>/live/", station_live, name="station-live"),
    path("station/<str:code>/start/", action_views.start, name="station-start"),
    path("station/<str:code>/complete/", action_views.complete, name="station-complete"),
    path("station/<str:code>/consume/", action_views.consume, name="station-consume"),
    path("station/<str:code>/measure/", action_views.measure, name="station-measure"),
]
