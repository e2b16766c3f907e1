"""What a station's machine time came to over one ended period, kept so that a month's table or a
year's Pareto reads a few thousand rows instead of millions of state changes (docs/oee.md,
"Stored periods")."""

from datetime import timedelta

from django.db import models

from oee.models.calendar import MAX_MICRO_STOP_S

# A period is computed with the timeline one micro-stop threshold beyond its end (a stop that
# crosses the end is judged by its whole length), so a write up to this long after its end may
# change it: the largest threshold a line may set (LineClock.micro_stop_s).
MAX_MARGIN = timedelta(seconds=MAX_MICRO_STOP_S)
# A period is kept once it ended this long ago: a state or an operation that arrives in order is
# newer than every kept period's end plus MAX_MARGIN, so the ingest has none to remove.
KEEP_AFTER = timedelta(minutes=20)


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


class PeriodStamp(models.Model):
    """How many times a station's kept periods were removed. A reader keeps what it computed only
    if this did not change while it computed: a late write that landed meanwhile (and removed
    nothing yet, the period was not kept) must not leave a period computed without it."""

    station = models.OneToOneField(
        "lines.Station", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    removals = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.station_id}: {self.removals}"
