"""The work of bench.passport (imported once Django is set up): aging readings for a generated
history's finished cells, supplier declarations for its lots, and the timed paths with their
per-cell baselines."""

import json
import statistics
import time
from datetime import timedelta
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from finishing.grading import KFit, fit_k, grade_cells
from finishing.models import GradingScheme, PassportProfile
from finishing.passport import qr_svg
from finishing.selectors.passport import passport_of, passports_of
from finishing.services.grading import cells_grade
from lines import services as lines_services
from lines.choices import UnitKind, UnitStatus
from lines.models import Product, Sample, Station, Unit
from lines.selectors import usable_samples

AGING_DAYS = (0.0, 3.0, 7.0, 10.0, 14.0)
NMC_RECYCLED = {
    "Co": {"pre_consumer": 4.0, "post_consumer": 12.0},
    "Ni": {"post_consumer": 5.0},
    "Li": {"post_consumer": 5.0},
}
DECLARED = {  # material code -> (kg per uom, element %, recycled %); the demo's declarations
    "NMC811": (1.0, {"Li": 7.13, "Ni": 48.27, "Mn": 5.65, "Co": 6.06}, NMC_RECYCLED),
    "LPSCL": (1.0, {"Li": 15.52, "P": 11.54, "S": 59.73, "Cl": 13.21}, {"Li": {"post_consumer": 0.0}}),
    "CB-C65": (1.0, {"C": 99.9}, {}),
    "BND-HNBR": (1.0, {"C": 78.0, "H": 10.0, "N": 12.0}, {}),
    "AL12": (0.010, {"Al": 99.5}, {}),
    "LI30": (0.0016, {"Li": 99.9}, {"Li": {"post_consumer": 0.0}}),
    "POUCH-AL": (0.018, {"Al": 40.0}, {}),
}  # fmt: skip


def finished_cells(prefix: str, limit: int) -> list[Unit]:
    cells = Unit.objects.filter(
        kind=UnitKind.CELL,
        identifier__startswith=f"{prefix}-",
        status__in=[UnitStatus.RELEASED, UnitStatus.SHIPPED],
    ).select_related("product", "work_order", "current_step")
    return list(cells.order_by("id")[:limit])


def ensure_master(prefix: str) -> GradingScheme:
    """The demo's grading scheme and passport profile, and declarations for the history's lots."""
    from finishing.demo import load_demo_grading

    load_demo_grading(report=[])
    lots = Unit.objects.filter(
        kind=UnitKind.MATERIAL_LOT, identifier__startswith=f"{prefix}-", declaration__isnull=True
    ).select_related("material")
    for lot in lots:
        if lot.material.code in DECLARED:
            mass, elements, recycled = DECLARED[lot.material.code]
            lines_services.lot_declaration_record(
                lot=lot, mass_kg_per_uom=mass, elements_pct=elements, recycled_pct=recycled
            )
    PassportProfile.objects.get(product=Product.objects.get(code="SSB-10AH"))
    return GradingScheme.objects.get(code="SSB-10AH-EOL")


def _reading_rows(cells: list[Unit], seed: int) -> list[tuple]:
    """Per cell: 5 OCV readings with the cell temperature over 14 days, ACIR, capacity."""
    rng = np.random.default_rng(seed)
    n = len(cells)
    k = rng.lognormal(np.log(0.12), 0.45, n)  # mV/day: most 0.05-0.3, a tail above 0.5
    offset = rng.normal(0.0, 1.8, n)  # mV around 3.652 V
    acir = rng.normal(1.24, 0.09, n)
    capacity = rng.normal(10.08, 0.07, n)
    eol = Station.objects.get(code="EOL-01")
    formation = Station.objects.get(code="FORM-01")
    start = timezone.now() - timedelta(days=20)
    rows = []
    for i, cell in enumerate(cells):
        for day in AGING_DAYS:
            at = start + timedelta(days=day, seconds=i)
            temp = float(rng.uniform(22.0, 28.0))
            ocv = (3652.0 + offset[i] - k[i] * day + 0.1 * (temp - 25.0)) / 1000.0
            rows.append((eol.id, "ocv_v", float(ocv), at, cell.id))
            rows.append((eol.id, "cell_temperature_c", temp, at, cell.id))
        end = start + timedelta(days=AGING_DAYS[-1], seconds=i)
        rows.append((eol.id, "acir_mohm", float(acir[i]), end, cell.id))
        rows.append((formation.id, "capacity_ah", float(capacity[i]), start, cell.id))
    return rows


def seed_readings(cells: list[Unit], seed: int) -> int:
    """Store the readings (COPY on PostgreSQL), unless these cells already have them."""
    if usable_samples(Sample.objects.filter(unit=cells[0], parameter="ocv_v")).exists():
        return 0
    rows = _reading_rows(cells, seed)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            columns = (
                "station_id, parameter, node_id, raw_value, value, source_time, server_time, "
                "status_code, unit_id, source, rejected_reason"
            )
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {Sample._meta.db_table} ({columns}) FROM STDIN") as copy,
            ):
                for station, parameter, value, at, unit in rows:
                    copy.write_row(
                        (station, parameter, "", "", value, at, at, 0, unit, "manual", "")
                    )
        else:
            Sample.objects.bulk_create(
                (
                    Sample(
                        station_id=s, parameter=p, value=v, source_time=t, server_time=t, unit_id=u
                    )
                    for s, p, v, t, u in rows
                ),
                batch_size=5000,
            )
    return len(rows)


