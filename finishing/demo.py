"""Loading the demo's EOL grading, passport profile, supplier declarations and a graded batch
(fixtures/demo_grading.toml), idempotently, as part of `manage.py seed_demo`.

The batch is built through the services like real production: a slurry batch consumes lots, a
mother roll consumes the slurry and foil and is slit, cells are stacked from lane metres, moved
along R-CELL (the gates check their readings), aged, graded and passed or failed at EOL. Its
readings are stored as manual measurements and judged like any other.
"""

import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from finishing.grading import REJECT
from finishing.models import GradingScheme, PassportProfile
from finishing.services.grading import cells_grade
from lines import services as lines_services
from lines.choices import StationKind, UnitKind
from lines.models import LotDeclaration, Product, Route, Sample, SampleSource, Station, Unit
from quality import services

DEMO_GRADING = Path(settings.BASE_DIR) / "fixtures" / "demo_grading.toml"
SCHEME_FIELDS = (
    "ocv_window_mv",
    "ocv_min_v",
    "ocv_max_v",
    "k_max_mv_day",
    "acir_max_mohm",
    "capacity_min_ah",
    "min_readings",
    "min_span_days",
    "min_batch",
    "temp_coeff_mv_per_c",
    "reference_c",
    "grades",
    "required_at_eol",
)
Spec = dict[str, Any]


def load_demo_grading(*, path: Path = DEMO_GRADING, report: list[str]) -> None:
    data = tomllib.loads(path.read_text())
    scheme = _scheme(data["scheme"])
    _profile(data["profile"])
    declared = _declarations(data["declarations"])
    made = _batch(data["batch"], scheme)
    report.append(
        f"grading: scheme {scheme.code}; {declared} lot declarations recorded; "
        + (f"demo batch graded ({made})" if made else "demo batch already there")
    )


def _scheme(item: Spec) -> GradingScheme:
    product = Product.objects.get(code=item["product"])
    values = {name: item[name] for name in SCHEME_FIELDS if name in item}
    scheme, _ = GradingScheme.objects.get_or_create(
        code=item["code"], defaults={"product": product, "created_at": timezone.now(), **values}
    )
    return scheme


def _profile(item: Spec) -> None:
    product = Product.objects.get(code=item["product"])
    values = {k: v for k, v in item.items() if k != "product"}
    PassportProfile.objects.get_or_create(product=product, defaults=values)


def _declarations(items: list[Spec]) -> int:
    made = 0
    for item in items:
        lot = Unit.objects.get(identifier=item["lot"])
        if LotDeclaration.objects.filter(lot=lot).exists():
            continue
        lines_services.lot_declaration_record(
            lot=lot,
            mass_kg_per_uom=item["mass_kg_per_uom"],
            elements_pct=item.get("elements_pct", {}),
            recycled_pct=item.get("recycled_pct", {}),
            document=item.get("document", ""),
        )
        made += 1
    return made


def _measure(station: Station, unit: Unit, values: dict[str, float], at: datetime) -> None:
    """Readings as a technician keys them in: stored, then judged against the specs."""
    rows = Sample.objects.bulk_create(
        Sample(
            station=station,
            parameter=parameter,
            value=value,
            source_time=at,
            server_time=at,
            unit=unit,
            source=SampleSource.MANUAL,
        )
        for parameter, value in values.items()
    )
    stored = Sample.objects.filter(pk__in=[s.pk for s in rows]).select_related("station", "unit")
    services.samples_evaluate(samples=list(stored))


def _electrode(batch: Spec, at: datetime) -> list[Unit]:
    """Slurry from the lots, a mother roll coated from it on the foil, slit into lanes (at `at`:
    the units' histories then agree with the cells' operations, days later)."""
    lots = {u.identifier: u for u in Unit.objects.filter(kind=UnitKind.MATERIAL_LOT)}
    total_kg = sum(batch["slurry_kg"].values())
    slurry = lines_services.unit_create(
        identifier=batch["slurry"],
        kind=UnitKind.SLURRY_BATCH,
        quantity=total_kg,
        product=Product.objects.get(code="SLURRY-CAT"),
        at=at,
    )
    for lot, kg in batch["slurry_kg"].items():
        lines_services.unit_consume(child=slurry, parent=lots[lot], quantity=kg, at=at)
    length = batch["roll_length_m"]
    mother = lines_services.unit_create(
        identifier=batch["mother_roll"],
        kind=UnitKind.ROLL,
        quantity=length,
        product=Product.objects.get(code="CATH-ROLL"),
        at=at,
    )
    foil = lots[batch["foil_lot"]]
    lines_services.unit_consume(child=mother, parent=slurry, quantity=total_kg, at=at)
    lines_services.unit_consume(child=mother, parent=foil, quantity=length, at=at)
    return lines_services.roll_split(parent=mother, daughter_identifiers=batch["lanes"], at=at)


