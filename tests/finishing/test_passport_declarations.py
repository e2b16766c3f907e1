"""Supplier lot declarations (lines.services.lot_declaration_record), the passport's source of
element and recycled content: what is recorded, and what is refused with nothing written."""

import pytest

from lines import services
from lines.models import LotDeclaration
from mes.errors import InvalidInput, RuleViolation
from tests.factories import make_cell, receive

pytestmark = pytest.mark.django_db

NMC = {"Li": 7.13, "Ni": 48.27, "Mn": 5.65, "Co": 6.06}


def test_a_declaration_is_recorded_once(plant, quality_engineer):
    lot = receive(plant, "LOT-1")
    declared = services.lot_declaration_record(
        lot=lot,
        mass_kg_per_uom=1.0,
        elements_pct=NMC,
        recycled_pct={"Co": {"pre_consumer": 4, "post_consumer": 12}},
        document=" COA-1 ",
        by=quality_engineer,
    )
    assert (declared.elements_pct, declared.document) == (NMC, "COA-1")
    assert declared.recycled_pct == {"Co": {"pre_consumer": 4.0, "post_consumer": 12.0}}
    with pytest.raises(RuleViolation, match="LOT-1 already has a supplier declaration"):
        services.lot_declaration_record(lot=lot, mass_kg_per_uom=1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mass_kg_per_uom": 0}, "mass_kg_per_uom must be above zero"),
        ({"elements_pct": {"Ni": 101}}, r"elements_pct.Ni must be 0..100 %"),
        ({"elements_pct": {"Ni": 60, "Co": 50}}, "add up to more than 100 %"),
        ({"recycled_pct": {"Co": {"post": 5}}}, "must give pre_consumer and/or post_consumer"),
        ({"recycled_pct": {"Co": {"pre_consumer": 60, "post_consumer": 50}}}, "Recycled Co adds"),
        ({"elements_pct": {"Li": "NaN"}}, r"elements_pct.Li must be 0..100 %"),
    ],
)
def test_impossible_figures_are_refused_and_nothing_is_written(plant, kwargs, message):
    lot = receive(plant, "LOT-1")
    with pytest.raises(InvalidInput, match=message):
        services.lot_declaration_record(lot=lot, **({"mass_kg_per_uom": 1.0} | kwargs))
    assert not LotDeclaration.objects.exists()


def test_only_material_lots_carry_a_declaration(plant):
    with pytest.raises(InvalidInput, match="CELL-1 is not a material lot"):
        services.lot_declaration_record(lot=make_cell(plant, "CELL-1"), mass_kg_per_uom=1.0)
