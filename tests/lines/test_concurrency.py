"""Two tablets at once: exactly one wins, the other gets a clear refusal, nothing is written twice.

Each racer runs in its own thread with its own database connection and transaction. On PostgreSQL
the unit row lock serialises them; on SQLite the IMMEDIATE transaction mode does. The barrier makes
both call the service at the same moment, so the second always meets the first's lock or result.
"""

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from lines import services
from lines.choices import UnitKind
from lines.models import GenealogyEdge, Operation, Unit, UnitHistory
from mes.errors import DomainError
from tests.factories import make_cell, make_plant, receive

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls: Callable[[], object]) -> tuple[list[object], list[DomainError]]:
    barrier = threading.Barrier(len(calls))
    wins: list[object] = []
    refusals: list[DomainError] = []
    crashes: list[BaseException] = []

    def run(call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            wins.append(call())
        except DomainError as exc:
            refusals.append(exc)
        except BaseException as exc:  # noqa: BLE001 - a crash must fail the test, not vanish
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not crashes, crashes
    return wins, refusals


def test_two_tablets_completing_the_same_operation_complete_it_once():
    plant = make_plant()
    cell = make_cell(plant, "CELL-RACE")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))

    wins, refusals = _race(
        lambda: services.operation_complete(operation=operation, result="passed"),
        lambda: services.operation_complete(operation=operation, result="failed"),
    )

    assert (len(wins), len(refusals)) == (1, 1)
    assert "already completed" in refusals[0].message
    stored = Operation.objects.get(pk=operation.pk)
    assert stored.result == wins[0].result
    expected_step = "densification" if stored.result == "passed" else "stacking"
    assert Unit.objects.get(pk=cell.pk).current_step.name == expected_step
    assert UnitHistory.objects.filter(unit=cell, event="step_completed").count() <= 1


def test_two_tablets_starting_the_same_cell_start_it_once():
    plant = make_plant()
    cell = make_cell(plant, "CELL-RACE")
    stacker = plant.station("stacking")

    wins, refusals = _race(
        lambda: services.operation_start(unit=cell, station=stacker),
        lambda: services.operation_start(unit=cell, station=stacker),
    )

    assert (len(wins), len(refusals)) == (1, 1)
    assert "already in operation" in refusals[0].message
    assert Operation.objects.filter(unit=cell).count() == 1


def test_two_batches_racing_for_the_last_kilograms_cannot_overdraw_the_lot():
    plant = make_plant()
    lot = receive(plant, "LOT-RACE", "100")
    batches = [
        services.unit_create(identifier=f"SLURRY-{n}", kind=UnitKind.SLURRY_BATCH, quantity="60")
        for n in (1, 2)
    ]

    wins, refusals = _race(
        *[lambda b=b: services.unit_consume(child=b, parent=lot, quantity="60") for b in batches]
    )

    assert (len(wins), len(refusals)) == (1, 1)
    assert "LOT-RACE has 40 kg left" in refusals[0].message
    assert Unit.objects.get(pk=lot.pk).quantity_remaining == Decimal(40)
    assert GenealogyEdge.objects.filter(parent=lot).count() == 1


def test_two_cells_racing_for_the_same_roll_metres_get_them_once():
    plant = make_plant()
    roll = services.unit_create(identifier="ROLL-RACE", kind=UnitKind.ROLL, quantity="1200")
    cells = [make_cell(plant, f"CELL-{n}") for n in (1, 2)]

    wins, refusals = _race(
        *[
            lambda c=c: services.unit_consume(
                child=c, parent=roll, position_from_m="100", position_to_m="101.2"
            )
            for c in cells
        ]
    )

    assert (len(wins), len(refusals)) == (1, 1)
    assert "overlap" in refusals[0].message
    assert Unit.objects.get(pk=roll.pk).quantity_remaining == Decimal("1198.8")
