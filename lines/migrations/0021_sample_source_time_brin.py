"""A BRIN index on lines_sample.source_time (PostgreSQL only): the compaction finds and reads its
bucket windows by source_time (lines/services/telemetry_compaction.py). Samples arrive nearly in
time order, so a block range summary is tight; it costs the ingest almost nothing, unlike a
B-tree on a column every row writes. autosummarize keeps ranges the ingest filled summarized
(an unsummarized range is read by every query)."""

from django.db import migrations

from lines.migrations._brin import brin_index


class Migration(migrations.Migration):
    dependencies = [("lines", "0020_sample_segment")]

    operations = [
        brin_index(
            "sample_source_time_brin",
            "lines_sample",
            "source_time",
            "pages_per_range = 32, autosummarize = on",
        )
    ]
