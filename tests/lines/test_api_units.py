"""The units API: retrieve, list with pagination and filters, create, receive, scrap, split."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from lines import services
from lines.choices import UnitStatus
from lines.models import GenealogyEdge, Unit, UnitHistory
from tests.factories import make_cell, make_roll, receive

UNITS = "/api/v1/units/"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def identifiers(response) -> list[str]:
    return [row["identifier"] for row in response.json()["results"]]


def test_retrieve_a_cell_gives_every_field(plant, operator, api):
    cell = make_cell(plant, "C-1")
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}C-1/")
    assert response.status_code == 200
    assert response.json() == {
        "identifier": "C-1",
        "kind": "cell",
        "status": "created",
        "material": None,
        "supplier": "",
        "supplier_lot": "",
        "uom": "pcs",
        "quantity_initial": 1.0,
        "quantity_remaining": 1.0,
        "product": "T-CELL",
        "work_order": "T-WO-1",
        "route": "T-CELL-ROUTE",
        "current_step": {"sequence": 10, "name": "stacking"},
        "station": None,
        "created_at": iso(cell.created_at),
        "updated_at": iso(cell.updated_at),
    }


def test_retrieve_a_material_lot_with_dots_and_colons_in_its_identifier(plant, operator, api):
    lot = services.material_receive(
        material=plant.nmc,
        identifier="NMC:2025.03-A_1",
        quantity="500.5",
        supplier="Umicore",
        supplier_lot="U-77",
    )
    api.force_authenticate(operator)
    body = api.get(f"{UNITS}NMC:2025.03-A_1/").json()
    assert (body["identifier"], body["kind"], body["material"]) == (
        lot.identifier,
        "material_lot",
        "T-NMC811",
    )
    assert (body["supplier"], body["supplier_lot"], body["uom"]) == ("Umicore", "U-77", "kg")
    assert (body["quantity_initial"], body["quantity_remaining"]) == (500.5, 500.5)
    assert (body["product"], body["route"], body["current_step"]) == (None, None, None)


def test_an_unknown_identifier_is_a_404_naming_it(operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}NOPE-1/")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "No unit with identifier 'NOPE-1'.",
            "fields": {"identifier": ["No unit with identifier 'NOPE-1'."]},
        }
    }


def test_the_list_is_paginated_newest_first(plant, operator, api):
    for number in range(52):
        make_cell(plant, f"C-{number:02d}")
    api.force_authenticate(operator)
    first = api.get(UNITS).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (52, 50, None)
    assert first["next"] == "http://testserver/api/v1/units/?page=2"
    assert first["results"][0]["identifier"] == "C-51"
    second = api.get(first["next"]).json()
    assert [row["identifier"] for row in second["results"]] == ["C-01", "C-00"]
    assert second["next"] is None


@pytest.fixture
def assorted(plant, operator):
    """A lot, a roll, two cells (one of them started at stacking), created an hour apart."""
    units = [
        receive(plant, "LOT-1"),
        make_roll("ROLL-1"),
        make_cell(plant, "C-1"),
        make_cell(plant, "C-2"),
    ]
    for hour, unit in enumerate(units):
        Unit.objects.filter(pk=unit.pk).update(created_at=T0 + timedelta(hours=hour))
    services.operation_start(unit=units[3], station=plant.station("stacking"), by=operator)
    return units


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=cell", ["C-2", "C-1"]),
        ("kind=roll", ["ROLL-1"]),
        ("status=in_process", ["C-2"]),
        ("status=created&kind=cell", ["C-1"]),
        ("station=T-STACKING", ["C-2"]),
        ("work_order=T-WO-1", ["C-2", "C-1"]),
        ("material=T-NMC811", ["LOT-1"]),
        ("supplier_lot=SUP-LOT-1", ["LOT-1"]),
        ("created_after=2025-03-01T09:00:00Z", ["C-2", "C-1", "ROLL-1"]),
        ("created_before=2025-03-01T09:00:00Z", ["LOT-1"]),
        (
            "created_after=2025-03-01T10:00:00%2B01:00&created_before=2025-03-01T10:00:00Z",
            ["ROLL-1"],
        ),
        ("station=NOWHERE", []),
    ],
)
def test_each_list_filter(assorted, operator, api, query, expected):
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}?{query}")
    assert response.status_code == 200
    assert identifiers(response) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [("kind=widget", "kind"), ("created_after=yesterday", "created_after")],
)
def test_a_malformed_filter_is_a_400_naming_it(operator, api, query, field):
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == [field]


def test_create_a_cell_under_a_work_order(plant, operator, api):
    api.force_authenticate(operator)
    response = api.post(
        UNITS, {"identifier": "C-9", "kind": "cell", "work_order": "T-WO-1"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["identifier"], body["kind"], body["status"], body["uom"]) == (
        "C-9",
        "cell",
        "created",
        "pcs",
    )
    assert (body["work_order"], body["route"], body["product"]) == (
        "T-WO-1",
        "T-CELL-ROUTE",
        "T-CELL",
    )
    assert body["current_step"] == {"sequence": 10, "name": "stacking"}
    assert UnitHistory.objects.get(unit__identifier="C-9").by == operator


def test_create_a_roll_with_its_length(operator, api):
    api.force_authenticate(operator)
    response = api.post(
        UNITS, {"identifier": "ROLL-7", "kind": "roll", "quantity": "1200.5"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["quantity_initial"], response.json()["uom"]) == (1200.5, "m")


def test_a_quantity_that_is_not_a_number_is_a_400_naming_it(operator, api):
    api.force_authenticate(operator)
    response = api.post(
        UNITS, {"identifier": "ROLL-7", "kind": "roll", "quantity": "abc"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "Invalid input. quantity: A valid number is required.",
            "fields": {"quantity": ["A valid number is required."]},
        }
    }
    assert not Unit.objects.exists()


def test_a_roll_without_its_length_is_a_400_naming_the_quantity(operator, api):
    api.force_authenticate(operator)
    response = api.post(UNITS, {"identifier": "ROLL-7", "kind": "roll"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "quantity": ["Give the quantity: kg for a slurry batch, m for a roll."]
    }
    assert not Unit.objects.exists()


def test_a_taken_identifier_is_a_409_with_the_service_message(plant, operator, api):
    make_cell(plant, "C-1")
    api.force_authenticate(operator)
    response = api.post(UNITS, {"identifier": "C-1", "kind": "cell"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "A unit with identifier C-1 already exists.",
        "fields": {"identifier": ["A unit with identifier C-1 already exists."]},
    }
    assert Unit.objects.count() == 1


def test_an_identifier_with_a_space_is_refused_by_the_service(operator, api):
    api.force_authenticate(operator)
    response = api.post(UNITS, {"identifier": "C 1", "kind": "cell"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["identifier"]
    assert not Unit.objects.exists()


def test_an_unknown_work_order_is_a_404_naming_the_field(operator, api):
    api.force_authenticate(operator)
    response = api.post(
        UNITS, {"identifier": "C-1", "kind": "cell", "work_order": "WO-NONE"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "No work order with code 'WO-NONE'.",
        "fields": {"work_order": ["No work order with code 'WO-NONE'."]},
    }
    assert not Unit.objects.exists()


def test_receive_a_material_lot(plant, integration, api):
    api.force_authenticate(integration)
    payload = {
        "material": "T-NMC811",
        "identifier": "NMC-LOT-1",
        "quantity": 500,
        "supplier": "Umicore",
        "supplier_lot": "U-2025-0042",
    }
    response = api.post("/api/v1/material-lots/", payload, format="json")
    assert response.status_code == 201
    lot = Unit.objects.get(identifier="NMC-LOT-1")
    assert (lot.kind, lot.material, lot.supplier_lot, lot.quantity_remaining) == (
        "material_lot",
        plant.nmc,
        "U-2025-0042",
        Decimal("500"),
    )
    assert response.json()["quantity_remaining"] == 500.0


def test_receive_without_a_supplier_lot_is_a_400_naming_it(plant, operator, api):
    api.force_authenticate(operator)
    payload = {"material": "T-NMC811", "identifier": "L-1", "quantity": 5, "supplier": "U"}
    response = api.post("/api/v1/material-lots/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"supplier_lot": ["This field is required."]}
    assert not Unit.objects.exists()


def test_scrap_a_cell_with_a_reason(plant, operator, api):
    make_cell(plant, "C-1")
    api.force_authenticate(operator)
    response = api.post(f"{UNITS}C-1/scrap/", {"reason": "dropped"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "scrapped"
    history = UnitHistory.objects.get(unit__identifier="C-1", event="scrapped")
    assert (history.by, history.reason) == (operator, "dropped")


def test_scrapping_twice_is_a_409_and_changes_nothing(plant, operator, api):
    cell = make_cell(plant, "C-1")
    services.unit_scrap(unit=cell, reason="dropped")
    api.force_authenticate(operator)
    response = api.post(f"{UNITS}C-1/scrap/", {"reason": "again"}, format="json")
    assert response.status_code == 409
    assert (
        response.json()["error"]["message"]
        == "C-1 is scrapped and cannot be scrapped here. Set it aside and call your shift lead."
    )
    assert UnitHistory.objects.filter(unit=cell).count() == 2


def test_split_a_roll_into_lanes(operator, api):
    make_roll("ROLL-1", "800")
    api.force_authenticate(operator)
    response = api.post(
        f"{UNITS}ROLL-1/split/", {"daughters": ["ROLL-1.A", "ROLL-1.B"]}, format="json"
    )
    assert response.status_code == 201
    assert [(d["identifier"], d["quantity_initial"]) for d in response.json()] == [
        ("ROLL-1.A", 800.0),
        ("ROLL-1.B", 800.0),
    ]
    assert Unit.objects.get(identifier="ROLL-1").status == UnitStatus.CONSUMED
    edges = GenealogyEdge.objects.values_list("child__identifier", "position_to_m")
    assert sorted(edges) == [("ROLL-1.A", Decimal("800")), ("ROLL-1.B", Decimal("800"))]


def test_split_without_daughters_is_a_400_naming_the_field(operator, api):
    make_roll("ROLL-1")
    api.force_authenticate(operator)
    response = api.post(f"{UNITS}ROLL-1/split/", {"daughters": []}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["daughters"]
    assert Unit.objects.count() == 1
