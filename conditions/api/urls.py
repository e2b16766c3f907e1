"""URLs of the process-conditions API under /api/v1/ (paths unchanged since they lived in
quality/): a lot's exposure account and scans, a cell's pressure profiles."""

from django.urls import re_path

from conditions.api import exposure, pressure
from lines.api.common import IDENTIFIER_PATH

# Beside the lines router's units/{identifier}/ routes, which end there.
UNIT = rf"^units/(?P<identifier>{IDENTIFIER_PATH})"
urlpatterns = [
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
]
