"""Why a station stopped: the reason tree and who assigned which reason to which stop."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class DowntimeReason(models.Model):
    """One node of the reason tree (two or three levels: e.g. Mechanical > Stacker > Jam)."""

    code = models.SlugField(max_length=40, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=120, help_text=_("In English"))
    name_zh = models.CharField(max_length=120, blank=True, help_text=_("In Simplified Chinese"))
    # Station kinds the reason is offered at, comma-separated; blank: every kind.
    station_kinds = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        """The name in the reader's language (Chinese when it has one)."""
        language = get_language() or ""
        return self.name_zh if language.lower().startswith("zh") and self.name_zh else self.name


class PlcStopCode(models.Model):
    """A PLC's own stop-reason code, as a node of the tree: such stops need no operator."""

    station_kind = models.CharField(max_length=20)
    plc_code = models.CharField(max_length=64)
    reason = models.ForeignKey(DowntimeReason, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["station_kind", "plc_code"], name="oee_plc_stop_code_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_kind}:{self.plc_code}->{self.reason_id}"


class StopAssignment(models.Model):
    """A person's reason for [start, end) of a station's stop. Never edited: a new assignment
    supersedes the ones it overlaps (their uncovered parts are kept as pieces), so every
    assignment ever made stays readable with who made it and when."""

    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.ForeignKey(DowntimeReason, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField()
    # Given while the stop still ran: `end` is the moment it was given, and the reason holds on
    # until the stop ends (or a later assignment in the same stop starts).
    until_stop_end = models.BooleanField(default=False)
    superseded_at = models.DateTimeField(null=True, blank=True)
    piece_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["station", "start"],
                name="oee_assignment_current",
                condition=models.Q(superseded_at__isnull=True),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="oee_assignment_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.start:%Y-%m-%d %H:%M}: {self.reason_id}"
