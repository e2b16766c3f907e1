"""Telemetry: every value a PLC or an operator reported for a station parameter, kept as received."""

from django.conf import settings
from django.db import models


class SampleSource(models.TextChoices):
    PLC = "plc", "PLC (OPC UA)"
    MANUAL = "manual", "Manual measurement"


class Sample(models.Model):
    """One reported value: station, parameter, value, source time, OPC UA status, and attribution.

    `unit` is the unit the value belongs to (the cell in the station at `source_time`, or the roll on
    a roll station, with `position_m` its web position). A value that cannot be used (bad status,
    NaN, unparseable, unknown tag) is still stored, with `rejected_reason` saying why; `value` is
    then null when nothing numeric was received. Written in bulk by the ingest; never updated.
    """

    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    parameter = models.CharField(max_length=64)
    value = models.FloatField(null=True, blank=True)
    source_time = models.DateTimeField()
    server_time = models.DateTimeField()
    status_code = models.BigIntegerField(default=0)  # OPC UA StatusCode; 0 is Good
    unit = models.ForeignKey(
        "lines.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="samples"
    )
    position_m = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=SampleSource.choices, default=SampleSource.PLC)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-source_time", "-id"]
        indexes = [
            models.Index(fields=["station", "parameter", "source_time"], name="sample_series_idx"),
            models.Index(fields=["unit", "parameter"], name="sample_unit_param_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}/{self.parameter}={self.value}"
