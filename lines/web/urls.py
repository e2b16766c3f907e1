from django.urls import path

from lines.web.views import station_pick

urlpatterns = [
    path("station/", station_pick, name="station-pick"),
]
