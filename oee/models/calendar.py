"""A line's shift calendar (docs/oee.md, "Calendar"): wall-clock patterns in the plant's zone."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_MICRO_STOP_S = 120
MAX_MICRO_STOP_S = 900


class LineClock(models.Model):
    """The line's time zone and micro-stop threshold; a line without one uses the settings'
    TIME_ZONE and 120 s."""

    line = models.OneToOneField("lines.Line", on_delete=models.CASCADE, related_name="+")
    time_zone = models.CharField(max_length=64, default="UTC")
    # At most 15 min (oee.models.summaries.MAX_MARGIN): a longer stop is no micro-stop.
    micro_stop_s = models.PositiveIntegerField(
        default=DEFAULT_MICRO_STOP_S,
        validators=[MaxValueValidator(MAX_MICRO_STOP_S)],
        help_text=_("Stops shorter than this are speed loss, not downtime; at most 900 s"),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(micro_stop_s__lte=MAX_MICRO_STOP_S),
                name="oee_micro_stop_at_most_15_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.time_zone}"


class ShiftPattern(models.Model):
    line = models.ForeignKey("lines.Line", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=40)
    start = models.TimeField(help_text=_("Wall-clock start in the line's time zone"))
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    weekdays = models.CharField(
        max_length=7,
        default="0123456",
        help_text=_("Days the shift starts on: 0 Monday .. 6 Sunday"),
    )
    # [{"start": "10:00", "minutes": 30}, ...] wall-clock breaks inside the shift
    breaks = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "name"], name="oee_shift_name_once"),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24), name="oee_shift_hours_valid"
            ),
        ]
        ordering = ["line", "start"]

    def __str__(self) -> str:
        return f"{self.line_id}/{self.name}"


class DayOff(models.Model):
    line = models.ForeignKey("lines.Line", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "day"], name="oee_day_off_once")]

    def __str__(self) -> str:
        return f"{self.line_id}/{self.day}"
