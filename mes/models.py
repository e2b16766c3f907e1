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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.key}"
