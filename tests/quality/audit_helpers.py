"""An insider with the database owner's rights: edits and deletes rows the app never touches.

On PostgreSQL the owner switches the table's triggers off for the statement (ALTER TABLE ...
DISABLE TRIGGER USER, as the issue's attacker did) and back on; SQLite has no triggers. The
tests that use this run as the owner (services mode: tests marked `db_owner`)."""

from contextlib import contextmanager

from django.db import connection, transaction

from quality.services import disposition_decide, hold_place
from tests.factories import PASSWORD, make_cell


@contextmanager
def triggers_off(*tables: str):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The test's deferred foreign-key checks first: ALTER TABLE waits for none.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in tables:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def insider_update(model, pk: int, **fields) -> None:
    with triggers_off(model._meta.db_table):
        assert model.objects.filter(pk=pk).update(**fields) == 1


def insider_delete(queryset) -> None:
    with triggers_off(queryset.model._meta.db_table):
        queryset.delete()


def scrapped_hold(plant, quality_engineer, identifier: str = "CELL-1"):
    """A cell held and scrapped by a signed disposition: (hold, disposition)."""
    cell = make_cell(plant, identifier)
    hold = hold_place(unit=cell, reason="seal burnt", by=quality_engineer)
    disposition = disposition_decide(
        hold=hold,
        decision="scrap",
        reason="seal burnt through",
        password=PASSWORD,
        by=quality_engineer,
    )
    return hold, disposition
