"""Telemetry at rest: samples past the hot window, kept lossless in one row per series and
10-minute bucket (docs/telemetry.md, "Compact storage at rest").

A series is what one tag (or one station parameter's manual entries, or one unknown node)
reports: station, parameter and node id. The row carries what readers select by (series,
bucket, first and last time, id range, units) and the samples themselves in `data`, encoded by
lines/telemetry_codec.py. Rows are written only by lines/services/telemetry_compaction.py and
read only through lines/selectors/samples.py, which serves hot rows and segments as one.
"""

from django.db import models

BUCKET_SECONDS = 600


class SampleSegment(models.Model):
    # No database constraints on the keys, as on lines.Sample: the units and stations a segment
    # names are protected by the ORM and the segment must outlive nothing it names.
    station = models.ForeignKey(
        "lines.Station",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    parameter = models.CharField(max_length=64, blank=True)
    node_id = models.CharField(max_length=255, blank=True)
    # "<station id or ->|<parameter>|<node id>": one string, so the series and bucket are unique
    # on every database (a NULL station would make a composite key distinct on PostgreSQL < 15).
    series = models.CharField(max_length=340)
    bucket = models.DateTimeField()  # start of the bucket, UTC, a multiple of BUCKET_SECONDS
    first_time = models.DateTimeField()  # first and last source_time in it
    last_time = models.DateTimeField()
    first_id = models.BigIntegerField()  # smallest and largest sample id in it
    last_id = models.BigIntegerField()
    count = models.PositiveIntegerField()
    usable = models.PositiveIntegerField(default=0)  # accepted, Good, finite within bound
    value_min = models.FloatField(null=True, blank=True)  # of the usable values
    value_max = models.FloatField(null=True, blank=True)
    # Per minute of the bucket, [minute offset, min, max, count] of the usable values: a chart
    # over months is drawn from these without decoding a sample.
    minutes = models.JSONField(default=list, blank=True)
    units = models.PositiveIntegerField(default=0)  # distinct units attributed in it
    # sha256 over every sample's columns, computed from the rows it was built from; a reader can
    # decode and check it (telemetry_compact --verify).
    checksum = models.CharField(max_length=64)
    data = models.BinaryField()
    compacted_at = models.DateTimeField()

    class Meta:
        ordering = ["series", "bucket"]
        constraints = [
            models.UniqueConstraint(fields=["series", "bucket"], name="lines_segment_once"),
            models.CheckConstraint(
                condition=models.Q(last_time__gte=models.F("first_time"))
                & models.Q(last_id__gte=models.F("first_id"))
                & models.Q(count__gt=0),
                name="lines_segment_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["station", "parameter", "last_time"], name="lines_segment_series_idx"
            ),
            models.Index(fields=["bucket"], name="lines_segment_bucket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.series} @ {self.bucket:%Y-%m-%d %H:%M}"


class SegmentUnit(models.Model):
    """A unit with samples in a segment: a unit's samples are found through this, not by
    decoding every segment of its time."""

    segment = models.ForeignKey(SampleSegment, on_delete=models.CASCADE, related_name="unit_rows")
    unit_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit_id", "segment"], name="lines_segment_unit_once")
        ]

    def __str__(self) -> str:
        return f"unit {self.unit_id} in segment {self.segment_id}"
