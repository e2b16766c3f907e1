"""The genealogy graph as SVG: layers left to right (lots -> batches -> rolls -> cells), one box per
unit, one path per edge with its quantity and metres, one box per collapsed fan-out.

Pure: a GenealogyGraph in, markup out. Every node and edge carries data attributes (data-node,
data-edge, data-group) that the browser tests assert on, and every box is a link, so the picture
is the navigation as well as the report.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from quality.selectors.genealogy_graph import CollapsedGroup, GenealogyGraph, GraphEdge, GraphNode
from quality.web.labels import KIND, KIND_PLURAL, STATUS, word

BOX_W, BOX_H = 180, 56
COL_W, ROW_H = 310, 74  # 130 px between columns: room for an edge's label
PAD = 16


@dataclass(frozen=True, slots=True)
class Placed:
    x: int
    y: int


def layers(graph: GenealogyGraph) -> dict[int, int]:
    """Each drawn node's column: one more than its furthest parent (longest path), so every edge
    points right."""
    parents: dict[int, list[int]] = defaultdict(list)
    for edge in graph.edges:
        parents[edge.child_id].append(edge.parent_id)
    column: dict[int, int] = {}

    def depth(node_id: int, trail: frozenset[int] = frozenset()) -> int:
        if node_id not in column:
            ups = [p for p in parents[node_id] if p not in trail]
            column[node_id] = 1 + max((depth(p, trail | {node_id}) for p in ups), default=-1)
        return column[node_id]

    for node_id in graph.nodes:
        depth(node_id)
    return column


def place(graph: GenealogyGraph) -> tuple[dict[int, Placed], dict[int, Placed], int, int]:
    """Positions of the nodes and of the groups (keyed by their parent), and the picture's size.
    Within a column, nodes follow the mean row of their parents, so edges cross little."""
    column = layers(graph)
    parents: dict[int, list[int]] = defaultdict(list)
    for edge in graph.edges:
        parents[edge.child_id].append(edge.parent_id)
    by_column: dict[int, list[int]] = defaultdict(list)
    for node_id, col in column.items():
        by_column[col].append(node_id)
    group_cols = {
        g.parent_id: column[g.parent_id] + 1 for g in graph.groups if g.parent_id in column
    }
    row: dict[int, float] = {}
    nodes: dict[int, Placed] = {}
    groups: dict[int, Placed] = {}
    last_col = max([*column.values(), *group_cols.values(), 0])
    tallest = 0
    for col in range(last_col + 1):
        ids = sorted(
            by_column.get(col, []),
            key=lambda n: (_mean(row, parents[n]), graph.nodes[n].identifier),
        )
        for index, node_id in enumerate(ids):
            row[node_id] = index
            nodes[node_id] = Placed(PAD + col * COL_W, PAD + index * ROW_H)
        extra = sorted((p for p, c in group_cols.items() if c == col), key=lambda p: row.get(p, 0))
        for offset, parent_id in enumerate(extra, start=len(ids)):
            groups[parent_id] = Placed(PAD + col * COL_W, PAD + offset * ROW_H)
        tallest = max(tallest, len(ids) + len(extra))
    width = PAD * 2 + last_col * COL_W + BOX_W
    height = PAD * 2 + max(tallest - 1, 0) * ROW_H + BOX_H
    return nodes, groups, width, height


def _mean(row: dict[int, float], ids: list[int]) -> float:
    known = [row[i] for i in ids if i in row]
    return sum(known) / len(known) if known else 0.0


def edge_label(edge: GraphEdge, uom: str = "") -> str:
    """What the child took: the metre range of a roll (its length is the quantity), else the
    quantity in the parent's unit of measure."""
    if edge.position_from_m is not None and edge.position_to_m is not None:
        metres = f"{edge.position_from_m:g}–{edge.position_to_m:g} m"
        taken = edge.position_to_m - edge.position_from_m
        if edge.quantity is None or abs(edge.quantity - taken) < 1e-9:
            return metres
        return f"{edge.quantity:g} {uom} · {metres}"
    return "" if edge.quantity is None else f"{edge.quantity:g} {uom}".strip()


