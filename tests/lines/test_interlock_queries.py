"""What an interlock decision costs in statements (a guard against a silent regression: the
figures of bench/README.md "Handshake benchmark"), the open-order cache's invalidation, and
settling many answers in one statement."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lines.choices import WorkOrderStatus
from lines.models import Interlock, Unit
from lines.services.interlocks import (
    CheckoutValue,
    interlock_checkin,
    interlock_checkout,
    interlock_settle_many,
)
from tests.factories import make_cell, make_spec

pytestmark = pytest.mark.django_db
AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
# Statements per decision, counted under the test's transaction (the decision's own transaction
# is a savepoint here: 2 statements that are BEGIN and COMMIT in the bridge). Before #15's
# performance work: 27 for a new cell's check-in, 18 for a known cell's, 22 for a check-out.
CHECKIN_NEW_CELL = 20
CHECKIN_KNOWN_CELL = 13
CHECKOUT_WITH_ONE_VALUE = 18


def checkin(station, serial, key):
    return interlock_checkin(
        station=station, serial=serial, handshake_id=key, requested_at=timezone.now()
    )


def counted(call):
    with CaptureQueriesContext(connection) as queries:
        record = call()
    return record, len(queries.captured_queries)


def test_a_check_in_costs_at_most_its_statements(plant):
    stacking = plant.station("stacking")
    assert checkin(stacking, "C-WARM", "w").code == 1  # the open-order cache filled
    record, new_cell = counted(lambda: checkin(stacking, "C-NEW", "n"))
    assert (record.code, record.reason_code) == (1, "started")
    make_cell(plant, "C-KNOWN")
    record, known_cell = counted(lambda: checkin(stacking, "C-KNOWN", "k"))
    assert (record.code, record.reason_code) == (1, "started")
    assert new_cell <= CHECKIN_NEW_CELL
    assert known_cell <= CHECKIN_KNOWN_CELL


def test_a_check_out_with_a_value_costs_at_most_its_statements(plant):
    make_spec("thickness_mm", "stacking", lsl=1, usl=2)
    stacking = plant.station("stacking")
    make_cell(plant, "C-OUT")
    assert checkin(stacking, "C-OUT", "i").code == 1
    record, statements = counted(
        lambda: interlock_checkout(
            station=stacking, serial="C-OUT", result=1,
            values=[CheckoutValue("ns=2;s=ST.Thickness", "thickness_mm", 1.5)],
            handshake_id="o", requested_at=timezone.now(),
        )
    )  # fmt: skip
    assert (record.code, record.reason_code, record.samples) == (1, "completed", 1)
    assert statements <= CHECKOUT_WITH_ONE_VALUE


def test_the_kept_open_order_follows_the_work_order_closing_and_opening(plant):
    stacking = plant.station("stacking")
    assert checkin(stacking, "C-A", "a").code == 1  # kept: the plant's open order
    plant.work_order.status = WorkOrderStatus.CLOSED
    plant.work_order.save(update_fields=["status"])
    refused = checkin(stacking, "C-B", "b")
    assert (refused.code, refused.reason_code) == (4, "unknown_serial")
    assert not Unit.objects.filter(identifier="C-B").exists()
    plant.work_order.status = WorkOrderStatus.IN_PROGRESS
    plant.work_order.save(update_fields=["status"])
    assert checkin(stacking, "C-C", "c").code == 1
    assert Unit.objects.get(identifier="C-C").work_order == plant.work_order


def test_the_kept_open_order_follows_a_route_step_edit(plant):
    stacking = plant.station("stacking")
    assert checkin(stacking, "C-D", "d").code == 1
    first = plant.cell_route.steps.order_by("sequence").first()
    first.station_kind = "sealing"  # the route no longer starts at a stacker
    first.save()
    refused = checkin(stacking, "C-E", "e")
    assert (refused.code, refused.reason_code) == (4, "unknown_serial")


def test_settling_many_answers_is_one_statement_and_keeps_the_first_outcome(plant):
    stacking = plant.station("stacking")
    for n in range(3):
        make_cell(plant, f"C-S{n}")
        assert checkin(stacking, f"C-S{n}", f"s{n}").code == 1
    answers = [("s0", AT, 40), ("s1", None, None), ("s0", None, None), ("gone", AT, 1)]
    changed, statements = counted(lambda: interlock_settle_many(answers))
    assert (changed, statements) == (2, 1)
    rows = {i.handshake_id: (i.state, i.answered_at, i.answer_ms) for i in Interlock.objects.all()}
    assert rows["s0"] == ("answered", AT, 40)
    assert rows["s1"] == ("abandoned", None, None)
    assert rows["s2"][0] == "decided"
    assert interlock_settle_many([("s0", None, None)]) == 0  # settled once: stays answered
