"""URLs of the lines API under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from lines.api import (
    interlock_views,
    operation_views,
    recipe_views,
    sample_views,
    series_views,
    tag_views,
    unit_views,
    views,
)

router = DefaultRouter()
# Identifiers may contain '.', so `units/R.1.json/` must not be read as a format suffix.
router.include_format_suffixes = False
router.register("lines", views.LineViewSet, basename="line")
router.register("stations", views.StationViewSet, basename="station")
router.register("equipment", views.EquipmentViewSet, basename="equipment")
router.register("materials", views.MaterialViewSet, basename="material")
router.register("products", views.ProductViewSet, basename="product")
router.register("recipes", views.RecipeViewSet, basename="recipe")
router.register("routes", views.RouteViewSet, basename="route")
router.register("work-orders", views.WorkOrderViewSet, basename="work-order")
router.register("units", unit_views.UnitViewSet, basename="unit")
router.register("material-lots", unit_views.MaterialLotViewSet, basename="material-lot")
router.register("operations", operation_views.OperationViewSet, basename="operation")
router.register("consumptions", operation_views.ConsumptionViewSet, basename="consumption")
router.register("tags", tag_views.TagViewSet, basename="tag")
router.register("samples", sample_views.SampleViewSet, basename="sample")
router.register("interlocks", interlock_views.InterlockViewSet, basename="interlock")

urlpatterns = [
    path(
        "stations/<str:code>/recipe-download/",
        recipe_views.RecipeDownloadView.as_view(),
        name="station-recipe-download",
    ),
    path("series/", series_views.SeriesView.as_view(), name="series"),
    *router.urls,
]
