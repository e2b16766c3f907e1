"""The measurements of bench.genealogy (imported once Django is set up)."""

import json
import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

from bench.baselines import count_reachable, naive_trace
from lines.choices import UnitKind
from lines.history import history_generate
from lines.models import GenealogyEdge, Unit
from lines.selectors import trace_backward, trace_forward, unit_whereabouts
from mes import roles

WARM_UP = 20


def summary(times_s: list[float]) -> dict[str, float]:
    """Median, 95th percentile (nearest rank) and max, in milliseconds."""
    ordered = sorted(t * 1000 for t in times_s)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 3),
        "max_ms": round(ordered[-1], 3),
    }


def timed(samples: list[Unit], run: Callable[[Unit], Any]) -> tuple[dict[str, float], list[Any]]:
    times, results = [], []
    for unit in samples:
        began = time.perf_counter()
        results.append(run(unit))
        times.append(time.perf_counter() - began)
    return summary(times), results


def generate(*, cells: int, seed: int) -> dict[str, Any]:
    """Migrate, then generate a history; returns its prefix and wall times."""
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    report = history_generate(cells=cells, seed=seed, progress=print)
    return {
        "prefix": report.prefix,
        "generation_s": round(time.perf_counter() - began, 1),
        "writing_s": round(report.seconds_generate, 1),
        "statistics_s": round(report.seconds_analyze, 1),
        "rows": report.rows,
        "notes": report.notes,
    }


def latest_prefix() -> str:
    newest = Unit.objects.filter(kind=UnitKind.CELL).order_by("-id").first()
    if newest is None:
        raise SystemExit("No cells in this database: run without --reuse first.")
    return newest.identifier.rsplit("-C", 1)[0]


def pick(*, prefix: str, cells: int, lots: int, seed: int) -> tuple[list[Unit], list[Unit]]:
    """Random cells of the history, and random NMC811 and LPSCL lots that fed some of them."""
    rng = random.Random(seed)
    cell_ids = list(
        Unit.objects.filter(kind=UnitKind.CELL, identifier__startswith=f"{prefix}-").values_list(
            "id", flat=True
        )
    )
    chosen = rng.sample(cell_ids, min(cells, len(cell_ids)))
    picked_lots = []
    for code in ("NMC811", "LPSCL"):
        used = GenealogyEdge.objects.filter(
            parent__material__code=code, parent__identifier__startswith=f"{prefix}-"
        )
        lot_ids = sorted(set(used.values_list("parent_id", flat=True)))
        picked_lots += rng.sample(lot_ids, min(lots, len(lot_ids)))
    by_id = Unit.objects.in_bulk(chosen + picked_lots)
    return [by_id[i] for i in chosen], [by_id[i] for i in picked_lots]


def api_client() -> Client:
    """A test client logged in as a user of the integration group (as the PLC bridge would be)."""
    setup_test_environment(debug=False)
    user, _ = get_user_model().objects.get_or_create(username="bench.integration")
    user.groups.add(Group.objects.get_or_create(name=roles.INTEGRATION)[0])
    client = Client()
    client.force_login(user)
    return client


def api_trace(client: Client, direction: str) -> Callable[[Unit], bytes]:
    def get(unit: Unit) -> bytes:
        response = client.get(f"/api/v1/units/{unit.identifier}/trace/?direction={direction}")
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code}: {response.content[:300]!r}")
        return response.content

    return get


def api_whereabouts(client: Client) -> Callable[[Unit], bytes]:
    def get(unit: Unit) -> bytes:
        response = client.get(f"/api/v1/units/{unit.identifier}/whereabouts/?kind=cell")
        if response.status_code != 200:
            raise SystemExit(f"API answered {response.status_code}: {response.content[:300]!r}")
        return response.content

    return get


def measure(cells: list[Unit], lots: list[Unit]) -> dict[str, Any]:
    """Every timing, after a warm-up of each path; checks that the paths agree on a few samples."""
    client = api_client()
    paths: dict[str, tuple[list[Unit], Callable[[Unit], Any]]] = {
        "selector backward": (cells, lambda u: trace_backward(unit=u)),
        "selector forward": (lots, lambda u: trace_forward(unit=u)),
        # What the selector cost before it returned columns: every node and edge as a tuple.
        "selector forward, tuples": (lots, _with_tuples),
        "api backward": (cells, api_trace(client, "backward")),
        "api forward": (lots, api_trace(client, "forward")),
        "selector whereabouts": (lots, lambda u: unit_whereabouts(unit=u, kind=UnitKind.CELL)),
        "api whereabouts": (lots, api_whereabouts(client)),
        "naive backward": (cells, lambda u: naive_trace(unit_id=u.id, direction="backward")),
        "naive forward": (lots, lambda u: naive_trace(unit_id=u.id, direction="forward")),
        "count-only CTE backward": (
            cells, lambda u: count_reachable(unit_id=u.id, direction="backward")
        ),
        "count-only CTE forward": (
            lots, lambda u: count_reachable(unit_id=u.id, direction="forward")
        ),
    }  # fmt: skip
    results = run_paths(paths)
    _check_agreement(cells[:5], lots[:2], client)
    return results


def _with_tuples(unit: Unit) -> Any:
    trace = trace_forward(unit=unit)
    return trace.nodes, trace.edges


def run_paths(paths: dict[str, tuple[list[Unit], Callable[[Unit], Any]]]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, (samples, run) in paths.items():
        for unit in (samples * 2)[: WARM_UP if "backward" in name else 2]:
            run(unit)
        results[name], outputs = timed(samples, run)
        if name.endswith("selector forward"):
            reached = [len(t.unit_ids(kind=UnitKind.CELL)) for t in outputs]
            results[name]["cells_reached_median"] = statistics.median(reached)
            results[name]["cells_reached_min_max"] = [min(reached), max(reached)]
        del outputs
    return results


def _check_agreement(cells: list[Unit], lots: list[Unit], client: Client) -> None:
    """Selector, API, naive walk and count CTE must reach the same units (else the timing lies)."""
    for units, direction, trace in (
        (cells, "backward", trace_backward),
        (lots, "forward", trace_forward),
    ):
        for unit in units:
            selected = trace(unit=unit)
            nodes, edges = naive_trace(unit_id=unit.id, direction=direction)
            payload = json.loads(api_trace(client, direction)(unit))
            assert set(selected.nodes) - {unit.id} == set(nodes), unit.identifier
            assert sorted(e.id for e in selected.edges) == sorted(e[0] for e in edges)
            assert len(payload["nodes"]) == len(selected.nodes)
            assert count_reachable(unit_id=unit.id, direction=direction) == len(nodes)
            if direction == "forward":
                counted = sum(g["count"] for g in unit_whereabouts(unit=unit, kind=UnitKind.CELL))
                assert counted == sum(n.kind == UnitKind.CELL for n in selected.nodes.values())


def database_facts() -> dict[str, Any]:
    facts: dict[str, Any] = {
        "vendor": connection.vendor,
        "name": str(connection.settings_dict["NAME"]),
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            facts["version"] = cursor.fetchone()[0]
        for model in (Unit, GenealogyEdge):
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            facts[f"{model.__name__}_rows"] = cursor.fetchone()[0]
    return facts
