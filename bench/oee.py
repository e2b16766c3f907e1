"""OEE at plant scale: a year of machine time of one line (issue #16's targets: the per-shift OEE
table of a month < 1 s, the year's downtime Pareto < 2 s on PostgreSQL), each against a
per-interval Python loop measured in the same run, and what the state ingest adds to a batch.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mes_bench_oee \\
        .venv/bin/python -m bench.oee                      # generate (~2 M changes, 10 M ops), time
    ... python -m bench.oee --reuse                        # time the generated year again
    ... python -m bench.oee --reuse --keep                 # ... with its periods already kept
    ... python -m bench.oee --stations 4 --days 30 --operations 100000   # a quick look

The database is migrated and filled the first time; --reuse times what is there.
"""

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import oee_data  # noqa: E402
from lines.models import Line, Operation, Station  # noqa: E402
from oee.models import PeriodSummary, StateChange  # noqa: E402
from oee.selectors.machine_time import line_clock  # noqa: E402
from oee.selectors.pareto import line_pareto  # noqa: E402
from oee.selectors.periods import station_figures  # noqa: E402


def _times(repeats: int, run: Callable[[], Any]) -> dict[str, float]:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return {"median_s": round(statistics.median(times), 3), "best_s": round(min(times), 3)}


def month_table(line: Line, start, end) -> int:  # noqa: ANN001
    """The OEE page's per-shift table of a month: every station's rows."""
    clock = line_clock(line)
    rows = 0
    for station in Station.objects.filter(line=line):
        rows += len(station_figures(station, start, end, "shift", clock))
    return rows


def naive_month(line: Line, start, end) -> int:  # noqa: ANN001
    """The baseline: every state change of the month and every operation looped in Python, one
    query per station for each (seconds per category, units counted), no calendar, no reasons."""
    seconds: dict[tuple[int, str], float] = {}
    units = 0
    for station in Station.objects.filter(line=line):
        rows = list(
            StateChange.objects.filter(station=station, at__gte=start, at__lt=end)
            .order_by("at")
            .values_list("at", "category")
        )
        for (at, category), (nxt, _) in zip(rows, [*rows[1:], (end, "")], strict=True):
            key = (station.pk, category)
            seconds[key] = seconds.get(key, 0.0) + (nxt - at).total_seconds()
        for _result in Operation.objects.filter(
            station=station, completed_at__gte=start, completed_at__lt=end
        ).values_list("result", flat=True):
            units += 1
    return units


def naive_year_pareto(line: Line, start, end) -> int:  # noqa: ANN001
    """The baseline: every interval of the year looped in Python, stop seconds summed per PLC
    code (the code in force when the stop began), nothing else."""
    totals: dict[str, float] = {}
    for station in Station.objects.filter(line=line):
        rows = list(
            StateChange.objects.filter(station=station, at__gte=start, at__lt=end)
            .order_by("at")
            .values_list("at", "category")
        )
        for (at, category), (nxt, _) in zip(rows, [*rows[1:], (end, "")], strict=True):
            if category == "down":
                totals[category] = totals.get(category, 0.0) + (nxt - at).total_seconds()
    return len(totals)


STATE_STATIONS = ("STACK-01", "WIP-01", "SEAL-01", "FORM-01", "EOL-01")


