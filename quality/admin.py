"""Admin for the quality records: read-only. Specs, holds and dispositions change through the
quality services (versioned, signed, audited), never by editing rows here."""

from django.contrib import admin

from lines.admin import ReadOnlyAdmin, ReadOnlyInline
from quality.models import (
    AuditEntry,
    Disposition,
    Flag,
    GateRequirement,
    Hold,
    HoldMember,
    Ncr,
    Signature,
    Spec,
    SpecVersion,
)


class SpecVersionInline(ReadOnlyInline):
    model = SpecVersion
    fields = ("version", "target", "lsl", "usl", "lcl", "ucl", "valid_from", "created_by", "reason")


@admin.register(Spec)
class SpecAdmin(ReadOnlyAdmin):
    list_display = (
        "parameter",
        "station_kind",
        "station",
        "recipe",
        "unit_of_measure",
        "severity",
        "holds_on_violation",
    )
    list_filter = ("station_kind", "severity", "holds_on_violation")
    search_fields = ("parameter", "description")
    inlines = [SpecVersionInline]


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "raised_at",
        "kind",
        "state",
        "severity",
        "unit",
        "station",
        "parameter",
        "value",
        "limit",
        "position_from_m",
        "position_to_m",
    )
    list_filter = ("kind", "state", "severity", "station")
    search_fields = ("unit__identifier", "parameter")
    list_select_related = ("unit", "station")
    raw_id_fields = ("unit", "source_flag", "spec_version")
    date_hierarchy = "raised_at"


class HoldMemberInline(ReadOnlyInline):
    model = HoldMember
    fields = ("unit",)
    raw_id_fields = ("unit",)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("id", "placed_at", "unit", "state", "reason", "placed_by", "released_at")
    list_filter = ("state",)
    search_fields = ("unit__identifier", "reason")
    list_select_related = ("unit", "placed_by")
    raw_id_fields = ("unit", "flag")


@admin.register(Disposition)
class DispositionAdmin(ReadOnlyAdmin):
    list_display = ("id", "decided_at", "decision", "hold", "flag", "signature")
    list_filter = ("decision",)


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "signed_at",
        "signer",
        "meaning",
        "record_type",
        "record_id",
        "content_hash",
    )
    search_fields = ("signer__username", "meaning")


@admin.register(Ncr)
class NcrAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "state", "created_by", "created_at", "closed_at")
    list_filter = ("state",)
    search_fields = ("code", "title")


@admin.register(GateRequirement)
class GateRequirementAdmin(ReadOnlyAdmin):
    list_display = ("step", "spec")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "by", "entity", "entity_id", "action", "reason")
    list_filter = ("entity", "action")
    search_fields = ("reason", "entity")
    date_hierarchy = "at"
