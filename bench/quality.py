"""Quality benchmarks: evaluation throughput and hold propagation, each against a naive baseline
measured in the same run. Nothing is left behind: database work runs in a rolled-back transaction.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mes_bench .venv/bin/python -m bench.quality

Hold propagation needs a generated history (python -m bench.genealogy first, or
manage.py generate_history --cells N); without one it is reported as skipped. SPC rules are timed
by bench/spc.py.
"""

import argparse
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from lines import selectors  # noqa: E402
from lines.choices import UnitKind, UnitStatus  # noqa: E402
from lines.models import Sample, Station, Unit, UnitHistory  # noqa: E402
from quality import services  # noqa: E402
from quality.evaluation import Limits, evaluate  # noqa: E402


class _Rollback(Exception):
    pass


def _best_of(repeats: int, run) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def naive_evaluate(values: list[float], statuses: list[int], lsl: float, usl: float) -> list[int]:
    """The per-value loop that evaluate() replaces (same verdict codes)."""
    out = []
    for value, status in zip(values, statuses, strict=True):
        if status != 0 or value != value or value in (float("inf"), float("-inf")):
            out.append(3)
        elif value < lsl:
            out.append(1)
        elif value > usl:
            out.append(2)
        else:
            out.append(0)
    return out


def bench_evaluate(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    values = rng.normal(25.0, 0.2, n)  # areal loading, mg/cm2
    values[rng.integers(0, n, n // 1000)] = np.nan
    statuses = np.zeros(n, dtype=np.int64)
    limits = Limits(lsl=24.5, usl=25.5)
    vectorised = _best_of(5, lambda: evaluate(values, statuses, limits))
    as_lists = (values.tolist(), statuses.tolist())
    naive = _best_of(3, lambda: naive_evaluate(*as_lists, 24.5, 25.5))
    same = evaluate(values, statuses, limits).tolist() == naive_evaluate(*as_lists, 24.5, 25.5)
    return {
        "samples": n,
        "vectorised_s": vectorised,
        "naive_s": naive,
        "same_verdicts": same,
        "vectorised_per_s": n / vectorised,
        "naive_per_s": n / naive,
        "ratio": naive / vectorised,
    }


def _store_samples(station: Station, unit: Unit, n: int) -> list[Sample]:
    rng = np.random.default_rng(11)
    now = timezone.now()
    values = rng.normal(25.0, 0.15, n)
    values[n // 2 : n // 2 + 50] = 23.8  # a thin segment of 50 readings
    rows = [
        Sample(
            station=station,
            parameter="bench_loading_mg_cm2",
            value=float(v),
            source_time=now,
            server_time=now,
            unit=unit,
            position_m=i * 0.01,
        )
        for i, v in enumerate(values)
    ]
    Sample.objects.bulk_create(rows, batch_size=5000)
    return list(
        Sample.objects.filter(parameter="bench_loading_mg_cm2").select_related("station", "unit")
    )


def bench_samples_evaluate(n: int) -> dict[str, Any]:
    """The whole service: spec resolution, grouping, vectorised judging, segment flag and hold."""
    result: dict[str, Any] = {"samples": n}
    try:
        with transaction.atomic():
            station = Station.objects.filter(kind="coating").first()
            if station is None:
                return {"skipped": "no coating station: run manage.py seed_demo"}
            services.spec_create(
                parameter="bench_loading_mg_cm2",
                unit_of_measure="mg/cm2",
                station_kind="coating",
                limits={"lsl": 24.5, "usl": 25.5},
                reason="bench",
            )
            roll = Unit.objects.create(
                identifier=f"BENCH-ROLL-{time.time_ns()}",
                kind=UnitKind.ROLL,
                uom="m",
                quantity_initial=2000,
                quantity_remaining=2000,
                created_at=timezone.now(),
                updated_at=timezone.now(),
            )
            samples = _store_samples(station, roll, n)
            began = time.perf_counter()
            flags = services.samples_evaluate(samples=samples)
            result["service_s"] = time.perf_counter() - began
            result["service_per_s"] = n / result["service_s"]
            result["flags"] = len(flags)
            raise _Rollback
    except _Rollback:
        pass
    return result


def _lot_reaching_most_cells() -> Unit | None:
    lots = Unit.objects.filter(kind=UnitKind.MATERIAL_LOT, material__code="NMC811").order_by("-id")[
        :6
    ]
    best, best_cells = None, 0
    for lot in lots:
        cells = len(selectors.trace_forward(unit=lot).unit_ids(kind=UnitKind.CELL))
        if cells > best_cells:
            best, best_cells = lot, cells
    return best


def _naive_hold(unit_ids: list[int]) -> None:
    """One ORM read, save and history row per unit: what a save()-hooked history would do."""
    for unit in Unit.objects.filter(id__in=unit_ids).iterator():
        before = unit.status
        unit.held_from_status, unit.status = before, UnitStatus.ON_HOLD
        unit.save(update_fields=["status", "held_from_status"])
        UnitHistory.objects.create(
            unit=unit,
            at=timezone.now(),
            event="hold_placed",
            status_before=before,
            status_after="on_hold",
            reason="bench",
        )


def bench_hold(naive_units: int) -> dict[str, Any]:
    lot = _lot_reaching_most_cells()
    if lot is None:
        return {
            "skipped": "no generated history: run python -m bench.genealogy or generate_history"
        }
    result: dict[str, Any] = {"lot": lot.identifier}
    try:
        with transaction.atomic():
            began = time.perf_counter()
            hold = services.hold_place(
                unit=lot, reason="bench: supplier says the powder may be wet"
            )
            result["hold_s"] = time.perf_counter() - began
            result["members"] = hold.members.count()
            result["history_rows"] = UnitHistory.objects.filter(
                reason__startswith=f"hold {hold.pk}:"
            ).count()
            result["cells_held"] = Unit.objects.filter(
                hold_memberships__hold=hold, kind="cell", status="on_hold"
            ).count()
            raise _Rollback
    except _Rollback:
        pass
    ids = [lot.id, *selectors.trace_forward(unit=lot).unit_ids()][:naive_units]
    try:
        with transaction.atomic():
            began = time.perf_counter()
            _naive_hold(ids)
            per_unit = (time.perf_counter() - began) / len(ids)
            raise _Rollback
    except _Rollback:
        pass
    result["naive_units_timed"] = len(ids)
    result["naive_s_scaled"] = per_unit * result["members"]
    result["ratio"] = result["naive_s_scaled"] / result["hold_s"]
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--naive-hold-units", type=int, default=2000)
    args = parser.parse_args(argv)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "evaluate": bench_evaluate(args.samples),
        "samples_evaluate": bench_samples_evaluate(args.samples),
        "hold": bench_hold(args.naive_hold_units),
    }
    print(
        json.dumps(
            results, indent=2, default=lambda v: round(v, 4) if isinstance(v, float) else str(v)
        )
    )
    out = Path(settings.VAR_DIR) / "bench" / f"quality-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    return results


if __name__ == "__main__":
    main()
