"""SPC baselines: the Phase I period whose readings set a control chart's limits."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class SpcBaseline(models.Model):
    """The control limits of one chart (a station's parameter), fixed from a chosen period.

    A quality engineer picks a period when the process ran in control (Phase I); its readings give
    the centre line and sigma (of single readings, MR-bar / d2), and every later window is judged
    against them (Phase II) instead of against limits computed from itself. A new choice adds a
    version, never edits one: the latest version is the chart's, and the older ones say what the
    limits were when a past flag was raised. Who set it, when and why is here and in the audit trail.
    """

    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    parameter = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    period_from = models.DateTimeField()
    period_to = models.DateTimeField()
    readings = models.PositiveIntegerField()
    center = models.FloatField()
    sigma = models.FloatField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["station", "parameter", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "parameter", "version"], name="spcbaseline_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(period_from__lt=F("period_to")), name="spcbaseline_period_forward"
            ),
            models.CheckConstraint(
                condition=Q(sigma__gte=0), name="spcbaseline_sigma_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}/{self.parameter} baseline v{self.version}"
