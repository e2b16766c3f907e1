"""Non-conformance reports: several flags and units investigated and closed together."""

from django.conf import settings
from django.db import models

from quality.choices import NcrState


class Ncr(models.Model):
    """A non-conformance report grouping flags and the units they concern."""

    code = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=NcrState.choices, default=NcrState.OPEN)
    flags = models.ManyToManyField("quality.Flag", related_name="ncrs", blank=True)
    units = models.ManyToManyField("lines.Unit", related_name="ncrs", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "NCR"

    def __str__(self) -> str:
        return self.code
