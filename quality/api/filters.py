"""Query filters of the quality list endpoints. Related objects are named by code or identifier.

Time ranges are half-open, as in lines.api.filters: `*_after` includes the instant given,
`*_before` excludes it. Times are ISO 8601 with an offset (or Z).
"""

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from lines.api.filters import IsoDateTimeFilter, WholeNumberFilter, id_filter
from lines.choices import StationKind
from lines.models import Station
from mes.numbers import BIGINT_MAX
from quality.choices import Decision, FlagKind, FlagState, HoldState, NcrState, Severity
from quality.models import (
    AuditEntry,
    Disposition,
    Flag,
    GateRequirement,
    Hold,
    HoldMember,
    Ncr,
    Spec,
)


def _code(field_name: str, label: str) -> filters.CharFilter:
    return filters.CharFilter(field_name=field_name, label=label)


def _after(field_name: str, label: str) -> IsoDateTimeFilter:
    return IsoDateTimeFilter(field_name=field_name, lookup_expr="gte", label=label)


def _before(field_name: str, label: str) -> IsoDateTimeFilter:
    return IsoDateTimeFilter(field_name=field_name, lookup_expr="lt", label=label)


class SpecFilter(filters.FilterSet):
    station_kind = filters.ChoiceFilter(choices=StationKind.choices)
    station = filters.CharFilter(
        method="applying_at",
        label="Station code: the specs that apply there (its own and its station kind's).",
    )
    parameter = filters.CharFilter()

    class Meta:
        model = Spec
        fields = ["station_kind", "station", "parameter"]

    def applying_at(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        station = Station.objects.filter(code=value).first()
        if station is None:
            return queryset.none()
        return queryset.filter(
            Q(station=station) | Q(station__isnull=True, station_kind=station.kind)
        )


class FlagFilter(filters.FilterSet):
    unit = _code("unit__identifier", "Identifier of the flagged unit.")
    station = _code("station__code", "Station code.")
    parameter = filters.CharFilter()
    state = filters.ChoiceFilter(choices=FlagState.choices)
    kind = filters.ChoiceFilter(choices=FlagKind.choices)
    severity = filters.ChoiceFilter(choices=Severity.choices)
    raised_after = _after("raised_at", "Raised at or after (ISO 8601).")
    raised_before = _before("raised_at", "Raised before (ISO 8601).")

    class Meta:
        model = Flag
        fields = ["unit", "station", "parameter", "state", "kind", "severity"]


class HoldFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=HoldState.choices)
    unit = filters.CharFilter(
        method="reaching",
        label="Unit identifier: the holds placed on it or reaching it through the genealogy.",
    )

    class Meta:
        model = Hold
        fields = ["state", "unit"]

    def reaching(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A sub-select, not a join: a join on members would multiply the member counts.
        member_of = HoldMember.objects.filter(unit__identifier=value).values("hold_id")
        return queryset.filter(Q(unit__identifier=value) | Q(id__in=member_of))


class DispositionFilter(filters.FilterSet):
    decision = filters.ChoiceFilter(choices=Decision.choices)
    hold = id_filter("hold_id", "Hold id.")
    flag = id_filter("flag_id", "Flag id.")

    class Meta:
        model = Disposition
        fields = ["decision", "hold", "flag"]


class NcrFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=NcrState.choices)
    unit = filters.CharFilter(method="concerning", label="Identifier of a unit the NCR concerns.")

    class Meta:
        model = Ncr
        fields = ["state", "unit"]

    def concerning(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(units__identifier=value).distinct()


class GateFilter(filters.FilterSet):
    route = _code("step__route__code", "Route code.")
    step = WholeNumberFilter(field_name="step__sequence", label="Sequence of the route step.")
    spec = id_filter("spec_id", "Spec id.")

    class Meta:
        model = GateRequirement
        fields = ["route", "step", "spec"]


class AuditFilter(filters.FilterSet):
    entity = filters.CharFilter(label="spec_version, flag, hold, disposition, ncr, gate, ...")
    entity_id = WholeNumberFilter(min_value=0, max_value=BIGINT_MAX, label="Id of the record.")
    action = filters.CharFilter(label="created, revised, raised, placed, released, signed, ...")
    by = _code("by__username", "Username of who made the change.")
    at_after = _after("at", "At or after (ISO 8601).")
    at_before = _before("at", "Before (ISO 8601).")

    class Meta:
        model = AuditEntry
        fields = ["entity", "entity_id", "action", "by"]
