"""Operations: a unit at a station for a route step, from start to completion with a result."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lines.choices import OperationResult


class Operation(models.Model):
    """A unit worked at a station for one step. Open while `completed_at` is null.

    The database holds the two rules that races could break: one open operation per unit, and a
    completed operation has a result and does not end before it started.
    """

    unit = models.ForeignKey("lines.Unit", on_delete=models.PROTECT, related_name="operations")
    station = models.ForeignKey(
        "lines.Station", on_delete=models.PROTECT, related_name="operations"
    )
    step = models.ForeignKey(
        "lines.RouteStep",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operations",
    )
    started_at = models.DateTimeField(db_index=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.CharField(max_length=10, choices=OperationResult.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["station", "started_at"], name="operation_station_time_idx"),
            # OEE counts what a station finished in a window (oee/selectors/machine_time.py).
            models.Index(fields=["station", "completed_at"], name="operation_station_done_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(completed_at__isnull=True),
                name="operation_one_open_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, result="")
                | (Q(completed_at__gte=models.F("started_at")) & ~Q(result="")),
                name="operation_completion_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}@{self.station_id}"

    @property
    def is_open(self) -> bool:
        return self.completed_at is None
