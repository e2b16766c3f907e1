"""Samples whose time no reader can read become rejected samples stamped on arrival (issue #19).

Before the ingest checked its time window (lines/telemetry_bounds.py), PostgreSQL stored a source
time of year 1 with an offset ("0001-01-01T00:00:00+01:00") as 1 BC; psycopg cannot return such
a time to Python, and the samples API and SPC answered 500 for every page holding one. Such a row
is now what the ingest makes of that value today: rejected, with the time that arrived in the
reason, source and server time the arrival of its batch (now, for a row without a batch). Only
times outside Python's years 1..9999 are touched: an older time that reads back (1601, 1969) is
left as it was stored. SQLite: nothing to do (the batch failed there, nothing was stored).
"""

from django.db import migrations

# Python's datetime range, in UTC: psycopg reads every timestamptz within it.
_OUTSIDE = "({column} < '0001-01-01 00:00:00+00' OR {column} > '9999-12-31 23:59:59.999999+00')"
_REPAIR = f"""
UPDATE lines_sample AS s
   SET rejected_reason = left(
           'source_time must lie in 1970-01-01 .. 9998-12-31 (UTC), got '''
           || s.source_time::text || ''' (server_time ' || s.server_time::text || ').', 200),
       source_time = arrival.at,
       server_time = arrival.at
  FROM (SELECT s2.id, COALESCE(b.received_at, now()) AS at
          FROM lines_sample s2 LEFT JOIN lines_ingestbatch b ON b.id = s2.batch_id
         WHERE {_OUTSIDE.format(column="s2.source_time")}
            OR {_OUTSIDE.format(column="s2.server_time")}) AS arrival
 WHERE s.id = arrival.id
"""


def repair(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(_REPAIR)


class Migration(migrations.Migration):
    dependencies = [
        ("lines", "0010_routestep_updated_at"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop, elidable=True)]
