"""The genealogy picture's geometry, measured in Python: no two boxes or edge labels overlap, no
edge passes through a box or another edge's label, every label sits on its own edge, and no text
is drawn below 12 px. On the demo line's real genealogy and on generated graphs (skip edges,
fan-ins, fan-outs, wide Chinese labels)."""

import random
import re

import pytest

from lines.demo import load_demo_line
from lines.models import Unit
from quality.selectors.genealogy_graph import genealogy_graph
from quality.web import graph_svg
from quality.web.graph_layout import Box, Layout, Link, Rect, layout
from quality.web.graph_svg import genealogy_layout, genealogy_svg

MIN_TEXT_PX = 12
SAMPLES = 24


def _bezier(curve, t: float) -> tuple[float, float]:
    (x0, y0), (ax, ay), (bx, by), (x1, y1) = curve
    u = 1 - t
    x = u**3 * x0 + 3 * u * u * t * ax + 3 * u * t * t * bx + t**3 * x1
    y = u**3 * y0 + 3 * u * u * t * ay + 3 * u * t * t * by + t**3 * y1
    return x, y


def _inside(point: tuple[float, float], rect: Rect, margin: float = 0.5) -> bool:
    x, y = point
    return rect.x + margin < x < rect.right - margin and rect.y + margin < y < rect.bottom - margin


def geometry_problems(laid: Layout) -> list[str]:
    """Every overlap and every edge point inside a box or a foreign label, as sentences."""
    problems = []
    things = [(f"box {k}", r) for k, r in laid.boxes.items()]
    things += [(f"label of {r.link.key}", r.label) for r in laid.links if r.label is not None]
    for i, (name_a, a) in enumerate(things):
        for name_b, b in things[i + 1 :]:
            if a.overlaps(b):
                problems.append(f"{name_a} overlaps {name_b}")
    for routed in laid.links:
        points = [_bezier(c, n / SAMPLES) for c in routed.curves for n in range(SAMPLES + 1)]
        points += [
            (x0 + (x1 - x0) * n / SAMPLES, y)
            for x0, x1, y in routed.runs
            for n in range(SAMPLES + 1)
        ]
        for name, rect in things:
            if name == f"label of {routed.link.key}":
                continue
            if any(_inside(p, rect) for p in points):
                problems.append(f"edge {routed.link.key} passes through {name}")
        if routed.link.label:
            label = routed.label
            assert label is not None
            on_own_run = any(
                label.x <= x0 and x1 <= label.right and label.y < y < label.bottom
                for x0, x1, y in routed.runs
            )
            if not on_own_run:
                problems.append(f"label of {routed.link.key} is not on its edge")
    return problems


def _generated(seed: int) -> tuple[list[Box], list[Link]]:
    """Lots -> batches -> mother rolls -> rolls -> cells, with edges that skip columns (foil
    straight into a roll), fan-ins and fan-outs, quantities in metres and kilograms."""
    rng = random.Random(seed)
    columns = [[f"c{col}-{i}" for i in range(rng.randint(1, 7))] for col in range(5)]
    boxes = [Box(k, rng.choice([180, 220, 260]), 60) for col in columns for k in col]
    links: list[Link] = []
    for col, keys in enumerate(columns[1:], start=1):
        for target in keys:
            sources = {rng.choice(columns[col - 1])}
            for _ in range(rng.randint(0, 3)):
                sources.add(rng.choice(columns[rng.randrange(col)]))
            for source in sorted(sources):
                label = rng.choice(["1200 m", "60 kg", "0–1200 m", "12.5 kg", "", "卷 80 m"])
                links.append(Link(f"{source}>{target}", source, target, label))
    return boxes, links


@pytest.mark.parametrize("seed", range(40))
def test_generated_graphs_have_no_overlap_and_no_edge_through_a_box(seed):
    boxes, links = _generated(seed)

    laid = layout(boxes, links, label_size=graph_svg.LABEL_PX)

    assert geometry_problems(laid) == []
    assert len(laid.links) == len(links)
    assert {k: (r.width, r.height) for k, r in laid.boxes.items()} == {
        b.key: (r.width, 60) for b in boxes for r in [laid.boxes[b.key]]
    }


def test_a_skip_edge_goes_around_the_box_in_its_way():
    """The foil lot feeds the roll, not the slurry drawn between them: its edge must not pass
    behind the slurry's box (the old layout drew it straight through)."""
    boxes = [Box(k, 180, 60) for k in ("nmc", "foil", "slurry", "roll")]
    links = [
        Link("a", "nmc", "slurry", "60 kg"),
        Link("b", "slurry", "roll", "12 kg"),
        Link("c", "foil", "roll", "1200 m"),
    ]

    laid = layout(boxes, links, label_size=14)

    assert geometry_problems(laid) == []
    assert laid.boxes["foil"].x == laid.boxes["nmc"].x < laid.boxes["slurry"].x
    labels = {r.link.key: r.label for r in laid.links}
    assert labels["b"] is not None and labels["c"] is not None
    assert not labels["b"].overlaps(labels["c"])  # "1200 m" and "12 kg" never read as one


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["CELL-DEMO-GR-001", "LOT-NMC811-0001", "MR-DEMO-01-A"])
def test_the_demo_genealogy_draws_cleanly_at_legible_sizes(identifier):
    load_demo_line()
    graph = genealogy_graph(unit=Unit.objects.get(identifier=identifier))

    laid = genealogy_layout(graph)
    svg = genealogy_svg(graph, title="t")

    assert geometry_problems(laid) == []
    assert len(laid.boxes) == len(graph.nodes) + len(graph.groups)
    assert svg.count('class="edge"') == len(graph.edges)
    labelled = [e for e in graph.edges if graph_svg.edge_label(e, graph.nodes[e.parent_id].uom)]
    assert len(re.findall(r'<text [^>]*dominant-baseline="central"', svg)) == len(labelled)
    # Drawn 1:1 (width and height are the viewBox's): the font sizes are the on-screen sizes.
    width, height = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups()
    assert f'width="{width}" height="{height}"' in svg
    assert min(graph_svg.ID_PX, graph_svg.SUB_PX, graph_svg.LABEL_PX) >= MIN_TEXT_PX
