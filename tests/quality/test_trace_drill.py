"""Trace drills (complete and broken chains) and the recall simulator with its one-signature hold."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lines import services as lines_services
from lines.choices import UnitStatus
from lines.models import Unit
from mes.errors import InvalidInput, RuleViolation
from quality.models import AuditEntry, Hold, HoldMember, Signature
from quality.selectors.trace_drill import recall_report, recall_suspects, trace_drill
from quality.services.recall import window_recall_hold
from tests.factories import (
    PASSWORD,
    add_samples,
    build_cathode_chain,
    make_cell,
    make_roll,
    receive,
)

pytestmark = pytest.mark.django_db


def test_a_drill_on_a_complete_chain_reports_it_complete(plant):
    lot, slurry, mother, lanes, cells = build_cathode_chain(plant)

    report = trace_drill(unit=cells[0])

    assert report["complete"] is True
    assert report["breaks"] == []
    assert report["backward"]["units"] == 5  # cell, lane, mother, slurry, lot
    assert report["backward"]["source_lots"] == [
        {"identifier": "LOT-NMC-1", "supplier": "Umicore", "supplier_lot": "SUP-LOT-NMC-1"}
    ]
    assert report["duration_ms"] >= report["backward"]["duration_ms"] >= 0
    forward = trace_drill(unit=lot)
    assert forward["complete"] is True
    assert forward["forward"]["cells"] == 6
    assert forward["forward"]["whereabouts"] == [{"status": "created", "station": None, "count": 6}]


def test_a_drill_on_a_broken_chain_reports_each_break(plant):
    # A roll whose slurry was never booked, and a cell with lithium foil but no cathode metres.
    orphan_roll = make_roll("MR-ORPHAN", "1200")
    stacked = make_cell(plant, "CELL-A")
    lines_services.unit_consume(
        child=stacked, parent=orphan_roll, position_from_m=Decimal(0), position_to_m=Decimal("1.2")
    )
    foil = lines_services.material_receive(
        material=plant.li_foil, identifier="LOT-LI-1", quantity=100, supplier="Albemarle",
        supplier_lot="ALB-1",
    )  # fmt: skip
    no_metres = make_cell(plant, "CELL-B")
    lines_services.unit_consume(child=no_metres, parent=foil, quantity=1)

    report = trace_drill(unit=stacked)
    assert report["complete"] is False
    assert report["breaks"] == [
        {
            "unit": "MR-ORPHAN",
            "kind": "roll",
            "problem": "no source recorded: consumes no material lot or unit",
        }
    ]
    from_foil = trace_drill(unit=foil)
    assert from_foil["breaks"] == [
        {
            "unit": "CELL-B",
            "kind": "cell",
            "problem": "no roll metres: the cathode sheets' source is not recorded",
        }
    ]
    assert trace_drill(unit=no_metres)["complete"] is False


def test_a_lot_without_its_supplier_lot_number_is_a_break(plant):
    lot, *_rest, cells = build_cathode_chain(plant, cells_per_lane=1)
    Unit.objects.filter(pk=lot.pk).update(supplier_lot="")  # an import that lost it
    report = trace_drill(unit=cells[0])
    assert report["breaks"] == [
        {"unit": "LOT-NMC-1", "kind": "material_lot", "problem": "no supplier lot number"}
    ]


def _stack(plant, cell, at):
    operation = lines_services.operation_start(unit=cell, station=plant.station("stacking"), at=at)
    lines_services.operation_complete(operation=operation, result="passed", at=at)


def test_the_suspects_of_a_unit_station_are_the_cells_worked_in_the_window(plant):
    t0 = timezone.now() - timedelta(hours=3)
    cells = [make_cell(plant, f"CELL-{n}") for n in range(5)]
    for n, cell in enumerate(cells):
        _stack(plant, cell, t0 + timedelta(minutes=30 * n))

    suspects = recall_suspects(
        station=plant.station("stacking"),
        start=t0 + timedelta(minutes=20),
        end=t0 + timedelta(minutes=95),
    )

    report = recall_report(suspects)
    assert [c["identifier"] for c in report["cells"]] == ["CELL-1", "CELL-2", "CELL-3"]
    assert report["whereabouts"] == [{"status": "in_process", "station": "T-STACKING", "count": 3}]
    with pytest.raises(InvalidInput, match="ends before it starts"):
        recall_suspects(station=plant.station("stacking"), start=t0, end=t0 - timedelta(1))


def _coated_and_stacked(plant, t0):
    """A mother roll coated at 8 m/min from t0 (a web position every 10 m), slit into two
    lanes, and three cells stacked from each lane at metres 400, 430 and 460."""
    from lines.choices import StationKind, UnitKind
    from lines.models import Route, RouteStep

    route = Route.objects.create(code="T-CATH", name="Cathode", product=plant.cell_product)
    RouteStep.objects.create(route=route, sequence=10, name="coating", station_kind="coating")
    mother = lines_services.unit_create(
        identifier="MR-1", kind=UnitKind.ROLL, quantity=Decimal(1200), route=route
    )
    lines_services.unit_consume(child=mother, parent=receive(plant, "LOT-1"), quantity=40)
    coater = plant.station(StationKind.COATING)
    operation = lines_services.operation_start(unit=mother, station=coater, at=t0)
    for metre in range(0, 1200, 10):
        add_samples(
            coater, "areal_loading_mg_cm2", [25.0], unit=mother, positions=[float(metre)],
            at=t0 + timedelta(seconds=7.5 * metre),
        )  # fmt: skip
    lines_services.operation_complete(
        operation=operation, result="passed", at=t0 + timedelta(seconds=9000)
    )
    for lane in lines_services.roll_split(parent=mother, daughter_identifiers=["MR-1-A", "MR-1-B"]):
        for n, start in enumerate((400, 430, 460)):
            cell = make_cell(plant, f"{lane.identifier}-C{n}")
            lines_services.unit_consume(
                child=cell, parent=lane, position_from_m=start, position_to_m=start + 1.2
            )
    return coater


def test_on_a_roll_station_the_suspects_are_bounded_by_the_metres_made_in_the_window(plant):
    t0 = timezone.now() - timedelta(hours=5)
    coater = _coated_and_stacked(plant, t0)

    window = recall_suspects(
        station=coater,
        start=t0 + timedelta(seconds=7.5 * 425),
        end=t0 + timedelta(seconds=7.5 * 465),
    )

    report = recall_report(window)
    assert [c["identifier"] for c in report["cells"]] == [
        "MR-1-A-C1", "MR-1-A-C2", "MR-1-B-C1", "MR-1-B-C2",
    ]  # fmt: skip
    assert report["sources"] == [{"unit": "MR-1", "bound": "metres 430..460", "cells": 4}]


def test_one_signature_holds_every_suspect_and_a_wrong_password_holds_none(plant, quality_engineer):
    t0 = timezone.now() - timedelta(hours=3)
    cells = [make_cell(plant, f"CELL-{n}") for n in range(4)]
    for n, cell in enumerate(cells):
        _stack(plant, cell, t0 + timedelta(minutes=10 * n))
    station, start, end = plant.station("stacking"), t0, t0 + timedelta(minutes=25)

    with pytest.raises(InvalidInput, match="password is not correct"):
        window_recall_hold(
            station=station, start=start, end=end, reason="misaligned stack", password="x",
            by=quality_engineer,
        )  # fmt: skip
    assert not Hold.objects.exists() and not Signature.objects.exists()
    assert {Unit.objects.get(pk=c.pk).status for c in cells} == {UnitStatus.IN_PROCESS}

    hold, report = window_recall_hold(
        station=station, start=start, end=end, reason="stacker fixture worn",
        password=PASSWORD, by=quality_engineer,
    )  # fmt: skip

    assert report["count"] == 3
    members = HoldMember.objects.filter(hold=hold).values_list("unit__identifier", flat=True)
    assert sorted(members) == ["CELL-0", "CELL-1", "CELL-2"]
    assert [Unit.objects.get(pk=c.pk).status for c in cells] == ["on_hold"] * 3 + ["in_process"]
    signature = Signature.objects.get()
    assert (signature.signer, signature.meaning, signature.record_id) == (
        quality_engineer,
        "recall hold",
        hold.pk,
    )
    assert '"cells":["CELL-0","CELL-1","CELL-2"]' in signature.content
    entry = AuditEntry.objects.get(entity="hold", entity_id=hold.pk, action="recall_signed")
    assert entry.after["hash"] == signature.content_hash


def test_a_window_with_nothing_made_in_it_holds_nothing(plant, quality_engineer):
    now = timezone.now()
    with pytest.raises(RuleViolation, match="nothing to hold"):
        window_recall_hold(
            station=plant.station("sealing"), start=now - timedelta(hours=1), end=now,
            reason="x", password=PASSWORD, by=quality_engineer,
        )  # fmt: skip


def test_drill_and_recall_through_the_api(api, plant, operator, quality_engineer):
    lot = receive(plant, "LOT-1")
    api.force_authenticate(operator)
    response = api.get(f"/api/v1/units/{lot.identifier}/trace-drill/")
    assert response.status_code == 200
    assert response.json()["complete"] is True
    t0 = timezone.now() - timedelta(hours=1)
    _stack(plant, make_cell(plant, "CELL-1"), t0)
    query = {"station": "T-STACKING", "start": (t0 - timedelta(minutes=1)).isoformat(),
             "end": (t0 + timedelta(minutes=1)).isoformat()}  # fmt: skip
    assert api.get("/api/v1/recalls/", query).json()["count"] == 1  # a preview is a read
    hold = {**query, "reason": "stacker misaligned", "password": PASSWORD}
    assert api.post("/api/v1/recalls/hold/", hold, format="json").status_code == 403
    api.force_authenticate(quality_engineer)
    response = api.post("/api/v1/recalls/hold/", hold, format="json")
    assert response.status_code == 201
    assert Hold.objects.get(pk=response.json()["hold"]).members.count() == 1
