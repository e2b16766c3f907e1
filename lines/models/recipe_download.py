"""Recipe downloads: the audit of every set-point write the MES made to a station's PLC."""

from django.conf import settings
from django.db import models


class RecipeDownload(models.Model):
    """Who downloaded which recipe version to which station, when, and what the PLC read back.

    `setpoints` holds one entry per set-point tag: parameter, node id, the value written, the
    value read back and whether they agree. A download that failed is recorded too (`ok` false,
    `error` why), with only the writes the PLC confirmed: nothing is reported written that was not.
    A download the MES made by itself names the check-in that caused it (`checkin`, `by` empty).
    """

    station = models.ForeignKey("lines.Station", on_delete=models.PROTECT, related_name="+")
    recipe = models.ForeignKey("lines.Recipe", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    ok = models.BooleanField()
    setpoints = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    # Set when the MES downloaded by itself: the check-in of a work order's first unit at the
    # station (lines.services.recipes.recipe_download_after_checkin); null for a download asked for.
    checkin = models.ForeignKey(
        "lines.Interlock", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.recipe} -> {self.station_id}"
