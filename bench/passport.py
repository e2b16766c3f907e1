"""EOL grading and battery passport benchmark: `python -m bench.passport --cells 100000`
(see bench/README.md).

Generates (or, with --reuse, reuses) a history with lines.history, stores aging readings for
its finished cells (5 OCV + cell temperature over 14 days, ACIR, capacity) and declarations
for its lots, then times, in one transaction that is rolled back: grading every cell (one
batch per work order, through finishing.services.cells_grade: load, fit, grade, store, audit)
and their passports (quality.selectors.passports_of, one load for all), each against a per-cell
baseline measured in the same run on a sample and scaled: the naive per-cell grading loop (ORM
queries and np.polyfit per cell), the single-cell passport path (passport_of, as the API runs
it), and the QR SVG per cell. Prints a table and writes JSON to <var>/bench/passport-<UTC>.json.
"""

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class _Rollback(Exception):
    pass


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.passport", description=__doc__)
    parser.add_argument("--cells", type=int, default=100_000, help="finished cells to grade")
    parser.add_argument("--reuse", action="store_true", help="use the latest history")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--naive", type=int, default=1000, help="cells timed per-cell")
    parser.add_argument("--out-dir", type=Path)
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction

    from bench import measure
    from bench import passport_work as work

    generation = None
    if not args.reuse:
        # ~3 % of a history is scrapped or still on the line: make enough to have `cells` done.
        generation = measure.generate(cells=int(args.cells * 1.06) + 50, seed=args.seed)
    prefix = generation["prefix"] if generation else measure.latest_prefix()
    cells = work.finished_cells(prefix, args.cells)
    scheme = work.ensure_master(prefix)
    seeded = work.seed_readings(cells, args.seed)
    results: dict[str, Any] = {"prefix": prefix, "readings_stored": seeded}
    sample = cells[: args.naive]
    results["math"] = work.math_only(len(cells), args.seed)
    try:
        with transaction.atomic():
            results["naive_grading"] = _naive_grading(work, sample, scheme)
            results["grading"] = work.grade_all(cells, scheme)
            results["passports"] = work.passports_all(cells)
            results["single_passport"] = work.per_cell(
                sample, lambda c: work.passport_of(unit=c, qr=False)
            )
            results["qr_svg"] = work.qr_cost(sample)
            results["bulk_equals_single"] = work.agree(sample[:50])
            raise _Rollback
    except _Rollback:
        pass
    return {"generation": generation, "database": measure.database_facts(), **results}


def _naive_grading(work: Any, sample: list, scheme: Any) -> dict[str, Any]:
    seconds, _grades = work.timed(lambda: work.naive_grade(sample, scheme))
    return {"cells_timed": len(sample), "ms_per_cell": round(1000 * seconds / len(sample), 3)}


def table(doc: dict[str, Any]) -> str:
    g, p, n = doc["grading"], doc["passports"], doc["naive_grading"]
    single, qr, math = doc["single_passport"], doc["qr_svg"], doc["math"]
    cells = g["cells"]
    rows = [
        f"cells graded: {cells:,} in {g['batches']} batches, {g['seconds']} s "
        f"({g['cells_per_s']:,} cells/s); grades {g['grades']}",
        f"  naive per-cell grading: {n['ms_per_cell']} ms/cell x {cells:,} = "
        f"{n['ms_per_cell'] * cells / 1000:.0f} s (scaled from {n['cells_timed']}); "
        f"ratio {n['ms_per_cell'] * cells / 1000 / g['seconds']:.1f}x",
        f"  K fit alone: fit_k {math['fit_k_s']} s vs np.polyfit loop "
        f"{math['polyfit_loop_s_scaled']} s ({math['ratio']}x, same K: {math['same_k']})",
        f"passports: {p['cells']:,} in {p['seconds']} s ({p['cells_per_s']:,}/s), "
        f"JSON {p['json_mb']} MB in {p['json_seconds']} s; median missing fields "
        f"{p['median_missing_fields']}",
        f"  single-cell path: {single['ms_per_cell']} ms/cell x {cells:,} = "
        f"{single['ms_per_cell'] * cells / 1000:.0f} s (scaled from {single['cells_timed']}); "
        f"ratio {single['ms_per_cell'] * cells / 1000 / p['seconds']:.1f}x",
        f"  QR SVG: {qr['ms_per_cell']} ms/cell (x {cells:,} = "
        f"{qr['ms_per_cell'] * cells / 1000:.0f} s, not in the bulk figure)",
        f"bulk passports equal single ones: {doc['bulk_equals_single']}",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
    import django

    django.setup()
    from django.conf import settings

    doc = {"date": datetime.now(UTC).isoformat(timespec="seconds"), **run(args)}
    print(table(doc))
    out_dir = args.out_dir or Path(settings.VAR_DIR) / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"passport-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(doc, indent=2, default=str))
    print(f"written {path}")
    return doc


if __name__ == "__main__":
    main()
