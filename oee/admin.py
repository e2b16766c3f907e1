"""Admin of machine time: the reason tree and PLC codes, state overrides, ideal cycle times and
the shift calendar are edited here; state changes and assignments are read only (the ingest and
the station screens write them)."""

from typing import Any

from django import forms
from django.contrib import admin

from lines.admin import ReadOnlyAdmin
from mes.errors import InvalidInput
from oee.models import (
    DayOff,
    DowntimeReason,
    IdealCycle,
    LineClock,
    PlcStopCode,
    ShiftPattern,
    StateChange,
    StateOverride,
    StopAssignment,
)
from oee.services.calendar import shift_pattern_check


@admin.register(DowntimeReason)
class DowntimeReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "parent", "name", "name_zh", "station_kinds", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "name_zh")


@admin.register(PlcStopCode)
class PlcStopCodeAdmin(admin.ModelAdmin):
    list_display = ("station_kind", "plc_code", "reason")


@admin.register(StateOverride)
class StateOverrideAdmin(admin.ModelAdmin):
    list_display = ("station", "plc_state", "category")


@admin.register(IdealCycle)
class IdealCycleAdmin(admin.ModelAdmin):
    list_display = ("station_kind", "product", "seconds")


@admin.register(LineClock)
class LineClockAdmin(admin.ModelAdmin):
    list_display = ("line", "time_zone", "micro_stop_s")


class ShiftPatternForm(forms.ModelForm):
    class Meta:
        model = ShiftPattern
        fields = ["line", "name", "start", "hours", "weekdays", "breaks"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            shift_pattern_check(
                line=data["line"],
                name=data["name"],
                start=data["start"],
                hours=data["hours"],
                weekdays=data["weekdays"],
                breaks=data.get("breaks") or [],
                pk=self.instance.pk,
            )
        except InvalidInput as refused:
            raise forms.ValidationError({refused.field or "start": refused.message}) from refused
        return data


@admin.register(ShiftPattern)
class ShiftPatternAdmin(admin.ModelAdmin):
    form = ShiftPatternForm
    list_display = ("line", "name", "start", "hours", "weekdays")


@admin.register(DayOff)
class DayOffAdmin(admin.ModelAdmin):
    list_display = ("line", "day", "note")


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdmin):
    list_display = ("station", "at", "plc_state", "category")
    list_filter = ("category",)


@admin.register(StopAssignment)
class StopAssignmentAdmin(ReadOnlyAdmin):
    list_display = (
        "station",
        "start",
        "end",
        "reason",
        "assigned_by",
        "assigned_at",
        "superseded_at",
    )
