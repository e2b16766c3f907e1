"""The audit trail is append-only: the database refuses edits on PostgreSQL, and the app offers none."""

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction

from lines.models import UnitHistory
from quality.models import AuditEntry
from tests.factories import make_cell, make_spec


def test_every_spec_change_is_audited_with_who_and_why(plant, quality_engineer):
    make_spec("ocv_v", "eol", lsl=3.60, usl=3.70, by=quality_engineer)
    entry = AuditEntry.objects.get()
    assert (entry.entity, entry.action, entry.by, entry.reason) == (
        "spec_version",
        "created",
        quality_engineer,
        "initial limits",
    )


@pytest.mark.db_owner  # the trigger holds for the owner; the app's role is refused before it
def test_audit_rows_cannot_be_edited_or_deleted_in_the_database(plant, quality_engineer):
    make_spec("ocv_v", "eol", lsl=3.60, usl=3.70, by=quality_engineer)
    make_cell(plant, "CELL-1")
    for model in (AuditEntry, UnitHistory):
        if connection.vendor == "postgresql":
            for change in (
                lambda m=model: m.objects.update(reason="x"),
                lambda m=model: m.objects.all().delete(),
            ):
                with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                    change()
        assert model.objects.exclude(reason="x").count() == model.objects.count() >= 1


def test_the_admin_shows_the_audit_read_only(plant):
    model_admin = admin.site._registry[AuditEntry]
    assert model_admin.has_change_permission(request=None) is False
    assert model_admin.has_delete_permission(request=None) is False
    assert model_admin.has_add_permission(request=None) is False