def _step(unit: Unit, kind: str, at: datetime, values: dict[str, float], hours: float) -> None:
    station = Station.objects.filter(kind=kind).earliest("code")
    operation = lines_services.operation_start(unit=unit, station=station, at=at)
    done = at + timedelta(hours=hours)
    if values:
        _measure(station, unit, values, done)
    lines_services.operation_complete(operation=operation, result="passed", at=done)


def _build_cell(batch: Spec, item: Spec, n: int, lane: Unit, start: datetime) -> Unit:
    lots = {
        u.identifier: u
        for u in Unit.objects.filter(identifier__in=[batch["li_lot"], batch["pouch_lot"]])
    }
    route = Route.objects.get(code="R-CELL")
    at = start + timedelta(seconds=30 * n)
    cell = lines_services.unit_create(
        identifier=item["serial"],
        kind=UnitKind.CELL,
        work_order=route.work_orders.first(),
        route=route,
        at=at,
    )
    station = Station.objects.filter(kind=StationKind.STACKING).earliest("code")
    operation = lines_services.operation_start(unit=cell, station=station, at=at)
    pitch = batch["cell_pitch_m"]
    lines_services.unit_consume(
        child=cell,
        parent=lane,
        position_from_m=n * pitch,
        position_to_m=(n + 1) * pitch,
        operation=operation,
        at=at,
    )
    lines_services.unit_consume(
        child=cell,
        parent=lots[batch["li_lot"]],
        quantity=batch["li_m_per_cell"],
        operation=operation,
        at=at,
    )
    lines_services.unit_consume(
        child=cell,
        parent=lots[batch["pouch_lot"]],
        quantity=batch["pouch_m_per_cell"],
        operation=operation,
        at=at,
    )
    done = at + timedelta(seconds=20)
    _measure(
        station, cell, {"alignment_mm": 0.03, "anode_overhang_mm": 0.8, "sheet_count": 21}, done
    )
    lines_services.operation_complete(operation=operation, result="passed", at=done)
    _step(
        cell,
        StationKind.DENSIFICATION,
        at + timedelta(hours=2),
        {"isostatic_pressure_mpa": 490.5, "temperature_c": 80.2},
        0.5,
    )
    _step(
        cell,
        StationKind.SEALING,
        at + timedelta(hours=3),
        {"seal_temperature_c": 190.4, "seal_time_s": 4.0},
        0.01,
    )
    _step(
        cell,
        StationKind.FORMATION,
        at + timedelta(hours=4),
        {
            "stack_pressure_mpa": 3.0,
            "capacity_ah": item["capacity_ah"],
            "first_cycle_efficiency_pct": 88.4,
        },
        48,
    )
    return cell


def _age(batch: Spec, item: Spec, cell: Unit, start: datetime, coeff: float) -> None:
    """OCV and cell temperature over the aging period, as the tester logs them, then ACIR."""
    eol = Station.objects.filter(kind=StationKind.EOL).earliest("code")
    for day, temp in zip(batch["aging_days"], batch["aging_temps_c"], strict=True):
        ocv_mv = 3652.0 + item["ocv_offset_mv"] - item["k_mv_day"] * day + coeff * (temp - 25.0)
        at = start + timedelta(days=day)
        _measure(eol, cell, {"ocv_v": round(ocv_mv / 1000.0, 6), "cell_temperature_c": temp}, at)
    end = start + timedelta(days=batch["aging_days"][-1])
    _measure(eol, cell, {"acir_mohm": item["acir_mohm"]}, end)


@transaction.atomic
def _batch(batch: Spec, scheme: GradingScheme) -> str:
    if Unit.objects.filter(identifier=batch["slurry"]).exists():
        return ""
    start = timezone.now() - timedelta(days=20)
    lane = _electrode(batch, start - timedelta(days=1))[0]
    cells = [_build_cell(batch, item, n, lane, start) for n, item in enumerate(batch["cells"])]
    aging = start + timedelta(days=3)
    eol = Station.objects.filter(kind=StationKind.EOL).earliest("code")
    end = aging + timedelta(days=batch["aging_days"][-1])
    operations = []
    for item, cell in zip(batch["cells"], cells, strict=True):
        _age(batch, item, cell, aging, scheme.temp_coeff_mv_per_c)
        operations.append(lines_services.operation_start(unit=cell, station=eol, at=end))
    run = cells_grade(cells=cells, scheme=scheme, batch=batch["label"])
    for grade, operation in zip(run.grades, operations, strict=True):
        result = "failed" if grade.grade == REJECT else "passed"
        lines_services.operation_complete(
            operation=operation, result=result, at=end + timedelta(minutes=2)
        )
    return ", ".join(f"{n} {g}" for g, n in sorted(run.counts.items()))
