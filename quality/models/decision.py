"""Electronic signatures and the dispositions they sign."""

from django.conf import settings
from django.db import models

from quality.choices import Decision


class Signature(models.Model):
    """A user's signature on a record: who, when, what it means, why, and a hash of what was signed.

    `content` is the canonical JSON of the signed record at signing time and `content_hash` its
    SHA-256; recomputing the record's canonical JSON later and comparing hashes detects any change
    made to it after signing (quality.services.signatures.signature_intact). A plain hash can be
    recomputed by whoever edits the row, so the row is also sealed like an audit entry: `seq`,
    `key_id`, `prev_mac` and `mac`, an HMAC over every column and the previous signature's mac
    (quality.audit_chain).
    """

    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    meaning = models.CharField(max_length=120)
    reason = models.TextField()
    record_type = models.CharField(max_length=32)
    record_id = models.BigIntegerField()
    content = models.TextField()
    content_hash = models.CharField(max_length=64)
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    key_id = models.CharField(max_length=16, blank=True)
    prev_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="signature_record_idx")]

    def __str__(self) -> str:
        return f"{self.signer} {self.meaning} {self.record_type}:{self.record_id}"


class Disposition(models.Model):
    """A signed decision on a hold or a flag: release, rework, scrap or use as is."""

    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField()
    hold = models.ForeignKey(
        "quality.Hold", on_delete=models.PROTECT, null=True, blank=True, related_name="dispositions"
    )
    flag = models.ForeignKey(
        "quality.Flag", on_delete=models.PROTECT, null=True, blank=True, related_name="dispositions"
    )
    signature = models.OneToOneField(
        Signature, on_delete=models.PROTECT, related_name="disposition"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hold__isnull=False) | models.Q(flag__isnull=False),
                name="disposition_has_subject",
            ),
            # One signed decision per subject, whatever reaches the table: two signers racing
            # past the service's row lock (or a script going around it) cannot both store one.
            models.UniqueConstraint(
                fields=["flag"],
                condition=models.Q(flag__isnull=False),
                name="disposition_one_per_flag",
            ),
            models.UniqueConstraint(
                fields=["hold"],
                condition=models.Q(hold__isnull=False),
                name="disposition_one_per_hold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.signature.signer})"
