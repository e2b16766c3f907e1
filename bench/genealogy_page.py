"""Genealogy page benchmark: `python -m bench.genealogy_page` (see bench/README.md).

Renders the quality engineer's genealogy page (/quality/genealogy/<lot>/, the view and its
template, SVG included) for the material lots that reach the most cells, and times it. Read-only:
the request comes from Django's RequestFactory with an unsaved superuser, so nothing (no session,
no user) is written to the database; run it against an existing history (bench.genealogy
generates one). Baseline in the same run: the full forward trace selector (trace_forward), which
the page avoids by collapsing fan-outs in SQL.
"""

import argparse
import json
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TARGET_MS = 2000.0


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.genealogy_page", description=__doc__)
    parser.add_argument("--lots", type=int, default=4, help="lots rendered, the largest first")
    parser.add_argument("--repeat", type=int, default=5, help="timed renders per lot")
    parser.add_argument("--out-dir", type=Path, help="where the JSON goes (default: <var>/bench)")
    return parser.parse_args(argv)


def largest_lots(count: int) -> list[Any]:
    """The NMC811 and LPSCL lots with the most children (each feeds tens of thousands of cells)."""
    from django.db.models import Count

    from lines.models import Unit

    return list(
        Unit.objects.filter(material__code__in=["NMC811", "LPSCL"])
        .annotate(children=Count("child_edges"))
        .order_by("-children", "identifier")[:count]
    )


def render(identifier: str) -> tuple[float, str]:
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from quality.web.genealogy_views import genealogy_page

    request = RequestFactory().get(f"/quality/genealogy/{identifier}/")
    request.user = get_user_model()(username="bench.quality", is_superuser=True)
    began = time.perf_counter()
    response = genealogy_page(request, identifier=identifier)
    elapsed = time.perf_counter() - began
    assert response.status_code == 200, response.status_code
    return elapsed, response.content.decode()


def measure_lot(unit: Any, repeat: int) -> dict[str, Any]:
    from bench.measure import summary
    from lines.selectors import trace_forward

    render(unit.identifier)  # warm-up: templates compiled, planner statistics cached
    times, html = [], ""
    for _ in range(repeat):
        elapsed, html = render(unit.identifier)
        times.append(elapsed)
    began = time.perf_counter()
    trace = trace_forward(unit=unit)
    selector_s = time.perf_counter() - began
    cells = sum(1 for n in trace.nodes.values() if n.kind == "cell")
    reached = re.search(r"Everything downstream: ([\d,]+) units", html)
    return {
        "lot": unit.identifier,
        "cells_reached": cells,
        "downstream_on_page": reached.group(1) if reached else None,
        "nodes_drawn": html.count("data-node="),
        "groups_drawn": html.count("data-group="),
        "html_kb": round(len(html.encode()) / 1024, 1),
        "page": summary(times),
        "baseline_trace_forward_ms": round(selector_s * 1000, 1),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
    import django

    django.setup()
    from django.conf import settings

    from bench.measure import database_facts

    rows = [measure_lot(unit, args.repeat) for unit in largest_lots(args.lots)]
    print(
        f"{'lot':<20}{'cells':>9}{'nodes':>7}{'groups':>7}{'median ms':>11}{'p95 ms':>9}"
        f"{'trace_forward ms':>18}  target < {TARGET_MS:g} ms"
    )
    for row in rows:
        page = row["page"]
        verdict = "ok" if page["median_ms"] < TARGET_MS else "MISSED"
        print(
            f"{row['lot']:<20}{row['cells_reached']:>9,}{row['nodes_drawn']:>7}"
            f"{row['groups_drawn']:>7}{page['median_ms']:>11.1f}{page['p95_ms']:>9.1f}"
            f"{row['baseline_trace_forward_ms']:>18.1f}  {verdict}"
        )
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database_facts(),
        "target_ms": TARGET_MS,
        "lots": rows,
    }
    out_dir = args.out_dir or Path(settings.VAR_DIR) / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"genealogy-page-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(document, indent=2, default=str))
    print(f"written {path}")
    return document


if __name__ == "__main__":
    main()
