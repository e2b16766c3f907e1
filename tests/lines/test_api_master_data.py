"""Master data through the API: stations, routes with steps, work orders, products, materials."""

import pytest

from lines.choices import StationKind, UnitKind
from lines.models import Equipment, Line, Recipe, Station, WorkOrder


def test_stations_are_listed_by_code_and_filtered_by_kind_and_line(plant, operator, api):
    other = Line.objects.create(code="L-2", name="Second line")
    Station.objects.create(line=other, code="L2-STACK", name="Stacker 2", kind=StationKind.STACKING)
    api.force_authenticate(operator)
    body = api.get("/api/v1/stations/?kind=stacking").json()
    assert body["count"] == 2
    assert body["results"] == [
        {"code": "L2-STACK", "name": "Stacker 2", "kind": "stacking", "line": "L-2"},
        {"code": "T-STACKING", "name": "Stacking", "kind": "stacking", "line": "T-LINE"},
    ]
    by_line = api.get("/api/v1/stations/?line=L-2").json()["results"]
    assert [row["code"] for row in by_line] == ["L2-STACK"]
    assert api.get("/api/v1/stations/").json()["count"] == len(StationKind) + 1


def test_a_station_by_code(plant, operator, api):
    api.force_authenticate(operator)
    response = api.get("/api/v1/stations/T-COATING/")
    assert response.json() == {
        "code": "T-COATING",
        "name": "Coating and drying",
        "kind": "coating",
        "line": "T-LINE",
    }


def test_an_unknown_station_code_is_a_404_naming_it(operator, api):
    api.force_authenticate(operator)
    response = api.get("/api/v1/stations/NOPE/")
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "No station with code 'NOPE'.",
        "fields": {"code": ["No station with code 'NOPE'."]},
    }


def test_a_route_lists_its_steps_in_order(plant, operator, api):
    api.force_authenticate(operator)
    response = api.get("/api/v1/routes/T-CELL-ROUTE/")
    assert response.json() == {
        "code": "T-CELL-ROUTE",
        "name": "Cell route",
        "product": "T-CELL",
        "active": True,
        "steps": [
            {"sequence": 10, "name": "stacking", "station_kind": "stacking", "recipe": None},
            {
                "sequence": 20,
                "name": "densification",
                "station_kind": "densification",
                "recipe": None,
            },
            {"sequence": 30, "name": "sealing", "station_kind": "sealing", "recipe": None},
            {"sequence": 40, "name": "formation", "station_kind": "formation", "recipe": None},
            {"sequence": 50, "name": "eol", "station_kind": "eol", "recipe": None},
        ],
    }


def test_products_materials_lines_equipment_and_recipes(plant, operator, api):
    Equipment.objects.create(
        station=plant.station("coating"), code="EQ-COAT", name="Slot-die coater", manufacturer="X"
    )
    recipe = Recipe.objects.create(
        code="RCP-STACK",
        product=plant.cell_product,
        station_kind=StationKind.STACKING,
        setpoints={"sheet_count": 21},
    )
    api.force_authenticate(operator)
    assert api.get("/api/v1/products/T-CELL/").json() == {
        "code": "T-CELL",
        "name": "Test cell",
        "unit_kind": "cell",
        "description": "",
    }
    assert api.get("/api/v1/materials/?category=anode").json()["results"] == [
        {
            "code": "T-LI30",
            "name": "Li foil 30 um",
            "category": "anode",
            "uom": "m",
            "moisture_sensitive": False,
        }
    ]
    assert api.get("/api/v1/lines/").json()["results"] == [
        {"code": "T-LINE", "name": "Test line", "site": ""}
    ]
    assert api.get("/api/v1/equipment/?station=T-COATING").json()["results"] == [
        {
            "code": "EQ-COAT",
            "name": "Slot-die coater",
            "station": "T-COATING",
            "manufacturer": "X",
            "model_number": "",
            "serial_number": "",
        }
    ]
    assert api.get(f"/api/v1/recipes/{recipe.id}/").json() == {
        "id": recipe.id,
        "code": "RCP-STACK",
        "version": 1,
        "product": "T-CELL",
        "station_kind": "stacking",
        "setpoints": {"sheet_count": 21},
        "active": True,
    }


def test_work_orders_are_listed_and_retrieved_by_code(plant, operator, api):
    api.force_authenticate(operator)
    rows = api.get("/api/v1/work-orders/").json()["results"]
    assert [(row["code"], row["product"], row["route"]) for row in rows] == [
        ("T-WO-1", "T-CELL", "T-CELL-ROUTE")
    ]
    body = api.get("/api/v1/work-orders/T-WO-1/").json()
    assert (body["quantity_planned"], body["status"], body["due_at"]) == (100, "released", None)


def test_a_quality_engineer_creates_a_work_order(plant, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    payload = {
        "code": "WO-2",
        "route": "T-CELL-ROUTE",
        "quantity_planned": 20,
        "due_at": "2025-04-01T12:00:00Z",
    }
    response = api.post("/api/v1/work-orders/", payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("code", "product", "route", "quantity_planned", "due_at")} == {
        "code": "WO-2",
        "product": "T-CELL",
        "route": "T-CELL-ROUTE",
        "quantity_planned": 20,
        "due_at": "2025-04-01T12:00:00Z",
    }
    order = WorkOrder.objects.get(code="WO-2")
    assert (order.product, order.route, order.status) == (
        plant.cell_product,
        plant.cell_route,
        "released",
    )


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"code": "T-WO-1", "route": "T-CELL-ROUTE", "quantity_planned": 5}, 409, "code"),
        ({"code": "WO-3", "route": "NOPE", "quantity_planned": 5}, 404, "route"),
        ({"code": "WO-3", "route": "T-CELL-ROUTE", "quantity_planned": 0}, 400, "quantity_planned"),
    ],
)
def test_a_refused_work_order_changes_nothing(plant, quality_engineer, api, payload, status, field):
    api.force_authenticate(quality_engineer)
    response = api.post("/api/v1/work-orders/", payload, format="json")
    assert response.status_code == status
    assert list(response.json()["error"]["fields"]) == [field]
    assert list(WorkOrder.objects.values_list("code", flat=True)) == ["T-WO-1"]


def test_products_filter_by_unit_kind(plant, operator, api):
    api.force_authenticate(operator)
    assert api.get(f"/api/v1/products/?unit_kind={UnitKind.ROLL}").json()["results"] == []
    assert api.get(f"/api/v1/products/?unit_kind={UnitKind.CELL}").json()["count"] == 1
