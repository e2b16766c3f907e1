"""Migration quality 0006 seals the history a populated database already holds: oldest row
first, with the current key, so that an edit made after the upgrade shows."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mes.management.commands.db_roles import db_roles_apply
from quality.audit_chain import AUDIT, SIGNATURE
from quality.models import AuditEntry, ChainHead, Signature
from quality.selectors.audit_verify import audit_verify
from tests.conftest import app_role_for
from tests.quality.audit_helpers import insider_update

BEFORE = ("quality", "0005_one_disposition_per_decision")
SEALING = ("quality", "0006_chained_keyed_audit")
pytestmark = [pytest.mark.db_owner, pytest.mark.django_db(transaction=True)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_history(apps, user_id: int) -> None:
    """Rows as 0005 left them: no seq, no key, no mac."""
    entry = apps.get_model("quality", "AuditEntry")
    signature = apps.get_model("quality", "Signature")
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    for n in range(5):
        entry.objects.create(
            at=start + timedelta(minutes=n),
            by_id=user_id,
            entity="spec_version",
            entity_id=n + 1,
            action="created",
            after={"version": n + 1, "lsl": 3.6, "usl": 3.7 + n / 10},
            reason=f"limits {n}",
        )
    for n in range(2):
        signature.objects.create(
            signer_id=user_id,
            signed_at=start,
            meaning="disposition: release",
            reason="ok",
            record_type="flag",
            record_id=n + 1,
            content="{}",
            content_hash="0" * 64,
        )


def test_the_upgrade_seals_existing_rows_in_order(quality_engineer):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = _migrate([BEFORE])
        _old_history(apps, quality_engineer.pk)
        _migrate([SEALING])
    finally:
        _migrate(leaves)
        if connection.vendor == "postgresql":  # as after every production migrate
            db_roles_apply(role=app_role_for(connection.settings_dict["NAME"]))
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [(e.seq, e.reason) for e in entries] == [(n + 1, f"limits {n}") for n in range(5)]
    assert [s.seq for s in Signature.objects.order_by("pk")] == [1, 2]
    heads = {h.chain: h.seq for h in ChainHead.objects.all()}
    assert heads == {AUDIT: 5, SIGNATURE: 2}
    report = audit_verify()
    assert (report.intact, report.checked) == (True, {AUDIT: 5, SIGNATURE: 2})
    # Sealed history is now tamper-evident.
    insider_update(AuditEntry, entries[2].pk, after={"version": 3, "lsl": 3.0, "usl": 3.9})
    first = audit_verify().problems[0]
    assert (first.record, first.field) == (f"audit entry {entries[2].pk} (seq 3)", "mac")
