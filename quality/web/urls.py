from django.urls import path

from quality.web.views import quality_home

urlpatterns = [
    path("quality/", quality_home, name="quality-home"),
]
