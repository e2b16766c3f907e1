"""Two holds reaching the same units at once: each unit is held, and its history says so, once.

The first transaction holds the units and stays open until the second is waiting for it (on
PostgreSQL, seen waiting on a lock in pg_stat_activity; on SQLite, the IMMEDIATE transaction
waits at its start). The second then finds every unit held already: it must change nothing and
record nothing. A history written from what was read before the wait would record every unit
twice.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from lines import services
from lines.models import Unit, UnitHistory
from tests.factories import make_cell, make_plant

pytestmark = pytest.mark.django_db(transaction=True)


def _until_a_transaction_waits_for_a_lock() -> None:
    if connection.vendor != "postgresql":
        time.sleep(0.3)  # SQLite: the second transaction cannot start before the first ends
        return
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second hold never waited for the first")


def test_two_holds_at_once_hold_and_record_each_unit_once():
    plant = make_plant()
    ids = [make_cell(plant, f"CELL-{i}").pk for i in range(20)]
    changed: dict[str, int] = {}
    crashes: list[BaseException] = []
    first_held, second_waits = threading.Event(), threading.Event()

    def hold(name: str, before: threading.Event | None, after: threading.Event | None) -> None:
        try:
            if before is not None:
                assert before.wait(10)
            with transaction.atomic():
                units = Unit.objects.filter(pk__in=ids)
                changed[name] = services.units_put_on_hold(
                    units=units, by=None, reason=f"hold {name}"
                )
                if after is not None:
                    after.set()
                    assert second_waits.wait(20)
        except BaseException as exc:  # noqa: BLE001 - a crash must fail the test, not vanish
            crashes.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=hold, args=("1", None, first_held))
    second = threading.Thread(target=hold, args=("2", first_held, None))
    first.start()
    second.start()
    assert first_held.wait(20)
    _until_a_transaction_waits_for_a_lock()
    second_waits.set()
    first.join(timeout=60)
    second.join(timeout=60)

    assert not crashes, crashes
    assert changed == {"1": 20, "2": 0}
    rows = UnitHistory.objects.filter(event="hold_placed")
    assert sorted(rows.values_list("unit_id", flat=True)) == sorted(ids)
    assert set(rows.values_list("reason", flat=True)) == {"hold 1"}
    assert set(Unit.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"on_hold"}
