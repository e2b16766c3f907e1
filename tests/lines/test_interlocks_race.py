"""Two stations check in the same cell at the same moment: exactly one gets 1.

Each PLC's question runs in its own thread and connection, as the bridge runs them; the barrier
makes both ask at once. PostgreSQL's unit row lock (SQLite's IMMEDIATE transactions) serialises
them, and the second sees the first's open operation.
"""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from lines.models import Interlock, Operation, Station
from lines.services.interlocks import interlock_checkin
from tests.factories import make_cell, make_plant

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_stations_checking_in_the_same_cell_at_once_one_gets_1():
    plant = make_plant()
    make_cell(plant, "C-RACE")
    first = plant.station("stacking")
    second = Station.objects.create(line=plant.line, code="T-STACK-2", name="S2", kind="stacking")
    barrier = threading.Barrier(2)
    codes: dict[str, int] = {}
    crashes: list[BaseException] = []

    def ask(station: Station) -> None:
        try:
            barrier.wait(timeout=10)
            record = interlock_checkin(
                station=station,
                serial="C-RACE",
                handshake_id=f"race-{station.code}",
                requested_at=timezone.now(),
            )
            codes[station.code] = record.code
        except BaseException as exc:  # noqa: BLE001 - a crash must fail the test
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(s,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not crashes, crashes
    assert sorted(codes.values()) == [1, 3]
    assert Operation.objects.filter(unit__identifier="C-RACE").count() == 1
    winner = next(code for code, answer in codes.items() if answer == 1)
    assert Operation.objects.get(unit__identifier="C-RACE").station.code == winner
    assert Interlock.objects.count() == 2