def _path(a: Placed, b: Placed) -> str:
    x1, y1 = a.x + BOX_W, a.y + BOX_H // 2
    x2, y2 = b.x, b.y + BOX_H // 2
    mid = (x1 + x2) // 2
    return f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"


def _node_class(node: GraphNode, root_id: int) -> str:
    names = ["node", f"status-{node.status}"]
    if node.flagged:
        names.append("flagged")
    if node.id == root_id:
        names.append("root")
    return " ".join(names)


def _node(node: GraphNode, at: Placed, root_id: int) -> SafeString:
    status = word(STATUS, node.status)
    second = f"{word(KIND, node.kind)} · {status}"
    if node.flagged:
        second = f"⚑ {second}"
    return format_html(
        '<g class="{}" data-node="{}" data-kind="{}" data-status="{}" data-flagged="{}">'
        '<a href="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="6"></rect>'
        '<text x="{}" y="{}" class="id">{}</text><text x="{}" y="{}" class="sub">{}</text>'
        "</a></g>",
        _node_class(node, root_id),
        node.identifier,
        node.kind,
        node.status,
        "true" if node.flagged else "false",
        reverse("quality-genealogy", args=[node.identifier]),
        at.x,
        at.y,
        BOX_W,
        BOX_H,
        at.x + 10,
        at.y + 22,
        node.identifier,
        at.x + 10,
        at.y + 44,
        second,
    )


def _group(group: CollapsedGroup, parent: GraphNode, at: Placed) -> SafeString:
    kinds = sorted({c.kind for c in group.counts})
    what = ", ".join(str(word(KIND_PLURAL, k)) for k in kinds)
    held = sum(c.count for c in group.counts if c.status == "on_hold")
    scrapped = sum(c.count for c in group.counts if c.status == "scrapped")
    first = _("{count} {what}").format(count=f"{group.total:,}", what=what)
    second = _("{held} on hold · {scrapped} scrapped").format(
        held=f"{held:,}", scrapped=f"{scrapped:,}"
    )
    href = reverse("quality-genealogy", args=[parent.identifier]) + f"?expand={parent.id}#groups"
    return format_html(
        '<g class="group" data-group="{}" data-count="{}">'
        '<a href="{}"><rect x="{}" y="{}" width="{}" height="{}" rx="6"></rect>'
        '<text x="{}" y="{}" class="id">{}</text><text x="{}" y="{}" class="sub">{}</text>'
        "</a></g>",
        parent.identifier,
        group.total,
        href,
        at.x,
        at.y,
        BOX_W,
        BOX_H,
        at.x + 10,
        at.y + 22,
        first,
        at.x + 10,
        at.y + 44,
        second,
    )


def genealogy_svg(graph: GenealogyGraph, *, title: str) -> SafeString:
    """The whole picture, with a <title> for screen readers and print."""
    nodes, groups, width, height = place(graph)
    edges = format_html_join(
        "",
        '<g class="edge" data-edge="{}&gt;{}"><path d="{}"></path>'
        '<text x="{}" y="{}" text-anchor="end">{}</text></g>',
        (
            (
                graph.nodes[e.parent_id].identifier,
                graph.nodes[e.child_id].identifier,
                _path(nodes[e.parent_id], nodes[e.child_id]),
                # Beside the child's end, so a fan-out's labels stack with its children.
                nodes[e.child_id].x - 6,
                nodes[e.child_id].y + BOX_H // 2 - 5,
                edge_label(e, graph.nodes[e.parent_id].uom),
            )
            for e in graph.edges
        ),
    )
    group_links = format_html_join(
        "",
        '<path class="group-link" d="{}"></path>',
        ((_path(nodes[p], at),) for p, at in groups.items()),
    )
    boxes = mark_safe(
        "".join(_node(graph.nodes[i], at, graph.root.id) for i, at in nodes.items())
        + "".join(
            _group(g, graph.nodes[g.parent_id], groups[g.parent_id])
            for g in graph.groups
            if g.parent_id in groups
        )
    )
    return format_html(
        '<svg class="genealogy" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="{}" height="{}" aria-labelledby="genealogy-title">'
        '<title id="genealogy-title">{}</title>{}{}{}</svg>',
        width,
        height,
        width,
        height,
        title,
        group_links,
        edges,
        boxes,
    )
