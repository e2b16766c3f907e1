"""The lines admin: every model opens (changelist with a search, change or view page), the unit
tables are read-only, and a unit changelist costs the same few queries however many rows it shows."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lines import services
from lines.models import (
    Equipment,
    GenealogyEdge,
    Operation,
    Recipe,
    Sample,
    Unit,
    UnitHistory,
)
from tests.factories import PASSWORD, make_cell, make_roll, receive


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("ada.admin", "ada@example.com", PASSWORD)
    client.force_login(user)
    return client


@pytest.fixture
def objects(plant):
    """One object of every lines model."""
    lot = receive(plant, "LOT-1", "50")
    roll = make_roll("ROLL-1")
    cell = make_cell(plant, "C-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    edge = services.unit_consume(child=roll, parent=lot, quantity="10")
    equipment = Equipment.objects.create(
        station=plant.station("coating"), code="EQ-1", name="Slot-die coater"
    )
    recipe = Recipe.objects.create(
        code="RCP-1", product=plant.cell_product, station_kind="stacking", setpoints={}
    )
    now = timezone.now()
    sample = Sample.objects.create(
        station=plant.station("coating"),
        parameter="web_speed_m_min",
        value=8.0,
        source_time=now,
        server_time=now,
        unit=roll,
        position_m=12.5,
    )
    return {
        "line": (plant.line, "T-LINE"),
        "station": (plant.station("coating"), "COAT"),
        "equipment": (equipment, "EQ"),
        "material": (plant.nmc, "NMC"),
        "product": (plant.cell_product, "CELL"),
        "recipe": (recipe, "RCP"),
        "route": (plant.cell_route, "ROUTE"),
        "workorder": (plant.work_order, "WO"),
        "unit": (lot, "SUP-LOT"),
        "unithistory": (UnitHistory.objects.get(unit=roll), "ROLL-1"),
        "operation": (operation, "C-1"),
        "genealogyedge": (edge, "ROLL-1"),
        "sample": (sample, "ROLL-1"),
    }


MODELS = [
    "line",
    "station",
    "equipment",
    "material",
    "product",
    "recipe",
    "route",
    "workorder",
    "unit",
    "unithistory",
    "operation",
    "genealogyedge",
    "sample",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_opens_with_a_search_that_finds_the_object(admin_client, objects, model):
    obj, term = objects[model]
    response = admin_client.get(reverse(f"admin:lines_{model}_changelist"), {"q": term})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [obj]


@pytest.mark.parametrize("model", MODELS)
def test_every_change_or_view_page_opens(admin_client, objects, model):
    obj, _term = objects[model]
    response = admin_client.get(reverse(f"admin:lines_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["unit", "unithistory", "operation", "genealogyedge", "sample"])
def test_unit_records_are_read_only(admin_client, objects, model):
    obj, _term = objects[model]
    assert admin_client.get(reverse(f"admin:lines_{model}_add")).status_code == 403
    page = admin_client.get(reverse(f"admin:lines_{model}_change", args=[obj.pk]))
    assert page.context["has_change_permission"] is False
    assert b'name="_save"' not in page.content
    assert (
        admin_client.get(reverse(f"admin:lines_{model}_delete", args=[obj.pk])).status_code == 403
    )


def test_posting_to_a_unit_page_changes_nothing(admin_client, objects):
    lot, _term = objects["unit"]
    url = reverse("admin:lines_unit_change", args=[lot.pk])
    response = admin_client.post(url, {"status": "scrapped", "quantity_remaining": "0"})
    assert response.status_code == 403
    lot.refresh_from_db()
    assert (lot.status, lot.quantity_remaining) == ("created", 40)


def test_master_data_is_editable(admin_client, objects):
    equipment, _term = objects["equipment"]
    page = admin_client.get(reverse("admin:lines_equipment_change", args=[equipment.pk]))
    assert b'name="_save"' in page.content
    assert admin_client.get(reverse("admin:lines_route_add")).status_code == 200


def _changelist_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ["unit", "operation", "genealogyedge", "unithistory"])
def test_a_changelist_costs_the_same_queries_for_one_row_or_many(
    admin_client, objects, plant, model
):
    url = reverse(f"admin:lines_{model}_changelist")
    few = _changelist_queries(admin_client, url)
    lot = receive(plant, "LOT-2", "100")
    for number in range(6):
        cell = make_cell(plant, f"C-X{number}")
        services.operation_start(unit=cell, station=plant.station("stacking"))
        services.unit_consume(child=cell, parent=lot, quantity="1")
    assert Operation.objects.count() > 5 and GenealogyEdge.objects.count() > 5
    assert Unit.objects.count() > 9
    assert _changelist_queries(admin_client, url) == few
