"""PostgreSQL triggers that make the audit trail append-only: UPDATE and DELETE are refused.

Applies to quality audit entries, signatures and lines unit history. SQLite (embedded mode) has no
such trigger, because Django's test flush deletes rows there; the app itself offers no path to edit
or delete these rows on either database.
"""

from django.db import migrations

TABLES = ("quality_auditentry", "quality_signature", "lines_unithistory")

FUNCTION = """
CREATE OR REPLACE FUNCTION mes_refuse_audit_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # its % are PL/pgSQL format marks
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION mes_refuse_audit_change()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS mes_refuse_audit_change()")


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial"), ("lines", "0003_sample_and_hold_bookkeeping")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
