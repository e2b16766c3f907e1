from django.urls import path

from quality.web import (
    export_views,
    flag_views,
    genealogy_views,
    hold_views,
    queue_views,
    recall_views,
    rollmap_views,
    spc_views,
    unit_views,
)
from quality.web.views import quality_home

ID = "<str:identifier>"

urlpatterns = [
    path("quality/", quality_home, name="quality-home"),
    path("quality/genealogy/", genealogy_views.genealogy_search, name="quality-genealogy-search"),
    path(f"quality/genealogy/{ID}/", genealogy_views.genealogy_page, name="quality-genealogy"),
    path(f"quality/genealogy/{ID}/trace.csv", export_views.trace_csv, name="quality-trace-csv"),
    path(f"quality/genealogy/{ID}/trace.json", export_views.trace_json, name="quality-trace-json"),
    path(f"quality/recall/{ID}/", recall_views.recall_page, name="quality-recall"),
    path("quality/queue/", queue_views.queue_page, name="quality-queue"),
    path("quality/ncrs/new/", queue_views.ncr_create, name="quality-ncr-create"),
    path("quality/flags/<int:flag_id>/", flag_views.flag_page, name="quality-flag"),
    path("quality/holds/<int:hold_id>/", hold_views.hold_page, name="quality-hold"),
    path("quality/spc/", spc_views.spc_index, name="quality-spc-index"),
    path("quality/spc/<str:station_code>/<str:parameter>/", spc_views.spc_page, name="quality-spc"),
    path(
        "quality/spc/<str:station_code>/<str:parameter>/baseline/",
        spc_views.spc_baseline_post,
        name="quality-spc-baseline",
    ),
    path(
        "quality/spc/<str:station_code>/<str:parameter>/chart/",
        spc_views.spc_chart_partial,
        name="quality-spc-chart",
    ),
    path(f"quality/rolls/{ID}/", rollmap_views.rollmap_page, name="quality-rollmap"),
    path(f"quality/units/{ID}/", unit_views.unit_page, name="quality-unit"),
]
