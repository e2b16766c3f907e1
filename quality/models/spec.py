"""Specs: the limits of a station parameter, per station kind or station and optionally per recipe."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lines.choices import StationKind
from quality.choices import Severity


class Spec(models.Model):
    """What is specified: a parameter at a station kind (or one station), optionally for one recipe.

    The limits live in versions (SpecVersion): a change never edits a version, it adds one that
    applies from its `valid_from` on. `holds_on_violation` says whether an out-of-spec value puts
    the unit on hold; `nelson_rules` turns on SPC rules 5-8 besides Western Electric 1-4.
    """

    parameter = models.CharField(max_length=64)
    unit_of_measure = models.CharField(max_length=16)
    station_kind = models.CharField(max_length=20, choices=StationKind.choices)
    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, null=True, blank=True)
    recipe = models.ForeignKey("lines.Recipe", on_delete=models.PROTECT, null=True, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    holds_on_violation = models.BooleanField(default=True)
    spc_holds = models.BooleanField(default=False)
    nelson_rules = models.BooleanField(default=False)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["station_kind", "parameter"]
        constraints = [
            models.UniqueConstraint(
                fields=["parameter", "station_kind", "station", "recipe"],
                nulls_distinct=False,
                name="spec_scope_unique",
            ),
        ]

    def __str__(self) -> str:
        scope = self.station.code if self.station is not None else self.station_kind
        return f"{scope}/{self.parameter}"


class SpecVersion(models.Model):
    """One immutable set of limits of a spec. Either limit may be open (null)."""

    spec = models.ForeignKey(Spec, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    target = models.FloatField(null=True, blank=True)
    lsl = models.FloatField(null=True, blank=True)
    usl = models.FloatField(null=True, blank=True)
    lcl = models.FloatField(null=True, blank=True)
    ucl = models.FloatField(null=True, blank=True)
    valid_from = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        ordering = ["spec", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["spec", "version"], name="specversion_unique"),
            models.CheckConstraint(
                condition=Q(lsl__isnull=True) | Q(usl__isnull=True) | Q(lsl__lte=F("usl")),
                name="specversion_lsl_not_above_usl",
            ),
            models.CheckConstraint(
                condition=~Q(lsl__isnull=True, usl__isnull=True), name="specversion_has_a_limit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spec} v{self.version}"
