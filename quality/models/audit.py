"""The audit trail of quality records: append-only, readable in the API and the admin."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who changed which quality record when, from what to what, and why.

    Unit status changes are audited in lines.UnitHistory; this holds specs, flags, holds,
    dispositions, signatures and NCRs. Nothing in the app updates or deletes a row, and on
    PostgreSQL a trigger refuses it (migration quality 0002). Triggers do not stop the database
    owner, so each row is also sealed: `seq` is its place in one chain, `mac` an HMAC (with the
    key `key_id`, held outside the database) over every field and over the previous row's mac
    (`prev_mac`), so an edited, forged or deleted row breaks the chain (quality.audit_chain).
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
    # Null only on a row that was never sealed: audit_verify reports it.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    key_id = models.CharField(max_length=16, blank=True)
    prev_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id"], name="audit_entity_idx")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.by} {self.action} {self.entity}:{self.entity_id}"


class ChainHead(models.Model):
    """The last link of a sealed chain ("audit", "signature"): its seq and mac.

    Every append locks this row (select_for_update), so two writers never take the same seq and
    the chain does not fork; and it tells audit_verify where the chain ends, so rows deleted from
    the end are missed. It is one row per chain, updated in place; nothing deletes it.
    """

    chain = models.CharField(max_length=16, primary_key=True)
    seq = models.BigIntegerField(default=0)
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.chain} #{self.seq}"
