"""lines_unithistory.at: a BRIN index on PostgreSQL instead of a B-tree. History rows arrive in
time order, so a block range summary is tight for the admin's date filter; a hold writes one row
per unit it reaches (55,000 for a lot), and the B-tree was one more index entry per row (about
50 ms of a 56,000-unit hold here, bench/README.md). SQLite keeps no index on it."""

from django.db import migrations, models

from lines.migrations._brin import brin_index


class Migration(migrations.Migration):
    dependencies = [("lines", "0021_sample_source_time_brin")]

    operations = [
        migrations.AlterField(
            model_name="unithistory",
            name="at",
            field=models.DateTimeField(),
        ),
        brin_index("unithistory_at_brin", "lines_unithistory", "at", "autosummarize = on"),
    ]
