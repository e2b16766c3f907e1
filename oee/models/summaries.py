"""What a station's machine time came to over one ended period, kept so that a month's table or a
year's Pareto reads a few thousand rows instead of millions of state changes (docs/oee.md,
"Stored periods")."""

from datetime import timedelta

from django.db import models

# A period is kept once it ended this long ago (and one micro-stop threshold, if longer): a state
# that arrives in order is newer than every kept period, so the ingest has none to remove.
KEEP_AFTER = timedelta(minutes=10)


class PeriodSummary(models.Model):
    """One ended period of one station: a shift of its line's calendar, or a local day when the
    line has none. A cache of what oee/selectors/periods.py computes from the stored changes,
    operations and reasons: every write that could change it removes it
    (oee/services/period_summaries.py) and the next read computes it again."""

    station = models.ForeignKey("lines.Station", on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    label = models.CharField(max_length=64)
    figures = models.JSONField()  # oee.figures.Figures, field by field
    processed = models.PositiveIntegerField()
    good_first_time = models.PositiveIntegerField()
    ideal_s = models.FloatField(null=True)
    # Stop seconds and stops by Pareto key: "reason:<code>", "plc:<code>", "unassigned", "micro"
    pareto = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["station", "start"], name="oee_period_once"),
        ]
        indexes = [models.Index(fields=["station", "end"], name="oee_period_station_end")]

    def __str__(self) -> str:
        return f"{self.station_id}:{self.label}"
