"""A BRIN index on lines_sample.source_time (PostgreSQL only): the compaction finds and reads its
bucket windows by source_time (lines/services/telemetry_compaction.py). Samples arrive nearly in
time order, so a block range summary is tight; it costs the ingest almost nothing, unlike a
B-tree on a column every row writes. autosummarize keeps ranges the ingest filled summarized
(an unsummarized range is read by every query)."""

from django.db import migrations


def brin_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS sample_source_time_brin ON lines_sample "
            "USING brin (source_time) WITH (pages_per_range = 32, autosummarize = on)"
        )


def brin_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS sample_source_time_brin")


class Migration(migrations.Migration):
    dependencies = [("lines", "0020_sample_segment")]

    operations = [migrations.RunPython(brin_create, brin_drop)]
