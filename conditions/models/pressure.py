"""Pressure history per cell: the figures of its densification and formation profiles."""

from django.db import models


class PressureProfile(models.Model):
    """The figures of one cell's pressure profile at one operation (the press, the formation
    fixture), computed from the cell's stored readings when the operation has ended.

    The figures are also stored as derived samples of the cell (`derived_sample_ids`), so specs
    judge them and gates require them like any measurement. `threshold_mpa` is the pressure that
    counts as "at pressure" and `threshold_source` where it came from.
    """

    operation = models.OneToOneField(
        "lines.Operation", on_delete=models.PROTECT, related_name="pressure_profile"
    )
    unit = models.ForeignKey("lines.Unit", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    readings = models.PositiveIntegerField()
    threshold_mpa = models.FloatField(null=True, blank=True)
    threshold_source = models.CharField(max_length=64, blank=True)
    time_at_pressure_s = models.FloatField(null=True, blank=True)
    peak_pressure_mpa = models.FloatField(null=True, blank=True)
    min_pressure_mpa = models.FloatField(null=True, blank=True)
    peak_temperature_c = models.FloatField(null=True, blank=True)
    plc_hold_time_s = models.FloatField(null=True, blank=True)
    derived_sample_ids = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        db_table = "quality_pressureprofile"  # the table it had in quality/ (moved, not copied)
        ordering = ["-ended_at", "-id"]
        indexes = [models.Index(fields=["unit", "ended_at"], name="pressureprofile_unit_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.station_id} profile"
