"""The audit trail of quality records: append-only, readable in the API and the admin."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who changed which quality record when, from what to what, and why.

    Unit status changes are audited in lines.UnitHistory; this holds specs, flags, holds,
    dispositions, signatures and NCRs. Nothing in the app updates or deletes a row, and on
    PostgreSQL a trigger refuses it (migration quality 0002).
    """

    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entity = models.CharField(max_length=32)
    entity_id = models.BigIntegerField()
    action = models.CharField(max_length=32)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id"], name="audit_entity_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.by} {self.action} {self.entity}:{self.entity_id}"
