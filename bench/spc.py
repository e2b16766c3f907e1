"""Benchmark of the SPC engine: vectorised rules against a pure-Python loop, on one data set.

Run: .venv/bin/python -m bench.spc [--points N] [--naive-points N] [--repeats N]

Generates a seeded normal series (an areal-loading gauge, 25.0 mg/cm2, sigma 0.1) with a
slow drift injected in its last third, takes limits from the first 10,000 points, then times
each rule (1-8) with quality.spc and with a naive per-point loop over the same points, checks
that both find exactly the same violations, and times a 100,000-point I-MR chart + all rules +
capability end to end. Prints a table and writes var/bench/spc-<timestamp>.json (under
MES_VAR_DIR when that is set, like the rest of the project).
"""

import argparse
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from quality.spc import (
    ALL_RULES,
    RULES,
    capability,
    chart_violations,
    evaluate_rules,
    individuals_chart,
)

SEED = 20240611
TARGET_MG_CM2 = 25.0
SIGMA_MG_CM2 = 0.1
BASELINE_POINTS = 10_000
END_TO_END_POINTS = 100_000
LSL_MG_CM2, USL_MG_CM2 = 24.5, 25.5  # target +- 2 %


def drifting_series(points: int, seed: int = SEED) -> np.ndarray:
    """Normal noise around the target; from 2/3 of the way on, the mean drifts up 2 sigma."""
    rng = np.random.default_rng(seed)
    values = rng.normal(TARGET_MG_CM2, SIGMA_MG_CM2, points)
    start = 2 * points // 3
    values[start:] += np.linspace(0.0, 2.0 * SIGMA_MG_CM2, points - start)
    return values


# --- the naive baseline: one Python loop over the points per rule, written for clarity ---------


def naive_rule(values: list[float], center: float, sigma: float, rule: int) -> list[int]:
    """The indices where `rule` fires, by a per-point loop (same conventions as quality.spc)."""
    kept = [(index, value) for index, value in enumerate(values) if not math.isnan(value)]
    readings = [value for _, value in kept]
    deviations = [value - center for value in readings]
    fires = _NAIVE[rule](readings, deviations, sigma)
    return [kept[position][0] for position in fires]


def _naive_beyond(deviations: list[float], limit: float) -> list[int]:
    return [j for j, d in enumerate(deviations) if abs(d) > limit]


def _naive_same_side(deviations: list[float], limit: float, needed: int, window: int) -> list[int]:
    fires = []
    for j, d in enumerate(deviations):
        recent = deviations[max(0, j - window + 1) : j + 1]
        above = d > limit and sum(1 for r in recent if r > limit) >= needed
        below = d < -limit and sum(1 for r in recent if r < -limit) >= needed
        if above or below:
            fires.append(j)
    return fires


def _naive_run(flags: list[bool], length: int) -> list[int]:
    return [j for j in range(length - 1, len(flags)) if all(flags[j - length + 1 : j + 1])]


def _naive_steps(readings: list[float]) -> tuple[list[bool], list[bool]]:
    rises = [False] + [readings[j] > readings[j - 1] for j in range(1, len(readings))]
    falls = [False] + [readings[j] < readings[j - 1] for j in range(1, len(readings))]
    return rises, falls


def _naive_trend(readings: list[float], deviations: list[float], sigma: float) -> list[int]:
    rises, falls = _naive_steps(readings)
    return sorted(set(_naive_run(rises, 5)) | set(_naive_run(falls, 5)))


def _naive_alternating(readings: list[float], deviations: list[float], sigma: float) -> list[int]:
    rises, falls = _naive_steps(readings)
    turns = [False] + [
        (rises[j] and falls[j - 1]) or (falls[j] and rises[j - 1]) for j in range(1, len(rises))
    ]
    return _naive_run(turns, 12)


_NAIVE: dict[int, Callable[[list[float], list[float], float], list[int]]] = {
    1: lambda readings, deviations, sigma: _naive_beyond(deviations, 3 * sigma),
    2: lambda readings, deviations, sigma: _naive_same_side(deviations, 2 * sigma, 2, 3),
    3: lambda readings, deviations, sigma: _naive_same_side(deviations, sigma, 4, 5),
    4: lambda readings, deviations, sigma: sorted(
        set(_naive_run([d > 0 for d in deviations], 8))
        | set(_naive_run([d < 0 for d in deviations], 8))
    ),
    5: _naive_trend,
    6: lambda readings, deviations, sigma: _naive_run([abs(d) <= sigma for d in deviations], 15),
    7: _naive_alternating,
    8: lambda readings, deviations, sigma: _naive_run([abs(d) > sigma for d in deviations], 8),
}


