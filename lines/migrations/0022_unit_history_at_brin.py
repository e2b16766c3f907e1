"""lines_unithistory.at: a BRIN index on PostgreSQL instead of a B-tree. History rows arrive in
time order, so a block range summary is tight for the admin's date filter; a hold writes one row
per unit it reaches (55,000 for a lot), and the B-tree was one more index entry per row (about
50 ms of a 56,000-unit hold here, bench/README.md). SQLite keeps no index on it."""

from django.db import migrations, models


def brin_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS unithistory_at_brin ON lines_unithistory "
            "USING brin (at) WITH (autosummarize = on)"
        )


def brin_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS unithistory_at_brin")


class Migration(migrations.Migration):
    dependencies = [("lines", "0021_sample_source_time_brin")]

    operations = [
        migrations.AlterField(
            model_name="unithistory",
            name="at",
            field=models.DateTimeField(),
        ),
        migrations.RunPython(brin_create, brin_drop),
    ]
