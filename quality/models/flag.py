"""Flags: out-of-spec, data-quality, SPC and missing-measurement events on a unit."""

from django.db import models

from quality.choices import FlagKind, FlagState, Severity
from quality.reasons import reason_text


class Flag(models.Model):
    """An event a quality engineer must look at: which unit, which parameter, what broke, from what.

    A flag on a roll carries the metre range it covers; flags on the cells built from that range
    point to it through `source_flag`. `sample_ids` are the lines.Sample rows behind it.
    """

    kind = models.CharField(max_length=24, choices=FlagKind.choices)
    state = models.CharField(max_length=16, choices=FlagState.choices, default=FlagState.OPEN)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MAJOR)
    unit = models.ForeignKey(
        "lines.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="flags"
    )
    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    parameter = models.CharField(max_length=64)
    value = models.FloatField(null=True, blank=True)
    limit = models.CharField(max_length=64, blank=True)  # e.g. "USL 25.5", "WE rule 2"
    spec_version = models.ForeignKey(
        "quality.SpecVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position_from_m = models.FloatField(null=True, blank=True)
    position_to_m = models.FloatField(null=True, blank=True)
    source_flag = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="derived_flags"
    )
    sample_ids = models.JSONField(default=list, blank=True)
    detail = models.TextField(blank=True)  # as written, in English (the audit record)
    # The detail by code and parameters (quality.reasons.REASONS), shown in the reader's language;
    # blank for older rows.
    detail_code = models.CharField(max_length=40, blank=True, default="")
    detail_params = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="flag_unit_state_idx"),
            models.Index(fields=["station", "parameter", "raised_at"], name="flag_series_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.parameter} on {self.unit_id}"

    @property
    def detail_shown(self) -> str:
        """The detail in the reader's language when written by code, else as stored."""
        return reason_text(stored=self.detail, code=self.detail_code, params=self.detail_params)
