"""Keyed, chained audit entries and signatures (quality.audit_chain), and TRUNCATE refused.

1. Each audit entry and signature gets its place in a chain (seq), the id of the key that sealed
   it, the previous row's mac and its own HMAC; ChainHead holds each chain's last link.
2. The existing history is sealed here, oldest row first, with the current key
   (MES_AUDIT_KEY_ID): from then on an edit to any of it shows. On PostgreSQL the append-only
   triggers of quality 0002 are switched off for those UPDATEs only, inside this migration's
   transaction, which runs as the tables' owner.
3. PostgreSQL: BEFORE TRUNCATE triggers on the audit tables and the chain heads (TRUNCATE skips
   row triggers, so 0002 did not stop it), and the chain heads refuse DELETE.
"""

from django.db import migrations, models

from quality.audit_chain import AUDIT, SIGNATURE, seal

APPEND_ONLY = ("quality_auditentry", "quality_signature", "lines_unithistory")
HEADS = "quality_chainhead"


def seal_history(apps, schema_editor):
    heads = apps.get_model("quality", "ChainHead")
    postgres = schema_editor.connection.vendor == "postgresql"
    for chain, name in ((AUDIT, "AuditEntry"), (SIGNATURE, "Signature")):
        model = apps.get_model("quality", name)
        table = model._meta.db_table
        if postgres:
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        seq, mac = 0, ""
        rows = list(model.objects.order_by("pk"))
        for start in range(0, len(rows), 1000):
            batch = rows[start : start + 1000]
            seq, mac = seal(chain, batch, seq=seq, mac=mac)
            model.objects.bulk_update(batch, ["seq", "key_id", "prev_mac", "mac"])
        heads.objects.create(chain=chain, seq=seq, mac=mac)
        if postgres:
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in (*APPEND_ONLY, HEADS):
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION mes_refuse_audit_change()"
        )
    schema_editor.execute(
        f"CREATE TRIGGER {HEADS}_no_delete BEFORE DELETE ON {HEADS} "
        "FOR EACH ROW EXECUTE FUNCTION mes_refuse_audit_change()"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in (*APPEND_ONLY, HEADS):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {HEADS}_no_delete ON {HEADS}")


def _seal_fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddField(
            model_name=model_name, name="key_id", field=models.CharField(blank=True, max_length=16)
        ),
        migrations.AddField(
            model_name=model_name,
            name="prev_mac",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name=model_name, name="mac", field=models.CharField(blank=True, max_length=64)
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("quality", "0005_one_disposition_per_decision")]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("chain", models.CharField(max_length=16, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("mac", models.CharField(blank=True, max_length=64)),
            ],
        ),
        *_seal_fields("auditentry"),
        *_seal_fields("signature"),
        migrations.RunPython(seal_history, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
