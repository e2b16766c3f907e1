"""The operations API: start, complete (once), list and filter; consumption and its edges."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from lines import services
from lines.choices import UnitStatus
from lines.models import GenealogyEdge, Operation, Unit
from tests.factories import make_cell, make_roll, receive

OPERATIONS = "/api/v1/operations/"
CONSUMPTIONS = "/api/v1/consumptions/"


def start(api, unit: str, station: str, **extra):
    return api.post(OPERATIONS, {"unit": unit, "station": station, **extra}, format="json")


def test_start_an_operation(plant, operator, api):
    make_cell(plant, "C-1")
    api.force_authenticate(operator)
    response = start(api, "C-1", "T-STACKING")
    assert response.status_code == 201
    operation = Operation.objects.get()
    body = response.json()
    assert body == {
        "id": operation.id,
        "unit": "C-1",
        "station": "T-STACKING",
        "step": {"sequence": 10, "name": "stacking"},
        "started_at": body["started_at"],
        "started_by": "olivia.operator",
        "completed_at": None,
        "completed_by": None,
        "result": "",
        "note": "",
        "is_open": True,
    }
    assert body["started_at"] == operation.started_at.isoformat().replace("+00:00", "Z")
    cell = Unit.objects.get(identifier="C-1")
    assert (cell.status, cell.station) == (UnitStatus.IN_PROCESS, plant.station("stacking"))


def test_start_naming_the_current_step(plant, operator, api):
    make_cell(plant, "C-1")
    api.force_authenticate(operator)
    response = start(api, "C-1", "T-STACKING", step=10)
    assert response.status_code == 201
    assert response.json()["step"] == {"sequence": 10, "name": "stacking"}


def test_start_out_of_order_is_a_409_naming_the_step(plant, operator, api):
    make_cell(plant, "C-1")
    api.force_authenticate(operator)
    response = start(api, "C-1", "T-SEALING", step=30)
    assert response.status_code == 409
    message = "Step 30 'sealing' is not reached yet for C-1; its next step is 10 'stacking'."
    assert response.json()["error"] == {
        "code": "conflict",
        "message": message,
        "fields": {"step": [message]},
    }
    assert not Operation.objects.exists()
    assert Unit.objects.get(identifier="C-1").status == UnitStatus.CREATED


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"unit": "C-404", "station": "T-STACKING"}, "unit", "No unit with identifier 'C-404'."),
        ({"unit": "C-1", "station": "NOPE"}, "station", "No station with code 'NOPE'."),
        (
            {"unit": "C-1", "station": "T-STACKING", "step": 70},
            "step",
            "C-1's route (T-CELL-ROUTE) has no step 70.",
        ),
    ],
)
def test_start_with_an_unknown_reference_is_a_404_naming_it(
    plant, operator, api, payload, field, message
):
    make_cell(plant, "C-1")
    api.force_authenticate(operator)
    response = api.post(OPERATIONS, payload, format="json")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": message,
        "fields": {field: [message]},
    }
    assert not Operation.objects.exists()


def test_complete_passed_moves_the_cell_to_its_next_step(plant, operator, api):
    cell = make_cell(plant, "C-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    api.force_authenticate(operator)
    response = api.post(
        f"{OPERATIONS}{operation.id}/complete/",
        {"result": "passed", "note": "aligned"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["result"], body["note"], body["completed_by"], body["is_open"]) == (
        "passed",
        "aligned",
        "olivia.operator",
        False,
    )
    cell.refresh_from_db()
    assert (cell.current_step.name, cell.status) == ("densification", UnitStatus.IN_PROCESS)


def test_completing_twice_is_a_409_and_changes_nothing(plant, operator, integration, api):
    cell = make_cell(plant, "C-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    api.force_authenticate(operator)
    url = f"{OPERATIONS}{operation.id}/complete/"
    assert api.post(url, {"result": "passed"}, format="json").status_code == 200
    done = Operation.objects.get(pk=operation.pk)
    cell.refresh_from_db()
    before = (cell.status, cell.current_step_id, cell.updated_at, cell.history.count())

    api.force_authenticate(integration)
    response = api.post(url, {"result": "failed", "note": "late"}, format="json")

    assert response.status_code == 409
    completed = done.completed_at.strftime("%Y-%m-%d %H:%M:%S")
    assert response.json()["error"] == {
        "code": "conflict",
        "message": f"This operation on C-1 was already completed by olivia.operator at "
        f"{completed} UTC as passed.",
        "fields": {},
    }
    again = Operation.objects.get(pk=operation.pk)
    assert (again.result, again.note, again.completed_at, again.completed_by) == (
        "passed",
        "",
        done.completed_at,
        operator,
    )
    cell.refresh_from_db()
    assert (cell.status, cell.current_step_id, cell.updated_at, cell.history.count()) == before


def test_complete_with_an_unknown_result_is_a_400_naming_it(plant, operator, api):
    cell = make_cell(plant, "C-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    api.force_authenticate(operator)
    response = api.post(f"{OPERATIONS}{operation.id}/complete/", {"result": "ok"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"result": ['"ok" is not a valid choice.']}
    assert Operation.objects.get(pk=operation.pk).is_open


def test_an_unknown_operation_is_a_404(operator, api):
    api.force_authenticate(operator)
    response = api.post(f"{OPERATIONS}999/complete/", {"result": "passed"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No operation with id 999."
    assert api.get(f"{OPERATIONS}999/").status_code == 404


def test_retrieve_an_operation(plant, operator, api):
    cell = make_cell(plant, "C-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    api.force_authenticate(operator)
    body = api.get(f"{OPERATIONS}{operation.id}/").json()
    assert (body["id"], body["unit"], body["station"], body["started_by"]) == (
        operation.id,
        "C-1",
        "T-STACKING",
        None,
    )


@pytest.fixture
def worked(plant, operator):
    """C-1 done at stacking (started 08:00, passed) and open at densification; C-2 open at stacking."""
    c1, c2 = make_cell(plant, "C-1"), make_cell(plant, "C-2")
    first = services.operation_start(unit=c1, station=plant.station("stacking"))
    services.operation_complete(operation=first, result="passed")
    second = services.operation_start(unit=c1, station=plant.station("densification"))
    third = services.operation_start(unit=c2, station=plant.station("stacking"))
    t0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    for hour, operation in enumerate([first, second, third]):
        Operation.objects.filter(pk=operation.pk).update(started_at=t0 + timedelta(hours=hour))
    return {"first": first.id, "second": second.id, "third": third.id}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["third", "second", "first"]),
        ("station=T-STACKING", ["third", "first"]),
        ("unit=C-1", ["second", "first"]),
        ("open=true", ["third", "second"]),
        ("open=false", ["first"]),
        ("result=passed", ["first"]),
        ("started_after=2025-03-01T09:00:00Z", ["third", "second"]),
        ("started_before=2025-03-01T09:00:00Z", ["first"]),
    ],
)
def test_each_operation_filter(worked, operator, api, query, expected):
    api.force_authenticate(operator)
    response = api.get(f"{OPERATIONS}?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == len(expected)
    assert [row["id"] for row in response.json()["results"]] == [worked[n] for n in expected]


def test_consume_roll_metres_for_a_cell_in_its_stacking_operation(plant, operator, api):
    make_roll("ROLL-1", "100")
    cell = make_cell(plant, "C-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    api.force_authenticate(operator)
    payload = {
        "child": "C-1",
        "parent": "ROLL-1",
        "position_from": "10.5",
        "position_to": 11.7,
        "operation": operation.id,
    }
    response = api.post(CONSUMPTIONS, payload, format="json")
    assert response.status_code == 201
    edge = GenealogyEdge.objects.get()
    assert response.json() == {
        "id": edge.id,
        "parent": "ROLL-1",
        "child": "C-1",
        "quantity": 1.2,
        "position_from": 10.5,
        "position_to": 11.7,
        "operation": operation.id,
        "created_at": edge.created_at.isoformat().replace("+00:00", "Z"),
        "created_by": "olivia.operator",
    }
    assert Unit.objects.get(identifier="ROLL-1").quantity_remaining == Decimal("98.8")


def test_consume_a_quantity_of_a_lot(plant, integration, api):
    receive(plant, "LOT-1", "50")
    make_roll("ROLL-1")
    api.force_authenticate(integration)
    payload = {"child": "ROLL-1", "parent": "LOT-1", "quantity": 50}
    response = api.post(CONSUMPTIONS, payload, format="json")
    assert response.status_code == 201
    assert (response.json()["quantity"], response.json()["position_from"]) == (50.0, None)
    lot = Unit.objects.get(identifier="LOT-1")
    assert (lot.quantity_remaining, lot.status) == (Decimal("0"), UnitStatus.CONSUMED)


def test_consuming_more_than_is_left_is_a_409_and_changes_nothing(plant, operator, api):
    receive(plant, "LOT-1", "5")
    make_roll("ROLL-1")
    api.force_authenticate(operator)
    response = api.post(
        CONSUMPTIONS, {"child": "ROLL-1", "parent": "LOT-1", "quantity": "7.5"}, format="json"
    )
    assert response.status_code == 409
    message = "LOT-1 has 5 kg left; cannot consume 7.5 kg."
    assert response.json()["error"] == {
        "code": "conflict",
        "message": message,
        "fields": {"quantity": [message]},
    }
    assert not GenealogyEdge.objects.exists()
    assert Unit.objects.get(identifier="LOT-1").quantity_remaining == Decimal("5")


def test_a_quantity_that_is_not_a_number_is_a_400_naming_it(plant, operator, api):
    receive(plant, "LOT-1", "5")
    make_roll("ROLL-1")
    api.force_authenticate(operator)
    response = api.post(
        CONSUMPTIONS, {"child": "ROLL-1", "parent": "LOT-1", "quantity": "abc"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"quantity": ["A valid number is required."]}
    assert not GenealogyEdge.objects.exists()


def test_roll_metres_refused_by_the_service_are_reported_under_the_field_sent(plant, operator, api):
    make_roll("ROLL-1", "100")
    make_cell(plant, "C-1")
    api.force_authenticate(operator)
    payload = {"child": "C-1", "parent": "ROLL-1", "position_from": 5, "position_to": 120}
    response = api.post(CONSUMPTIONS, payload, format="json")
    assert response.status_code == 400
    message = "Metres 5..120 are not a range within ROLL-1 (0..100 m)."
    assert response.json()["error"]["fields"] == {"position_to": [message]}
    assert not GenealogyEdge.objects.exists()


def test_consume_from_an_unknown_parent_is_a_404_naming_it(plant, operator, api):
    make_cell(plant, "C-1")
    api.force_authenticate(operator)
    response = api.post(
        CONSUMPTIONS, {"child": "C-1", "parent": "GHOST", "quantity": 1}, format="json"
    )
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["parent"]


def test_edges_are_listed_and_filtered_by_parent_and_child(plant, operator, api):
    lot = receive(plant, "LOT-1", "50")
    roll_a, roll_b = make_roll("ROLL-A"), make_roll("ROLL-B")
    services.unit_consume(child=roll_a, parent=lot, quantity="10")
    services.unit_consume(child=roll_b, parent=lot, quantity="20")
    api.force_authenticate(operator)

    def pairs(query: str) -> list[tuple[str, str, float]]:
        rows = api.get(f"{CONSUMPTIONS}?{query}").json()["results"]
        return [(row["parent"], row["child"], row["quantity"]) for row in rows]

    assert pairs("") == [("LOT-1", "ROLL-A", 10.0), ("LOT-1", "ROLL-B", 20.0)]
    assert pairs("parent=LOT-1") == [("LOT-1", "ROLL-A", 10.0), ("LOT-1", "ROLL-B", 20.0)]
    assert pairs("child=ROLL-B") == [("LOT-1", "ROLL-B", 20.0)]
    assert pairs("parent=ROLL-A") == []


def _held_lot(plant):
    lot = receive(plant, "LOT-1", "5")
    Unit.objects.filter(pk=lot.pk).update(status=UnitStatus.ON_HOLD, held_from_status="created")
    make_roll("ROLL-1")
    return lot


def test_an_operator_cannot_override_a_hold_to_consume(plant, operator, api):
    _held_lot(plant)
    api.force_authenticate(operator)
    payload = {"child": "ROLL-1", "parent": "LOT-1", "quantity": 1, "hold_override": True}
    response = api.post(CONSUMPTIONS, payload, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": "LOT-1 is on hold; only a quality engineer may override the hold.",
        "fields": {"parent": ["LOT-1 is on hold; only a quality engineer may override the hold."]},
    }
    assert not GenealogyEdge.objects.exists()
    assert Unit.objects.get(identifier="LOT-1").quantity_remaining == Decimal("5")


def test_a_quality_engineer_may_consume_a_held_parent_with_an_override(
    plant, quality_engineer, api
):
    _held_lot(plant)
    api.force_authenticate(quality_engineer)
    payload = {"child": "ROLL-1", "parent": "LOT-1", "quantity": 1, "hold_override": True}
    response = api.post(CONSUMPTIONS, payload, format="json")
    assert response.status_code == 201
    lot = Unit.objects.get(identifier="LOT-1")
    assert (lot.status, lot.quantity_remaining) == (UnitStatus.ON_HOLD, Decimal("4"))


def test_a_held_parent_without_an_override_is_a_409(plant, quality_engineer, api):
    _held_lot(plant)
    api.force_authenticate(quality_engineer)
    payload = {"child": "ROLL-1", "parent": "LOT-1", "quantity": 1}
    response = api.post(CONSUMPTIONS, payload, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        "LOT-1 is on hold and cannot be consumed. Call quality to review the hold."
    )
    assert not GenealogyEdge.objects.exists()
