"""What the PLCs said about their machines, as the ingest stored it (docs/oee.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from oee.states import STOPPED, Category


class StateCategory(models.TextChoices):
    RUNNING = Category.RUNNING, _("running")
    IDLE = Category.IDLE, _("idle (starved or blocked)")
    DOWN = Category.DOWN, _("down")
    STOPPED_ = STOPPED, _("stopped")
    PLANNED_STOP = Category.PLANNED_STOP, _("planned stop")
    SETUP = Category.SETUP, _("setup or changeover")
    NO_DATA = Category.NO_DATA, _("no data")
    UNMAPPED = Category.UNMAPPED, _("unmapped")


class StateChange(models.Model):
    """One state a station's PLC reported, at its source time. Kept as reported (intervals are
    tiled on reading), so a late or repeated batch changes nothing it should not."""

    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    category = models.CharField(max_length=16, choices=StateCategory.choices)
    plc_state = models.CharField(max_length=64)  # what the PLC said, as text

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station", "at", "plc_state"], name="oee_state_change_once"
            ),
        ]
        indexes = [models.Index(fields=["station", "at"], name="oee_state_station_at")]

    def __str__(self) -> str:
        return f"{self.station_id}@{self.at:%Y-%m-%d %H:%M:%S}={self.plc_state}"


class StopReasonReport(models.Model):
    """The PLC's own stop-reason code, when it changed."""

    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    code = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "at", "code"], name="oee_stop_reason_once"),
        ]
        indexes = [models.Index(fields=["station", "at"], name="oee_reason_station_at")]

    def __str__(self) -> str:
        return f"{self.station_id}@{self.at:%Y-%m-%d %H:%M:%S}:{self.code}"


class StateOverride(models.Model):
    """A station's own meaning of a state value, over the built-in PackML / OPC 40001 tables."""

    station = models.ForeignKey("lines.Station", on_delete=models.CASCADE, related_name="+")
    plc_state = models.CharField(max_length=64, help_text=_("The PLC's value, as text: 7, JAM"))
    category = models.CharField(max_length=16, choices=StateCategory.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "plc_state"], name="oee_override_once"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.plc_state}->{self.category}"


class IdealCycle(models.Model):
    """The fastest a station kind makes one unit of a product (all products when blank)."""

    station_kind = models.CharField(max_length=20)
    product = models.ForeignKey(
        "lines.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    seconds = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station_kind", "product"],
                condition=models.Q(product__isnull=False),
                name="oee_ideal_cycle_once",
            ),
            models.UniqueConstraint(
                fields=["station_kind"],
                condition=models.Q(product__isnull=True),
                name="oee_ideal_cycle_kind_once",
            ),
            models.CheckConstraint(condition=models.Q(seconds__gt=0), name="oee_ideal_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.station_kind}/{self.product_id or '*'}: {self.seconds} s"
