"""Admin of the lines app, for process engineers: master data is edited here, units are only read.

Units, their history, operations and genealogy edges change state only through lines.services
(which lock, check the rules and write history), and telemetry samples are written by the ingest
only, so their admins are read-only. The unit tables
can hold millions of rows: no changelist or form here renders them as a <select>, changelists
join their foreign keys in one query, and skip the second, unfiltered COUNT(*).
"""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from lines.models import (
    Equipment,
    GenealogyEdge,
    Interlock,
    Line,
    Material,
    Operation,
    Product,
    Recipe,
    RecipeDownload,
    Route,
    RouteStep,
    Sample,
    SampleSegment,
    Station,
    Unit,
    UnitHistory,
    WorkOrder,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted here: the services are the only writers."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """A read-only list of related rows on a read-only page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Line)
class LineAdmin(admin.ModelAdmin):
    """Production lines."""

    list_display = ["code", "name", "site"]
    search_fields = ["code", "name"]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    """Stations of a line, by code and kind."""

    list_display = ["code", "name", "kind", "line"]
    list_filter = ["kind", "line"]
    list_select_related = ["line"]
    search_fields = ["code", "name"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    """Machines with their nameplate data."""

    list_display = ["code", "name", "station", "manufacturer", "model_number", "serial_number"]
    list_filter = ["station__kind"]
    list_select_related = ["station"]
    search_fields = ["code", "name", "manufacturer", "model_number", "serial_number"]
    autocomplete_fields = ["station"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    """Purchased materials."""

    list_display = ["code", "name", "category", "uom", "moisture_sensitive"]
    list_filter = ["category", "moisture_sensitive"]
    search_fields = ["code", "name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Products (cell types, intermediates)."""

    list_display = ["code", "name", "unit_kind"]
    list_filter = ["unit_kind"]
    search_fields = ["code", "name"]


@admin.register(Recipe)
class RecipeAdmin(admin.ModelAdmin):
    """Versioned set-points. Make a new version rather than editing one in use."""

    list_display = ["code", "version", "product", "station_kind", "active"]
    list_filter = ["station_kind", "active", "product"]
    list_select_related = ["product"]
    search_fields = ["code"]
    autocomplete_fields = ["product"]


class RouteStepInline(admin.TabularInline):
    model = RouteStep
    extra = 0
    ordering = ["sequence"]
    autocomplete_fields = ["recipe"]


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    """Routes, with their steps edited in sequence order on the same page."""

    list_display = ["code", "name", "product", "active"]
    list_filter = ["active", "product"]
    list_select_related = ["product"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["product"]
    inlines = [RouteStepInline]


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Work orders."""

    list_display = ["code", "product", "route", "quantity_planned", "status", "due_at"]
    list_filter = ["status", "product", "due_at", "created_at"]
    list_select_related = ["product", "route"]
    search_fields = ["code"]
    autocomplete_fields = ["product", "route"]


class UnitHistoryInline(ReadOnlyInline):
    model = UnitHistory
    fields = ["at", "event", "status_before", "status_after", "by", "reason"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[UnitHistory]:
        return super().get_queryset(request).select_related("by")


class OperationInline(ReadOnlyInline):
    model = Operation
    fields = ["station", "step", "started_at", "started_by", "completed_at", "result", "note"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Operation]:
        related = ["station", "step__route", "started_by"]
        return super().get_queryset(request).select_related(*related)


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    """Units, read-only. Receive, create, consume, scrap and move them through lines.services
    (the API or the tablet), which check the rules and record each change in the unit's history."""

    list_display = [
        "identifier",
        "kind",
        "status",
        "material",
        "supplier_lot",
        "product",
        "work_order",
        "station",
        "current_step",
        "quantity_remaining",
        "uom",
        "created_at",
    ]
    list_filter = ["kind", "status", "station", "product", "created_at"]
    list_select_related = ["material", "product", "work_order", "station", "current_step__route"]
    search_fields = ["identifier", "supplier_lot"]
    search_help_text = "Unit identifier or supplier lot number (or part of one)."
    raw_id_fields = ["material", "product", "work_order", "route", "current_step", "station"]
    inlines = [UnitHistoryInline, OperationInline]


@admin.register(UnitHistory)
class UnitHistoryAdmin(ReadOnlyAdmin):
    """Status changes of units, read-only: written by lines.services with each change."""

    list_display = ["unit", "at", "event", "status_before", "status_after", "by", "reason"]
    # No filter on the free-text `event`: listing its values would scan the whole table.
    list_filter = ["status_after", "at"]
    list_select_related = ["unit", "by"]
    search_fields = ["unit__identifier"]
    raw_id_fields = ["unit", "by"]


class OpenListFilter(admin.SimpleListFilter):
    title = "open"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Open"), ("no", "Completed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(completed_at__isnull=self.value() == "yes")
        return queryset


@admin.register(Operation)
class OperationAdmin(ReadOnlyAdmin):
    """Operations, read-only: started and completed through lines.services (API, tablet, PLC)."""

    list_display = [
        "id",
        "unit",
        "station",
        "step",
        "started_at",
        "started_by",
        "completed_at",
        "result",
    ]
    list_filter = [OpenListFilter, "result", "station", "started_at"]
    list_select_related = ["unit", "station", "step__route", "started_by"]
    search_fields = ["unit__identifier", "note"]
    raw_id_fields = ["unit", "station", "step", "started_by", "completed_by"]


@admin.register(GenealogyEdge)
class GenealogyEdgeAdmin(ReadOnlyAdmin):
    """Genealogy edges, read-only: recorded by lines.services when a unit consumes or is slit."""

    list_display = [
        "id",
        "parent",
        "child",
        "quantity",
        "position_from_m",
        "position_to_m",
        "operation",
        "created_at",
    ]
    list_filter = ["parent__kind", "child__kind", "created_at"]
    list_select_related = ["parent", "child"]
    search_fields = ["parent__identifier", "child__identifier"]
    raw_id_fields = ["parent", "child", "operation", "created_by"]


@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin):
    """Telemetry samples, read-only: written in bulk by the ingest (or a manual measurement
    service), never edited, so that a reading shown is the reading received. The hot window
    only: older samples are in the segments below (every screen and the API read both)."""

    list_display = [
        "source_time",
        "station",
        "parameter",
        "value",
        "unit",
        "position_m",
        "status_code",
        "source",
        "rejected_reason",
    ]
    # No filter on the free-text `parameter`: listing its values would scan the whole table.
    list_filter = ["station", "source", "source_time"]
    list_select_related = ["station", "unit"]
    search_fields = ["unit__identifier", "parameter"]
    raw_id_fields = ["station", "unit", "recorded_by"]


@admin.register(SampleSegment)
class SampleSegmentAdmin(ReadOnlyAdmin):
    """Samples past the hot window, one row per series and 10 minutes, read-only: written by
    the compaction (manage.py telemetry_compact), each holding its samples losslessly."""

    list_display = ["bucket", "station", "parameter", "count", "usable", "units", "compacted_at"]
    list_filter = ["station", "bucket"]
    list_select_related = ["station"]
    search_fields = ["parameter", "node_id"]
    exclude = ["data"]  # the codec's bytes: read through the samples API
    readonly_fields = ["stored_bytes"]

    @admin.display(description=gettext_lazy("stored bytes"))
    def stored_bytes(self, segment: SampleSegment) -> int:
        return len(segment.data)


from lines import admin_tags  # noqa: E402, F401  (the tag map and ingest batches)


@admin.register(Interlock)
class InterlockAdmin(ReadOnlyAdmin):
    """Answers to PLC check-ins and check-outs, read-only: the bridge's decisions are records."""

    list_display = ["decided_at", "station", "side", "serial", "code", "reason_code", "state",
                    "answer_ms"]  # fmt: skip
    list_filter = ["side", "code", "state"]
    search_fields = ["serial", "unit__identifier", "station__code"]
    list_select_related = ["station"]


@admin.register(RecipeDownload)
class RecipeDownloadAdmin(ReadOnlyAdmin):
    """The audit of recipe downloads to PLCs: who, when, which recipe, what was read back; a
    download the MES made by itself names the check-in that caused it."""

    list_display = ["at", "station", "recipe", "by", "checkin", "ok"]
    list_filter = ["ok"]
    list_select_related = ["station", "recipe", "by", "checkin"]
