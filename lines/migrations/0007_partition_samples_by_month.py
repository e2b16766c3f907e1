"""lines_sample becomes a table partitioned by month of source_time on PostgreSQL (lines/partitions.py
says why). Indexes and foreign keys keep their names, so Django's migration state still matches;
the primary key becomes (id, source_time), as PostgreSQL requires of a partitioned table, and id
stays unique because one identity sequence numbers every row. SQLite: nothing changes."""

from django.db import migrations

OLD = "lines_sample_unpartitioned"


def _definitions(cursor, table: str) -> tuple[list, list]:
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> %s",
        [table, f"{table}_pkey"],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    return indexes, cursor.fetchall()


def _rebuild(cursor, *, partitioned: bool) -> None:
    indexes, foreign_keys = _definitions(cursor, "lines_sample")
    cursor.execute(f"ALTER TABLE lines_sample RENAME TO {OLD}")
    cursor.execute(f"ALTER INDEX lines_sample_pkey RENAME TO {OLD}_pkey")
    for name, _ in indexes:
        cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name[:55]}_old"')
    for name, _ in foreign_keys:
        cursor.execute(f'ALTER TABLE {OLD} RENAME CONSTRAINT "{name}" TO "{name[:55]}_old"')
    if partitioned:
        cursor.execute(
            f"CREATE TABLE lines_sample (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS) PARTITION BY RANGE (source_time)"
        )
        cursor.execute("ALTER TABLE lines_sample ADD PRIMARY KEY (id, source_time)")
        cursor.execute("CREATE TABLE lines_sample_default PARTITION OF lines_sample DEFAULT")
    else:
        cursor.execute(
            f"CREATE TABLE lines_sample (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS)"
        )
        cursor.execute("ALTER TABLE lines_sample ADD PRIMARY KEY (id)")
    cursor.execute(f"INSERT INTO lines_sample OVERRIDING SYSTEM VALUE SELECT * FROM {OLD}")
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('lines_sample', 'id'), "
        "COALESCE((SELECT max(id) FROM lines_sample), 0) + 1, false)"
    )
    cursor.execute(f"DROP TABLE {OLD}")
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE lines_sample ADD CONSTRAINT "{name}" {definition}')


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partitioned=True)
    from lines.partitions import ensure_months

    ensure_months()


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("lines", "0006_ingest_batch_problems")]

    operations = [migrations.RunPython(partition, unpartition)]
