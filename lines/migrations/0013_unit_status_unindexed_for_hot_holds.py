"""Status leaves the unit table's indexes, and the table keeps room on its pages (PostgreSQL).

A hold changes status, held_from_status and updated_at of tens of thousands of unit rows. With
status in an index every changed row needed a new entry in all 11 indexes; without it, and with
free room on the row's page (fillfactor), PostgreSQL updates the row in place (a HOT update) and
touches no index. The fillfactor applies to pages written from now on: an existing table gets it
when it is rewritten (VACUUM FULL lines_unit, or pg_repack without the lock), see
docs/architecture.md.
"""

from django.db import migrations, models

UNIT_FILLFACTOR = 50  # a lot's cells share pages: each one needs room for its next version


def set_fillfactor(apps, schema_editor, value: int | None = UNIT_FILLFACTOR) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name("lines_unit")
    if value is None:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")
    else:
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor) -> None:
    set_fillfactor(apps, schema_editor, None)


class Migration(migrations.Migration):
    dependencies = [("lines", "0012_interlocks_and_write_roles")]

    operations = [
        migrations.RemoveIndex(model_name="unit", name="unit_kind_status_idx"),
        migrations.AddIndex(
            model_name="unit", index=models.Index(fields=["kind"], name="unit_kind_idx")
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor),
    ]
