"""Output serializers of the quality API: specs, flags, holds, dispositions, NCRs, gates, audit.

As in lines.api.serializers, related objects appear by code or identifier (units by identifier,
stations and routes by code, users by username); quality records, which have no code, by id.
One serializer per record for list and detail alike, so each choice set (a flag's state, a
hold's state) is one enum of the OpenAPI schema.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lines.api.serializers import StepRefSerializer, code_of
from lines.models import Recipe
from quality.models import (
    AuditEntry,
    Disposition,
    Flag,
    GateRequirement,
    Hold,
    Ncr,
    Signature,
    Spec,
    SpecVersion,
)


class SpecVersionSerializer(serializers.ModelSerializer):
    created_by = code_of("username", allow_null=True)

    class Meta:
        model = SpecVersion
        fields = [
            "id",
            "version",
            "target",
            "lsl",
            "usl",
            "lcl",
            "ucl",
            "valid_from",
            "created_by",
            "reason",
        ]


class RecipeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recipe
        fields = ["code", "version"]


class SpecSerializer(serializers.ModelSerializer):
    """A spec with its current version (the newest); give it specs with `versions` prefetched."""

    station = code_of(allow_null=True)
    recipe = RecipeRefSerializer(read_only=True, allow_null=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = Spec
        fields = [
            "id",
            "parameter",
            "unit_of_measure",
            "station_kind",
            "station",
            "recipe",
            "severity",
            "holds_on_violation",
            "spc_holds",
            "nelson_rules",
            "description",
            "current",
        ]

    @extend_schema_field(SpecVersionSerializer)
    def get_current(self, spec: Spec) -> dict | None:
        newest = max(spec.versions.all(), key=lambda version: version.version, default=None)
        return None if newest is None else SpecVersionSerializer(newest).data


class SpecDetailSerializer(SpecSerializer):
    """A spec with every version, newest first."""

    versions = SpecVersionSerializer(many=True, read_only=True)

    class Meta(SpecSerializer.Meta):
        fields = [*SpecSerializer.Meta.fields, "versions"]


class SpecVersionRefSerializer(serializers.ModelSerializer):
    """The spec version a flag was judged against."""

    class Meta:
        model = SpecVersion
        fields = ["id", "spec", "version", "target", "lsl", "usl", "lcl", "ucl"]


class FlagSerializer(serializers.ModelSerializer):
    """A flag; give it flags annotated with `derived_flag_count`."""

    unit = code_of("identifier", allow_null=True)
    station = code_of()
    spec_version = SpecVersionRefSerializer(read_only=True, allow_null=True)
    position_from = serializers.FloatField(
        source="position_from_m", read_only=True, allow_null=True
    )
    position_to = serializers.FloatField(source="position_to_m", read_only=True, allow_null=True)
    sample_ids = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="The first samples behind it."
    )
    derived_flag_count = serializers.IntegerField(
        read_only=True, help_text="Flags raised on units built from this flag's roll segment."
    )

    class Meta:
        model = Flag
        fields = [
            "id",
            "kind",
            "state",
            "severity",
            "unit",
            "station",
            "parameter",
            "value",
            "limit",
            "detail",
            "spec_version",
            "position_from",
            "position_to",
            "source_flag",
            "derived_flag_count",
            "sample_ids",
            "raised_at",
        ]


class HoldMemberRefSerializer(serializers.Serializer):
    """A unit a hold reaches, as the hold shows its first members."""

    identifier = serializers.CharField(source="unit.identifier")
    kind = serializers.CharField(source="unit.kind")
    status = serializers.CharField(source="unit.status")


class HoldSerializer(serializers.ModelSerializer):
    """A hold; give it holds annotated with `member_count` and with `first_members` prefetched."""

    unit = code_of("identifier")
    placed_by = code_of("username", allow_null=True)
    member_count = serializers.IntegerField(read_only=True)
    first_members = HoldMemberRefSerializer(
        many=True, read_only=True, help_text="The first members; all of them at members/."
    )

    class Meta:
        model = Hold
        fields = [
            "id",
            "unit",
            "reason",
            "reason_code",
            "reason_params",
            "state",
            "flag",
            "placed_by",
            "placed_at",
            "released_at",
            "member_count",
            "first_members",
        ]


class SignatureSerializer(serializers.ModelSerializer):
    signer = code_of("username")

    class Meta:
        model = Signature
        fields = ["signer", "signed_at", "meaning", "reason", "content_hash"]


class DispositionSerializer(serializers.ModelSerializer):
    """A disposition with its signature; `intact` is set on each one by the view."""

    signature = SignatureSerializer(read_only=True)
    intact = serializers.BooleanField(
        read_only=True,
        help_text="False when it, its subject or its signature changed after signing.",
    )

    class Meta:
        model = Disposition
        fields = ["id", "decision", "reason", "hold", "flag", "decided_at", "signature", "intact"]


class NcrSerializer(serializers.ModelSerializer):
    flags: "serializers.PrimaryKeyRelatedField[Flag]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    units = code_of("identifier", many=True)
    created_by = code_of("username", allow_null=True)

    class Meta:
        model = Ncr
        fields = [
            "id",
            "code",
            "title",
            "description",
            "state",
            "flags",
            "units",
            "created_by",
            "created_at",
            "closed_at",
        ]


class GateSerializer(serializers.ModelSerializer):
    route = serializers.CharField(source="step.route.code", read_only=True)
    step = StepRefSerializer(read_only=True)
    parameter = serializers.CharField(source="spec.parameter", read_only=True)

    class Meta:
        model = GateRequirement
        fields = ["id", "route", "step", "spec", "parameter"]


class AuditProblemSerializer(serializers.Serializer):
    record = serializers.CharField()
    field = serializers.CharField()
    why = serializers.CharField()


class AuditVerifySerializer(serializers.Serializer):
    """The schema of GET /audit/verify/ (quality.selectors.audit_verify.AuditReport)."""

    intact = serializers.BooleanField()
    first_broken = AuditProblemSerializer(allow_null=True)
    problems = AuditProblemSerializer(many=True)
    more_problems = serializers.IntegerField()
    checked = serializers.DictField(child=serializers.IntegerField())
    heads = serializers.DictField()


class AuditEntrySerializer(serializers.ModelSerializer):
    by = code_of("username", allow_null=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "by", "entity", "entity_id", "action", "before", "after", "reason"]
