"""Receiving material, creating made units, scrapping: happy paths and refusals."""

from decimal import Decimal

import pytest

from lines import services
from lines.choices import UnitKind, UnitStatus
from lines.models import Unit, UnitHistory
from mes.errors import InvalidInput, RuleViolation
from tests.factories import make_cell, receive


def test_receiving_a_lot_records_supplier_lot_and_full_quantity(plant, operator):
    lot = services.material_receive(
        material=plant.nmc,
        identifier="LOT-NMC-1",
        quantity="500",
        supplier="EcoPro BM",
        supplier_lot="EP-N811-2611-0042",
        by=operator,
    )
    lot.refresh_from_db()
    assert (lot.kind, lot.status, lot.uom) == (UnitKind.MATERIAL_LOT, UnitStatus.CREATED, "kg")
    assert (lot.quantity_initial, lot.quantity_remaining) == (Decimal("500"), Decimal("500"))
    assert (lot.supplier, lot.supplier_lot) == ("EcoPro BM", "EP-N811-2611-0042")
    history = UnitHistory.objects.get(unit=lot)
    assert (history.event, history.status_after, history.by) == ("created", "created", operator)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("quantity", {"quantity": "-1"}),
        ("quantity", {"quantity": "0"}),
        ("quantity", {"quantity": "NaN"}),
        ("quantity", {"quantity": "inf"}),
        ("quantity", {"quantity": "ten"}),
        ("supplier_lot", {"supplier_lot": "  "}),
        ("identifier", {"identifier": "LOT 1"}),
        ("identifier", {"identifier": "LOT/1"}),
        ("identifier", {"identifier": ""}),
    ],
)
def test_receiving_refuses_bad_input_and_stores_nothing(plant, field, kwargs):
    args = {
        "material": plant.nmc,
        "identifier": "LOT-X",
        "quantity": "5",
        "supplier": "S",
        "supplier_lot": "SL-1",
    } | kwargs
    with pytest.raises(InvalidInput) as refused:
        services.material_receive(**args)
    assert refused.value.field == field
    assert Unit.objects.count() == 0


def test_identifiers_are_unique(plant):
    receive(plant, "LOT-1")
    with pytest.raises(RuleViolation, match="already exists"):
        receive(plant, "LOT-1")
    assert Unit.objects.filter(identifier="LOT-1").count() == 1


def test_a_cell_is_created_at_the_first_step_of_its_work_orders_route(plant):
    cell = make_cell(plant, "CELL-0001")
    assert cell.route == plant.cell_route
    assert cell.product == plant.cell_product
    assert cell.current_step == plant.step("stacking")
    assert (cell.uom, cell.quantity_initial) == ("pcs", Decimal(1))


def test_material_lots_are_received_not_created(plant):
    with pytest.raises(InvalidInput) as refused:
        services.unit_create(identifier="LOT-9", kind=UnitKind.MATERIAL_LOT, quantity="1")
    assert refused.value.field == "kind"


def test_scrap_closes_the_open_operation_as_failed(plant, operator):
    cell = make_cell(plant, "CELL-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"), by=operator)

    services.unit_scrap(unit=cell, reason="Sheet misaligned 0.6 mm", by=operator)

    cell.refresh_from_db()
    operation.refresh_from_db()
    assert cell.status == UnitStatus.SCRAPPED
    assert (operation.result, operation.note) == ("failed", "scrapped: Sheet misaligned 0.6 mm")
    last = cell.history.order_by("-id").first()
    assert (last.event, last.status_before, last.reason) == (
        "scrapped",
        "in_process",
        "Sheet misaligned 0.6 mm",
    )


def test_scrap_needs_a_reason_and_is_final(plant):
    cell = make_cell(plant, "CELL-1")
    with pytest.raises(InvalidInput):
        services.unit_scrap(unit=cell, reason=" ")
    services.unit_scrap(unit=cell, reason="dropped")
    with pytest.raises(RuleViolation, match="scrapped"):
        services.unit_scrap(unit=cell, reason="again")
    assert cell.history.filter(event="scrapped").count() == 1
