"""The genealogy graph as SVG: layers left to right (lots -> batches -> rolls -> cells), one box per
unit, one path per edge with its quantity and metres, one box per collapsed fan-out.

Pure: a GenealogyGraph in, markup out. Every node and edge carries data attributes (data-node,
data-edge, data-group) that the browser tests assert on, and every box is a link, so the picture
is the navigation as well as the report.
"""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from quality.selectors.genealogy_graph import CollapsedGroup, GenealogyGraph, GraphEdge, GraphNode
from quality.web.graph_layout import Box, Layout, Link, Rect, layout, text_width
from quality.web.labels import KIND, KIND_PLURAL, STATUS, word

BOX_MIN_W, BOX_H = 180, 60
ID_PX, SUB_PX, LABEL_PX = 16, 14, 14  # font sizes drawn at 1:1; the page never shrinks them
BOX_PAD_X = 12


def _box_width(texts: tuple[str, str]) -> float:
    """Wide enough for both lines of a box (an identifier can be long, a Chinese status wide)."""
    first, second = text_width(texts[0], ID_PX), text_width(texts[1], SUB_PX)
    return max(BOX_MIN_W, first + 2 * BOX_PAD_X, second + 2 * BOX_PAD_X)


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


def _node_class(node: GraphNode, root_id: int) -> str:
    names = ["node", f"status-{node.status}"]
    if node.flagged:
        names.append("flagged")
    if node.id == root_id:
        names.append("root")
    return " ".join(names)


def _node_texts(node: GraphNode) -> tuple[str, str]:
    second = f"{word(KIND, node.kind)} · {word(STATUS, node.status)}"
    return node.identifier, f"⚑ {second}" if node.flagged else second


def _group_texts(group: CollapsedGroup) -> tuple[str, str]:
    kinds = sorted({c.kind for c in group.counts})
    what = ", ".join(str(word(KIND_PLURAL, k)) for k in kinds)
    held = sum(c.count for c in group.counts if c.status == "on_hold")
    scrapped = sum(c.count for c in group.counts if c.status == "scrapped")
    first = _("{count} {what}").format(count=f"{group.total:,}", what=what)
    second = _("{held} on hold · {scrapped} scrapped").format(
        held=f"{held:,}", scrapped=f"{scrapped:,}"
    )
    return first, second


def _box(texts: tuple[str, str], at: Rect) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" rx="6"></rect>'
        '<text x="{}" y="{}" class="id">{}</text><text x="{}" y="{}" class="sub">{}</text>',
        f"{at.x:g}",
        f"{at.y:g}",
        f"{at.width:g}",
        f"{at.height:g}",
        f"{at.x + BOX_PAD_X:g}",
        f"{at.y + 25:g}",
        texts[0],
        f"{at.x + BOX_PAD_X:g}",
        f"{at.y + 47:g}",
        texts[1],
    )


def _node(node: GraphNode, at: Rect, root_id: int) -> SafeString:
    return format_html(
        '<g class="{}" data-node="{}" data-kind="{}" data-status="{}" data-flagged="{}">'
        '<a href="{}">{}</a></g>',
        _node_class(node, root_id),
        node.identifier,
        node.kind,
        node.status,
        "true" if node.flagged else "false",
        reverse("quality-genealogy", args=[node.identifier]),
        _box(_node_texts(node), at),
    )


def _group(group: CollapsedGroup, parent: GraphNode, at: Rect) -> SafeString:
    href = reverse("quality-genealogy", args=[parent.identifier]) + f"?expand={parent.id}#groups"
    return format_html(
        '<g class="group" data-group="{}" data-count="{}"><a href="{}">{}</a></g>',
        parent.identifier,
        group.total,
        href,
        _box(_group_texts(group), at),
    )


def genealogy_layout(graph: GenealogyGraph) -> Layout:
    """The graph's boxes (units `n<id>`, collapsed groups `g<parent id>`) and edges laid out."""
    boxes = [
        Box(f"n{node.id}", _box_width(_node_texts(node)), BOX_H) for node in graph.nodes.values()
    ]
    boxes += [
        Box(f"g{g.parent_id}", _box_width(_group_texts(g)), BOX_H)
        for g in graph.groups
        if g.parent_id in graph.nodes
    ]
    links = [
        Link(
            f"e{e.parent_id}>{e.child_id}",
            f"n{e.parent_id}",
            f"n{e.child_id}",
            edge_label(e, graph.nodes[e.parent_id].uom),
        )
        for e in graph.edges
    ]
    links += [
        Link(f"g{g.parent_id}", f"n{g.parent_id}", f"g{g.parent_id}")
        for g in graph.groups
        if g.parent_id in graph.nodes
    ]
    return layout(boxes, links, label_size=LABEL_PX)


def _edges(graph: GenealogyGraph, laid: Layout) -> SafeString:
    rows = []
    for routed in laid.links:
        if routed.link.key.startswith("g"):
            rows.append(format_html('<path class="group-link" d="{}"></path>', routed.path()))
            continue
        parent, child = routed.link.source[1:], routed.link.target[1:]
        label = routed.label
        text = _label(routed.link.label, label) if label is not None else ""
        rows.append(
            format_html(
                '<g class="edge" data-edge="{}&gt;{}"><path d="{}"></path>{}</g>',
                graph.nodes[int(parent)].identifier,
                graph.nodes[int(child)].identifier,
                routed.path(),
                text,
            )
        )
    return mark_safe("".join(rows))


def _label(text: str, slot: Rect) -> SafeString:
    """A label on a white card the width of its text, so the edge's line, which runs through
    the slot, never shows between the words."""
    width = text_width(text, LABEL_PX) + 8
    centre_x, centre_y = slot.x + slot.width / 2, slot.y + slot.height / 2
    return format_html(
        '<rect class="label-card" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
        '<text x="{}" y="{}" text-anchor="middle" dominant-baseline="central">{}</text>',
        f"{centre_x - width / 2:g}",
        f"{slot.y + 1:g}",
        f"{width:g}",
        f"{slot.height - 2:g}",
        f"{centre_x:g}",
        f"{centre_y:g}",
        text,
    )


def genealogy_svg(graph: GenealogyGraph, *, title: str) -> SafeString:
    """The whole picture at its natural size (the page pans and zooms it, never below legible),
    with a <title> for screen readers and print."""
    laid = genealogy_layout(graph)
    boxes = mark_safe(
        "".join(_node(node, laid.boxes[f"n{i}"], graph.root.id) for i, node in graph.nodes.items())
        + "".join(
            _group(g, graph.nodes[g.parent_id], laid.boxes[f"g{g.parent_id}"])
            for g in graph.groups
            if g.parent_id in graph.nodes
        )
    )
    width, height = round(laid.width), round(laid.height)
    return format_html(
        '<svg class="genealogy" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'width="{}" height="{}" data-width="{}" data-height="{}" '
        'aria-labelledby="genealogy-title"><title id="genealogy-title">{}</title>{}{}</svg>',
        width,
        height,
        width,
        height,
        width,
        height,
        title,
        _edges(graph, laid),
        boxes,
    )
