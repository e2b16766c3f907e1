"""A BRIN index as a migration operation, PostgreSQL only (SQLite has no BRIN; it goes without).
Shared by the migrations that add one; the loader skips modules whose name starts with "_"."""

from django.db import migrations


def brin_index(name: str, table: str, column: str, options: str) -> migrations.RunPython:
    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING brin ({column}) WITH ({options})"
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)
