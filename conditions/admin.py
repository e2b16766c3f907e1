"""Admin of the solid-state records: exposure budgets, dry-room zones, lots' exposure accounts
with their open periods and history, and cells' pressure profiles. Read-only like the rest of
the quality admin: budgets, scans and profiles change through conditions.services (audited)."""

from django.contrib import admin

from conditions.models import (
    DryZone,
    ExposureBudget,
    ExposureEvent,
    ExposurePeriod,
    LotExposure,
    PressureProfile,
)
from conditions.selectors.exposure import exposure_state
from lines.admin import ReadOnlyAdmin, ReadOnlyInline


@admin.register(ExposureBudget)
class ExposureBudgetAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "material",
        "product",
        "budget_weighted_min",
        "powder_weight",
        "slurry_weight",
        "laminated_weight",
        "sealed_weight",
        "default_form",
    )
    list_select_related = ("material", "product")


@admin.register(DryZone)
class DryZoneAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "station", "h2s_alarm_ppm")
    list_select_related = ("station",)


class ExposurePeriodInline(ReadOnlyInline):
    model = ExposurePeriod
    fields = (
        "zone",
        "form",
        "form_weight",
        "opened_at",
        "closed_at",
        "accrued_until",
        "weighted_min",
        "h2s_flag",
    )


class ExposureEventInline(ReadOnlyInline):
    model = ExposureEvent
    fields = ("at", "action", "zone", "form", "total_weighted_min", "by", "detail")


@admin.register(LotExposure)
class LotExposureAdmin(ReadOnlyAdmin):
    """The exposure history of a lot: its account, open periods and events, in one page."""

    list_display = (
        "unit",
        "zone",
        "form",
        "accrued_weighted_min",
        "budget_figure",
        "state",
        "warned_at",
        "hold",
    )
    list_select_related = ("unit", "zone", "budget", "hold")
    search_fields = ("unit__identifier",)
    raw_id_fields = ("unit", "hold")
    inlines = [ExposurePeriodInline, ExposureEventInline]

    @admin.display(description="budget (weighted min)")
    def budget_figure(self, account: LotExposure) -> float:
        return account.budget.budget_weighted_min

    @admin.display(description="state")
    def state(self, account: LotExposure) -> str:
        return exposure_state(account)


@admin.register(PressureProfile)
class PressureProfileAdmin(ReadOnlyAdmin):
    list_display = (
        "unit",
        "station",
        "ended_at",
        "readings",
        "threshold_mpa",
        "time_at_pressure_s",
        "peak_pressure_mpa",
        "min_pressure_mpa",
        "peak_temperature_c",
        "plc_hold_time_s",
    )
    list_filter = ("station",)
    list_select_related = ("unit", "station")
    search_fields = ("unit__identifier",)
    raw_id_fields = ("unit", "operation")
    date_hierarchy = "ended_at"
