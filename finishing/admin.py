"""Admin for cell finishing: read-only. Schemes and grades change through the finishing services
(audited), never by editing rows here."""

from django.contrib import admin

from finishing.models import CellGrade, GradingScheme, PassportProfile
from lines.admin import ReadOnlyAdmin


@admin.register(GradingScheme)
class GradingSchemeAdmin(ReadOnlyAdmin):
    list_display = ("code", "product", "ocv_window_mv", "k_max_mv_day", "required_at_eol")


@admin.register(CellGrade)
class CellGradeAdmin(ReadOnlyAdmin):
    list_display = ("unit", "grade", "batch", "k_mv_day", "ocv_deviation_mv", "graded_at")
    list_filter = ("grade",)
    search_fields = ("unit__identifier", "batch")
    list_select_related = ("unit",)
    raw_id_fields = ("unit",)


@admin.register(PassportProfile)
class PassportProfileAdmin(ReadOnlyAdmin):
    list_display = ("product", "manufacturer_name", "chemistry", "rated_capacity_ah", "gtin")