# --- timing -------------------------------------------------------------------------------


def _median_seconds(action: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _time_rules(values: np.ndarray, naive_points: int, repeats: int) -> list[dict[str, Any]]:
    chart = individuals_chart(values, baseline=BASELINE_POINTS)
    center, sigma = chart.limits.center, chart.limits.sigma
    naive_slice = values[:naive_points]
    naive_list = naive_slice.tolist()
    scale = values.size / naive_points
    rows = []
    for rule in ALL_RULES:
        vectorised_s = _median_seconds(
            lambda rule=rule: evaluate_rules(values, center=center, sigma=sigma, rules=(rule,)),
            repeats,
        )
        started = time.perf_counter()
        naive_indices = naive_rule(naive_list, center, sigma, rule)
        naive_s = (time.perf_counter() - started) * scale
        (on_slice,) = evaluate_rules(naive_slice, center=center, sigma=sigma, rules=(rule,))
        if on_slice.indices.tolist() != naive_indices:
            raise AssertionError(f"rule {rule}: vectorised and naive results differ")
        (full,) = evaluate_rules(values, center=center, sigma=sigma, rules=(rule,))
        rows.append(
            {
                "rule": rule,
                "name": RULES[rule].name,
                "violations": int(full.indices.size),
                "vectorised_s": vectorised_s,
                "naive_s": naive_s,
                "ratio": naive_s / vectorised_s,
            }
        )
    return rows


def _end_to_end(values: np.ndarray) -> None:
    chart = individuals_chart(values, baseline=BASELINE_POINTS)
    chart_violations(chart, rules=ALL_RULES)
    capability(values, lsl=LSL_MG_CM2, usl=USL_MG_CM2, sigma_within=chart.sigma_within)


def run(points: int, naive_points: int, repeats: int) -> dict[str, Any]:
    """Generate the data, time everything, and return the results as a JSON-ready dict."""
    values = drifting_series(points)
    rows = _time_rules(values, naive_points, repeats)
    chart = individuals_chart(values, baseline=BASELINE_POINTS)
    all_rules_s = _median_seconds(lambda: chart_violations(chart, rules=ALL_RULES), repeats)
    slice_e2e = values[:END_TO_END_POINTS]
    end_to_end_s = _median_seconds(lambda: _end_to_end(slice_e2e), repeats)
    return {
        "benchmark": "spc",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "points": points,
        "naive_points": naive_points,
        "naive_scaled_to_points": naive_points != points,
        "repeats": repeats,
        "seed": SEED,
        "rules": rows,
        "all_rules_vectorised_s": all_rules_s,
        "all_rules_naive_s": sum(row["naive_s"] for row in rows),
        "end_to_end_points": END_TO_END_POINTS,
        "end_to_end_s": end_to_end_s,
    }


def print_table(result: dict[str, Any]) -> None:
    scaled = " (scaled)" if result["naive_scaled_to_points"] else ""
    print(
        f"SPC rules on {result['points']:,} points (naive loop on {result['naive_points']:,}{scaled})"
    )
    print(f"{'rule':<28}{'violations':>11}{'numpy s':>10}{'naive s':>10}{'ratio':>8}")
    for row in result["rules"]:
        label = f"{row['rule']} {row['name']}"
        print(
            f"{label:<28}{row['violations']:>11,}{row['vectorised_s']:>10.4f}"
            f"{row['naive_s']:>10.3f}{row['ratio']:>7.0f}x"
        )
    total_ratio = result["all_rules_naive_s"] / result["all_rules_vectorised_s"]
    print(
        f"{'all 8 rules, one call':<28}{'':>11}{result['all_rules_vectorised_s']:>10.4f}"
        f"{result['all_rules_naive_s']:>10.3f}{total_ratio:>7.0f}x"
    )
    print(
        f"I-MR chart + rules 1-8 + capability on {result['end_to_end_points']:,} points: "
        f"{result['end_to_end_s']:.4f} s"
    )


def write_result(result: dict[str, Any]) -> Path:
    """Write the result under <var>/bench/ and return the path."""
    var_dir = Path(os.environ.get("MES_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    folder = var_dir / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"spc-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--naive-points", type=int, default=None, help="default: all points")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    naive_points = min(args.naive_points or args.points, args.points)
    result = run(args.points, naive_points, args.repeats)
    print_table(result)
    print(f"written to {write_result(result)}")


if __name__ == "__main__":
    main()
