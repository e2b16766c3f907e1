"""A form's key applies it once, even when two requests with the same key race (a double tap
that reached the server twice): one applies, the other waits for it and returns its outcome."""

import threading
import uuid

import pytest
from django.db import connection

from lines import services
from lines.models import Operation, Unit
from mes.models import SubmissionReceipt
from mes.web.once import Outcome, submit_once
from tests.factories import make_cell, make_plant, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_requests_with_one_key_apply_the_form_once():
    plant = make_plant()
    user = make_user("olivia.operator", "operator")
    cell = make_cell(plant, "CELL-TAP")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    key = str(uuid.uuid4())
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []
    crashes: list[BaseException] = []

    def complete() -> str:
        services.operation_complete(operation=operation, result="passed", by=user)
        return "completed"

    def tap() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(
                submit_once(
                    key=key, user=user, action="complete", subject="CELL-TAP", apply=complete
                )
            )
        except BaseException as exc:  # noqa: BLE001 - a crash must fail the test, not vanish
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not crashes, crashes
    assert sorted((o.ok, o.message, o.replayed) for o in outcomes) == [
        (True, "completed", False),
        (True, "completed", True),
    ]
    assert Operation.objects.get(pk=operation.pk).result == "passed"
    assert SubmissionReceipt.objects.get().ok is True


def test_a_refusal_is_stored_and_repeated_and_what_it_began_is_undone():
    plant = make_plant()
    user = make_user("olivia.operator", "operator")
    key = str(uuid.uuid4())

    def create_then_refuse() -> str:
        make_cell(plant, "CELL-HALF")
        return services.unit_create(identifier="CELL-HALF", kind="cell").identifier

    first = submit_once(key=key, user=user, action="x", subject="", apply=create_then_refuse)
    second = submit_once(key=key, user=user, action="x", subject="", apply=create_then_refuse)

    assert first == Outcome(
        False, "A unit with identifier CELL-HALF already exists.", field="identifier"
    )
    assert second == Outcome(False, first.message, replayed=True, field="identifier")
    assert not Unit.objects.filter(identifier="CELL-HALF").exists()


def test_a_key_used_by_someone_else_is_not_replayed_to_them():
    plant = make_plant()
    olivia = make_user("olivia.operator", "operator")
    oscar = make_user("oscar.operator", "operator")
    cell = make_cell(plant, "CELL-KEY")
    key = str(uuid.uuid4())
    submit_once(key=key, user=olivia, action="start", subject="CELL-KEY", apply=lambda: "ok")

    outcome = submit_once(
        key=key,
        user=oscar,
        action="start",
        subject="CELL-KEY",
        apply=lambda: services.operation_start(unit=cell, station=plant.station("stacking")),
    )

    assert outcome == Outcome(False, "This form is out of date: scan the unit again.")
    assert not Operation.objects.filter(unit=cell).exists()


def test_a_warning_and_the_field_a_refusal_blames_are_replayed_as_they_were():
    from mes.errors import InvalidInput
    from mes.web.once import Done

    user = make_user("olivia.operator", "operator")
    held, refused = str(uuid.uuid4()), str(uuid.uuid4())

    def refuse() -> str:
        raise InvalidInput("quantity: not a plain number", field="quantity")

    for replayed in (False, True):
        warned = submit_once(
            key=held, user=user, action="measure", subject="C-1", apply=lambda: Done("held", True)
        )
        blamed = submit_once(key=refused, user=user, action="consume", subject="C-1", apply=refuse)
        assert warned == Outcome(True, "held", replayed=replayed, warning=True)
        assert blamed == Outcome(
            False, "quantity: not a plain number", replayed=replayed, field="quantity"
        )
