"""The shell's own records: operators' badge sign-in and language, and receipts of screen forms."""

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models


class OperatorProfile(models.Model):
    """A person's shop-floor sign-in: badge number and PIN (hashed with Django's password
    hashers, never stored as typed), and the language the screens speak to them.

    A badge is scanned at the tablet, so the number is unique; the PIN proves the badge's holder.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_profile"
    )
    badge_number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    pin_hash = models.CharField(max_length=128, blank=True)
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text="Empty: the browser's language.",
    )

    class Meta:
        ordering = ["badge_number"]

    def __str__(self) -> str:
        return self.badge_number or str(self.user)

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)

    def check_pin(self, pin: str) -> bool:
        return bool(self.pin_hash) and check_password(pin, self.pin_hash)


class SubmissionReceipt(models.Model):
    """The outcome of one screen form, by the form's idempotency key.

    A form carries a fresh UUID; the first request with it applies the action and stores what
    happened here, in the same transaction. A repeat (a double tap, a resend after the network
    dropped the answer) finds the receipt and gets the same outcome without applying anything.
    """

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=64, blank=True)  # the unit identifier acted on
    ok = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    # Applied but needing attention (the screen shows it as a warning, not a confirmation).
    warning = models.BooleanField(default=False)
    field = models.CharField(max_length=64, blank=True)  # the input a refusal blames
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.key}"


class CredentialLock(models.Model):
    """The attempts at one short secret that a lockout counts (today: a badge's PIN), one row
    per credential so that the count is taken under a row lock.

    An attempt is counted *before* its secret is checked and refused once the count reached the
    limit: forty parallel attempts queue on the row and only the first `limit` are checked. A
    count read first and written after the check let all forty read "no failures yet" (issue #19).
    A right secret deletes the row; a row also ends when its cool-off passes. The key is the
    credential as typed (`badge:<number>`), not a foreign key, so that an unknown badge is
    counted like a known one and the lockout does not tell which badges exist.
    """

    key = models.CharField(max_length=80, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
