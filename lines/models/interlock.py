"""Interlocks: every answer the MES gave a PLC that asked before (check-in) or after (check-out)
working a unit, with the reason, so a refused cell can be explained at the station and later."""

from django.db import models


class InterlockSide(models.TextChoices):
    CHECKIN = "checkin", "Check-in"
    CHECKOUT = "checkout", "Check-out"


class InterlockCode(models.IntegerChoices):
    """The answer the PLC reads; it treats anything but OK as NOK (docs/integration-guide.md)."""

    OK = 1, "OK"
    NOT_WORKABLE = 2, "Refused: on hold, scrapped or finished"
    REFUSED = 3, "Refused by a rule (route, open operation, gate)"
    UNKNOWN = 4, "Unknown or invalid serial"
    UNDECIDED = 9, "The MES could not decide"


class InterlockState(models.TextChoices):
    DECIDED = "decided", "Decided, answer not yet confirmed written"
    ANSWERED = "answered", "Answer written to the PLC"
    ABANDONED = "abandoned", "The PLC dropped its request before the answer"


class Interlock(models.Model):
    """One handshake's decision: station, serial, side, code and why, and how long it took.

    `handshake_id` names the PLC's request (station, side, serial and the request's source time):
    a request the bridge asks about again, after a reconnect or a restart, finds its decision here
    and gets the same answer without anything being done twice. `reason_code` and `reason_params`
    are rendered in the reader's language (lines.interlocks.reason_text); a service refusal's
    message is kept in both languages in the params.
    """

    handshake_id = models.CharField(max_length=64, unique=True)
    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=8, choices=InterlockSide.choices)
    serial = models.CharField(max_length=255, blank=True)  # as the PLC sent it (cut at 255)
    unit = models.ForeignKey(
        "lines.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="interlocks"
    )
    operation = models.ForeignKey(
        "lines.Operation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plc_result = models.PositiveSmallIntegerField(
        null=True, blank=True
    )  # check-out: 1 pass, 2 fail
    code = models.PositiveSmallIntegerField(choices=InterlockCode.choices)
    reason_code = models.CharField(max_length=32)
    reason_params = models.JSONField(default=dict, blank=True)
    samples = models.PositiveIntegerField(default=0)  # check-out values stored
    requested_at = models.DateTimeField()  # the request's rising edge, PLC source time
    decided_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)  # done=true written, bridge time
    answer_ms = models.PositiveIntegerField(null=True, blank=True)  # request edge -> done written
    state = models.CharField(
        max_length=10, choices=InterlockState.choices, default=InterlockState.DECIDED
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["station", "decided_at"], name="interlock_station_time_idx"),
            models.Index(fields=["unit", "decided_at"], name="interlock_unit_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__in=[1, 2, 3, 4, 9]), name="interlock_code_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(side__in=["checkin", "checkout"]), name="interlock_side_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.side} {self.serial} -> {self.code}"