def naive_grade(cells: list[Unit], scheme: GradingScheme) -> list[str]:
    """The per-cell loop the service replaces: an ORM query per cell and parameter, np.polyfit
    per cell, the median over the batch, then the same rules (no writes)."""
    rules, last, ks, acirs, caps = scheme.rules(), [], [], [], []
    for cell in cells:
        mine = usable_samples(Sample.objects.filter(unit=cell))
        ocv = list(
            mine.filter(parameter="ocv_v")
            .order_by("source_time")
            .values_list("source_time", "value")
        )
        temps = dict(
            mine.filter(parameter="cell_temperature_c").values_list("source_time", "value")
        )
        t = np.array([a.timestamp() / 86400.0 for a, _ in ocv])
        y = np.array(
            [v * 1000.0 - rules.temp_coeff_mv_per_c * (temps.get(a, 25.0) - 25.0) for a, v in ocv]
        )
        ks.append(-np.polyfit(t - t.mean(), y, 1)[0])
        last.append(y[-1] / 1000.0)
        acirs.append(
            mine.filter(parameter="acir_mohm")
            .order_by("-source_time")
            .values_list("value", flat=True)
            .first()
        )
        caps.append(
            mine.filter(parameter="capacity_ah")
            .order_by("-source_time")
            .values_list("value", flat=True)
            .first()
        )
    n = len(cells)
    fit = KFit(
        np.array(ks), np.zeros(n), np.array(last), np.full(n, 5), np.full(n, 14.0), np.zeros(n)
    )
    return grade_cells(fit, np.array(acirs, dtype=float), np.array(caps, dtype=float), rules).grades


def math_only(cells: int, seed: int) -> dict[str, Any]:
    """The K fit alone on in-memory arrays: vectorised fit_k against np.polyfit per cell."""
    rng = np.random.default_rng(seed)
    cell = np.repeat(np.arange(cells), len(AGING_DAYS))
    t = np.tile(np.array(AGING_DAYS), cells) + 20_400.0
    temp = rng.uniform(22, 28, t.shape)
    k = rng.lognormal(np.log(0.12), 0.45, cells)
    noise = rng.normal(0, 0.05, t.shape)
    ocv = (3652.0 - k[cell] * (t - 20_400.0) + 0.1 * (temp - 25.0) + noise) / 1000.0
    scheme_rules = GradingScheme.objects.get(code="SSB-10AH-EOL").rules()
    began = time.perf_counter()
    fit = fit_k(cell, t, ocv, temp, cells=cells, rules=scheme_rules)
    vectorised = time.perf_counter() - began
    n_loop = min(cells, 20_000)
    y = ocv * 1000.0 - 0.1 * (temp - 25.0)
    began = time.perf_counter()
    loop = [-np.polyfit(t[cell == i], y[cell == i], 1)[0] for i in range(n_loop)]
    per_cell = (time.perf_counter() - began) / n_loop
    same = np.allclose(fit.k_mv_day[:n_loop], loop, atol=1e-6)
    return {
        "cells": cells,
        "fit_k_s": round(vectorised, 4),
        "polyfit_loop_s_scaled": round(per_cell * cells, 2),
        "polyfit_loop_cells_timed": n_loop,
        "same_k": bool(same),
        "ratio": round(per_cell * cells / vectorised, 1),
    }


def timed(run) -> tuple[float, Any]:  # noqa: ANN001
    began = time.perf_counter()
    out = run()
    return time.perf_counter() - began, out


def by_work_order(cells: list[Unit]) -> list[list[Unit]]:
    """Grading batches: the cells of one work order aged together."""
    groups: dict[int | None, list[Unit]] = {}
    for cell in cells:
        groups.setdefault(cell.work_order_id, []).append(cell)
    return list(groups.values())


def grade_all(cells: list[Unit], scheme: GradingScheme) -> dict[str, Any]:
    counts: dict[str, int] = {}
    seconds, runs = timed(
        lambda: [cells_grade(cells=b, scheme=scheme) for b in by_work_order(cells)]
    )
    for run in runs:
        for grade, n in run.counts.items():
            counts[grade] = counts.get(grade, 0) + n
    return {"cells": len(cells), "batches": len(runs), "seconds": round(seconds, 2),
            "cells_per_s": round(len(cells) / seconds), "grades": counts}  # fmt: skip


def passports_all(cells: list[Unit]) -> dict[str, Any]:
    seconds, passports = timed(lambda: passports_of(units=cells, qr=False))
    json_s, size = timed(lambda: sum(len(json.dumps(p)) for p in passports))
    missing = statistics.median(len(p["missing"]) for p in passports)
    return {"cells": len(cells), "seconds": round(seconds, 2), "json_seconds": round(json_s, 2),
            "cells_per_s": round(len(cells) / seconds), "json_mb": round(size / 1e6, 1),
            "median_missing_fields": missing}  # fmt: skip


def per_cell(cells: list[Unit], run) -> dict[str, Any]:  # noqa: ANN001
    seconds, _ = timed(lambda: [run(c) for c in cells])
    return {"cells_timed": len(cells), "ms_per_cell": round(1000 * seconds / len(cells), 3)}


def qr_cost(cells: list[Unit]) -> dict[str, Any]:
    link = "https://id.example.com/01/09506000134352/21/"
    return per_cell(cells, lambda c: qr_svg(link + c.identifier))


def agree(cells: list[Unit]) -> bool:
    """Bulk and single passports must be the same documents (else the timing compares apples
    with pears)."""
    return passports_of(units=cells, qr=False) == [passport_of(unit=c, qr=False) for c in cells]
