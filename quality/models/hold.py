"""Holds: a unit and every descendant stopped until a quality engineer signs a disposition."""

from django.conf import settings
from django.db import models

from quality.choices import HoldState
from quality.reasons import reason_text


class Hold(models.Model):
    """A hold placed on `unit` for a reason; its members are the unit and all its descendants,
    including descendants made later from a held parent under a quality override."""

    unit = models.ForeignKey("lines.Unit", on_delete=models.PROTECT, related_name="holds")
    reason = models.TextField()  # as written, in English for a system reason (the audit record)
    # A reason the system wrote, by code (quality.reasons.REASONS) and parameters, so a screen
    # shows it in the reader's language; blank for a reason a person typed and for older rows.
    reason_code = models.CharField(max_length=40, blank=True, default="")
    reason_params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=HoldState.choices, default=HoldState.ACTIVE)
    flag = models.ForeignKey(
        "quality.Flag", on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    placed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state=HoldState.ACTIVE, released_at__isnull=True)
                | models.Q(state=HoldState.RELEASED, released_at__isnull=False),
                name="hold_released_at_iff_released",
            ),
            # One active hold per cause: a flag's hold, or (without a flag) a unit held for one
            # reason. Asking again returns that hold (quality.services.hold_place_once).
            models.UniqueConstraint(
                fields=["flag"],
                condition=models.Q(state=HoldState.ACTIVE, flag__isnull=False),
                name="hold_one_active_per_flag",
            ),
            models.UniqueConstraint(
                fields=["unit", "reason"],
                condition=models.Q(state=HoldState.ACTIVE, flag__isnull=True),
                name="hold_one_active_per_unit_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold {self.pk} on {self.unit_id}"

    @property
    def reason_shown(self) -> str:
        """The reason in the active language when the system wrote it, else as it was typed."""
        return reason_text(stored=self.reason, code=self.reason_code, params=self.reason_params)


class HoldMember(models.Model):
    """A unit that a hold reaches. A unit is held while it is a member of any active hold."""

    # No single-column indexes: holdmember_unique leads with hold, holdmember_unit_idx with unit
    # (a hold writes 50,000 members at once: each index more is 50,000 entries more).
    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, related_name="members", db_index=False)
    unit = models.ForeignKey(
        "lines.Unit", on_delete=models.PROTECT, related_name="hold_memberships", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hold", "unit"], name="holdmember_unique"),
        ]
        indexes = [models.Index(fields=["unit", "hold"], name="holdmember_unit_idx")]

    def __str__(self) -> str:
        return f"{self.hold_id}:{self.unit_id}"