def ingest_cost(batches: int, per_batch: int, seed: int) -> dict[str, Any]:
    """The ingest of demo-mix batches in this process, with the state ingest (oee's
    AFTER_INGEST hook) and without it, alternating batch by batch. The worst case for it: every
    batch carries a state change and a stop-reason code for each of the five stations that
    report them (a PLC reports its state on change only: minutes apart, not every second)."""
    from bench.ingest_work import build_batches
    from lines import hooks
    from lines.ingest import batch_ingest
    from oee.services import state_ingest

    if not Line.objects.filter(stations__code="STACK-01").exists():
        call_command("seed_demo", verbosity=0)
    run = f"OEE{int(time.time())}"
    made = build_batches(
        batches=2 * batches, per_batch=per_batch, seed=seed, run=run, source=f"bench-{run}"
    )
    with_hook: list[float] = []
    without: list[float] = []
    inside: list[float] = []  # seconds spent in the state ingest itself, per hooked batch

    original = state_ingest.after_ingest

    def timed_hook(**kwargs: Any) -> None:
        began = time.perf_counter()
        original(**kwargs)
        inside.append(time.perf_counter() - began)

    hooks.AFTER_INGEST[hooks.AFTER_INGEST.index(original)] = timed_hook
    quiet: list[float] = []
    quiet_without: list[float] = []

    def ingest(batch: dict[str, Any], hooked: bool, into: list[float]) -> None:
        if not hooked:
            hooks.AFTER_INGEST.remove(timed_hook)
        try:
            began = time.perf_counter()
            batch_ingest(batch=batch)
            into.append(time.perf_counter() - began)
        finally:
            if not hooked:
                hooks.AFTER_INGEST.append(timed_hook)

    for n, batch in enumerate(made):
        hooked = n % 2 == 0
        if n >= len(made) // 2:  # the second half: no state in the batch, as most are
            ingest(batch, hooked, quiet if hooked else quiet_without)
            continue
        cols = batch["columns"]
        stamp = cols["source_time"][-1]
        for code in STATE_STATIONS:
            for node, value in ((f"{code}.PackMLState", 6 if n % 2 else 11),
                                (f"{code}.StopReason", 0 if n % 2 else 17)):  # fmt: skip
                row = {"node_id": f"ns=2;s={node}", "value": value, "source_time": stamp,
                       "server_time": stamp, "status": 0}  # fmt: skip
                for key in cols:
                    cols[key].append(row.get(key))
        ingest(batch, hooked, with_hook if hooked else without)
    hooks.AFTER_INGEST[hooks.AFTER_INGEST.index(timed_hook)] = original
    states_inside = statistics.median(inside[2 : len(with_hook)])
    quiet_inside = statistics.median(inside[len(with_hook) + 2 :])
    a, b = statistics.median(with_hook[2:]), statistics.median(without[2:])
    c, d = statistics.median(quiet[2:]), statistics.median(quiet_without[2:])
    return {
        "batches_each": batches // 2,
        "samples_per_batch": per_batch,
        "states_in_every_batch": {
            "with_state_ingest_ms": round(a * 1000, 2),
            "without_ms": round(b * 1000, 2),
            "added": f"{100 * (a - b) / b:.1f} %",
            "inside_the_state_ingest_ms": round(states_inside * 1000, 2),
            "its_share_of_the_batch": f"{100 * states_inside / a:.1f} %",
        },
        "no_state_in_the_batch": {
            "with_state_ingest_ms": round(c * 1000, 2),
            "without_ms": round(d * 1000, 2),
            "added": f"{100 * (c - d) / d:.1f} %",
            "inside_the_state_ingest_ms": round(quiet_inside * 1000, 3),
            "its_share_of_the_batch": f"{100 * quiet_inside / c:.2f} %",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--operations", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--keep", action="store_true", help="keep the stored periods: the first read is warm too"
    )
    parser.add_argument("--out", default="")
    parser.add_argument("--ingest-batches", type=int, default=100, help="0: skip the ingest part")
    parser.add_argument("--per-batch", type=int, default=1000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench.oee measures PostgreSQL: set DATABASE_URL.")

    report: dict[str, Any] = {"args": vars(args)}
    call_command("migrate", verbosity=0)
    if not args.reuse or not Line.objects.filter(code=oee_data.LINE).exists():
        began = time.perf_counter()
        made = oee_data.generate(
            stations=args.stations,
            days=args.days,
            operations_total=args.operations,
            seed=args.seed,
        )
        report["generated"] = {**made.__dict__, "seconds": round(time.perf_counter() - began)}
    line = Line.objects.get(code=oee_data.LINE)
    report["rows"] = {
        "state_changes": StateChange.objects.filter(station__line=line).count(),
        "operations": Operation.objects.filter(station__line=line).count(),
    }
    year_start = oee_data.START
    year_end = year_start + timedelta(days=args.days)
    month_start = year_end - timedelta(days=30)

    timings: dict[str, Any] = {}
    # The first read, cold (without --keep): nothing stored yet, every period computed from the
    # changes and kept (the first look after an upgrade, or at a line nobody looked at; `manage.py
    # oee_summarise` reads ahead); then warm: the periods are kept.
    if not args.keep:
        PeriodSummary.objects.filter(station__line=line).delete()
    timings["month_table_first"] = _times(1, lambda: month_table(line, month_start, year_end))
    timings["month_table"] = _times(args.repeat, lambda: month_table(line, month_start, year_end))
    timings["month_naive"] = _times(args.repeat, lambda: naive_month(line, month_start, year_end))
    timings["year_pareto_first"] = _times(1, lambda: line_pareto(line, year_start, year_end))
    timings["year_pareto"] = _times(args.repeat, lambda: line_pareto(line, year_start, year_end))
    timings["year_naive"] = _times(
        max(1, args.repeat // 2), lambda: naive_year_pareto(line, year_start, year_end)
    )
    for name in ("month", "year"):
        ours = timings["month_table" if name == "month" else "year_pareto"]["median_s"]
        base = timings[f"{name}_naive"]["median_s"]
        timings[f"{name}_ratio_vs_naive"] = round(ours / base, 2) if base else None
    report["timings"] = timings
    if args.ingest_batches:
        report["state_ingest"] = ingest_cost(args.ingest_batches, args.per_batch, args.seed)
    text = json.dumps(report, indent=2, default=str)
    print(text)
    if args.out:
        with open(args.out, "w") as out:
            out.write(text)


if __name__ == "__main__":
    main()
