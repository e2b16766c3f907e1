"""EOL grading of stored readings (finishing.services.cells_grade): grades stored and audited, the
batch-median rule over a real batch, and the EOL gate refusing a rejected or ungraded cell."""

from datetime import timedelta

import pytest
from django.utils import timezone

from finishing import services
from finishing.models import CellGrade, GradingScheme
from lines import services as lines_services
from lines.models import Operation
from mes.errors import InvalidInput, RuleViolation
from quality.models import AuditEntry
from tests.factories import add_samples, make_cell, receive

pytestmark = pytest.mark.django_db

GRADES = [
    {"name": "A", "k_max_mv_day": 0.15, "acir_max_mohm": 1.3, "capacity_min_ah": 10.0},
    {"name": "B", "k_max_mv_day": 0.3, "acir_max_mohm": 1.5, "capacity_min_ah": 9.9},
    {"name": "C", "k_max_mv_day": 0.5, "acir_max_mohm": 1.6, "capacity_min_ah": 9.8},
]


def make_scheme(**overrides):
    fields = {
        "code": "SSB-10AH-EOL",
        "ocv_min_v": 3.60,
        "ocv_max_v": 3.70,
        "k_max_mv_day": 0.5,
        "acir_max_mohm": 1.6,
        "capacity_min_ah": 9.8,
        "temp_coeff_mv_per_c": 0.2,
        "grades": GRADES,
        "created_at": timezone.now(),
    } | overrides
    return GradingScheme.objects.create(**fields)


def age(plant, cell, *, start_mv, k, acir=1.2, capacity=10.1, days=(0, 3, 7, 14), temp=25.0):
    """Aging readings as the EOL tester logs them: OCV and cell temperature at the same time."""
    eol, formation = plant.station("eol"), plant.station("formation")
    begin = timezone.now() - timedelta(days=15)
    for day in days:
        at = begin + timedelta(days=day)
        ocv = (start_mv - k * day + 0.2 * (temp - 25.0)) / 1000.0
        add_samples(eol, "ocv_v", [ocv], unit=cell, at=at)
        add_samples(eol, "cell_temperature_c", [temp], unit=cell, at=at)
    add_samples(formation, "capacity_ah", [capacity], unit=cell, at=begin)
    add_samples(eol, "acir_mohm", [acir], unit=cell, at=begin + timedelta(days=days[-1]))


def test_a_batch_is_graded_and_every_grade_is_audited(plant, quality_engineer):
    scheme = make_scheme()
    cells = [make_cell(plant, f"CELL-{n}") for n in range(6)]
    for n, cell in enumerate(cells[:5]):
        age(plant, cell, start_mv=3652.0 + n * 0.2, k=0.1, temp=22.0 + n)
    age(plant, cells[5], start_mv=3662.0, k=0.1)  # ~9.5 mV above the others' median

    run = services.cells_grade(cells=cells, scheme=scheme, batch="AGING-1", by=quality_engineer)

    grades = {g.unit.identifier: g for g in CellGrade.objects.select_related("unit")}
    assert [grades[c.identifier].grade for c in cells] == ["A"] * 5 + ["reject"]
    assert run.counts == {"A": 5, "reject": 1}
    first = grades["CELL-0"]
    assert first.k_mv_day == pytest.approx(0.1, abs=1e-6)
    assert first.ocv_v == pytest.approx(3.6506, abs=1e-7)  # 3652 - 14 x 0.1 mV, at 25 degC
    assert first.ocv_median_v == pytest.approx(3.6511, abs=1e-7)  # 6 cells: mean of 3rd, 4th
    assert (first.readings, first.aging_days, first.acir_mohm) == (4, 14.0, 1.2)
    assert grades["CELL-5"].reasons == ["OCV from the batch median 9.5 beyond +-5 mV"]
    audit = AuditEntry.objects.filter(entity="cell_grade", action="graded")
    assert audit.count() == 6
    entry = audit.get(entity_id=grades["CELL-5"].pk)
    assert (entry.by, entry.after["grade"], entry.after["batch"]) == (
        quality_engineer,
        "reject",
        "AGING-1",
    )


def test_too_small_a_batch_is_refused_and_nothing_is_stored(plant):
    scheme = make_scheme()
    cells = [make_cell(plant, f"CELL-{n}") for n in range(4)]
    for cell in cells:
        age(plant, cell, start_mv=3652.0, k=0.1)
    with pytest.raises(RuleViolation, match="4 of 4 cells have an OCV .* at least 5"):
        services.cells_grade(cells=cells, scheme=scheme)
    assert not CellGrade.objects.exists()
    assert not AuditEntry.objects.filter(entity="cell_grade").exists()


def test_only_cells_are_graded(plant):
    with pytest.raises(InvalidInput, match="Only cells are graded; not LOT-1"):
        services.cells_grade(cells=[receive(plant, "LOT-1")], scheme=make_scheme())


def _to_eol(plant, cell):
    for name, _kind in [("stacking", 0), ("densification", 0), ("sealing", 0), ("formation", 0)]:
        op = lines_services.operation_start(unit=cell, station=plant.station(name))
        lines_services.operation_complete(operation=op, result="passed")
    return lines_services.operation_start(unit=cell, station=plant.station("eol"))


def test_the_eol_gate_refuses_a_rejected_cell_and_lets_a_graded_one_pass(plant):
    scheme = make_scheme()
    cells = [make_cell(plant, f"CELL-{n}") for n in range(6)]
    for n, cell in enumerate(cells):
        age(plant, cell, start_mv=3652.0, k=0.1, acir=1.7 if n == 5 else 1.2)
    services.cells_grade(cells=cells, scheme=scheme)

    rejected = _to_eol(plant, cells[5])
    with pytest.raises(RuleViolation, match=r"CELL-5 cannot pass EOL: graded reject \(ACIR 1.7"):
        lines_services.operation_complete(operation=rejected, result="passed")
    assert Operation.objects.get(pk=rejected.pk).completed_at is None
    lines_services.operation_complete(operation=rejected, result="failed")  # always recordable

    passed = _to_eol(plant, cells[0])
    lines_services.operation_complete(operation=passed, result="passed")
    cells[0].refresh_from_db()
    assert cells[0].status == "released"


def test_a_scheme_that_requires_a_grade_stops_an_ungraded_cell_at_eol(plant):
    make_scheme(required_at_eol=True)
    cell = make_cell(plant, "CELL-1")
    operation = _to_eol(plant, cell)
    with pytest.raises(RuleViolation, match="CELL-1 cannot pass EOL: it has no grade yet"):
        lines_services.operation_complete(operation=operation, result="passed")
