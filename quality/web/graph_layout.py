"""A layered (Sugiyama-style) layout for the genealogy graph, pure Python, no Django.

Why our own and not Graphviz: dot needs a system binary that a fresh laptop lacks, and a fallback
layout would be a second picture to keep right. The genealogy is a small DAG drawn left to right,
so the classic recipe is short enough to own:

- every unit sits in the column of its longest path from a source (every edge points right);
- between two columns of boxes runs a column of edge labels, so an edge is interrupted by a slot
  of its own there (its label, or a thin dummy), and an edge spanning several columns gets a
  dummy slot in each column it passes. A slot is stacked like a box, so no two slots overlap;
- an edge is then a chain of curves, each between two adjacent columns, where nothing stands:
  no edge can cross a box or a label, whatever the order or heights;
- the order within a column comes from barycentre sweeps, and the heights from an isotonic fit
  (each item as close as the spacing allows to the mean height of its neighbours).

Text width is estimated (CJK 1 em, Latin 0.62 em): the browser measures nothing server-side, so
the estimate is deliberately generous.
"""

from collections import defaultdict
from dataclasses import dataclass, field

GAP_X = 36  # the empty band between two columns, where the curves run
BOX_GAP_Y = 18
SLOT_GAP_Y = 8
LABEL_H = 22
DUMMY_H = 2
LABEL_PAD_X = 10
MIN_LABEL_COLUMN = 40
PAD = 16
SWEEPS = 8


@dataclass(frozen=True, slots=True)
class Box:
    key: str
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Link:
    key: str
    source: str
    target: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: "Rect") -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


# A cubic Bezier: start, control 1, control 2, end.
Curve = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


@dataclass(slots=True)
class RoutedLink:
    """A link's pieces: curves across the empty bands, straight runs through its slots, and
    where its label sits (None when it has none)."""

    link: Link
    curves: list[Curve] = field(default_factory=list)
    runs: list[tuple[float, float, float]] = field(default_factory=list)  # (x1, x2, y)
    label: Rect | None = None

    def path(self) -> str:
        parts: list[str] = []
        for (x0, y0), (ax, ay), (bx, by), (x1, y1) in self.curves:
            parts.append(f"M{x0:g},{y0:g} C{ax:g},{ay:g} {bx:g},{by:g} {x1:g},{y1:g}")
        for x0, x1, y in self.runs:
            parts.append(f"M{x0:g},{y:g} H{x1:g}")
        return " ".join(parts)


@dataclass(slots=True)
class Layout:
    boxes: dict[str, Rect]
    links: list[RoutedLink]
    width: float
    height: float


@dataclass(slots=True)
class _Item:
    """One thing stacked in a column: a box, a label slot or a dummy slot."""

    key: str
    height: float
    width: float = 0.0
    up: list["_Item"] = field(default_factory=list)  # neighbours in the column to the left
    down: list["_Item"] = field(default_factory=list)  # ... and to the right
    y: float = 0.0  # centre


def text_width(text: str, size: float) -> float:
    """A generous estimate of a text's width in px at a font size."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.62 for ch in text)


def ranks(boxes: list[Box], links: list[Link]) -> dict[str, int]:
    """Each box's column: one more than its furthest source (longest path from a source)."""
    parents: dict[str, list[str]] = defaultdict(list)
    for link in links:
        parents[link.target].append(link.source)
    column: dict[str, int] = {}

    def depth(key: str, trail: frozenset[str] = frozenset()) -> int:
        if key not in column:
            ups = [p for p in parents[key] if p not in trail]
            column[key] = 1 + max((depth(p, trail | {key}) for p in ups), default=-1)
        return column[key]

    for box in boxes:
        depth(box.key)
    return column


def layout(boxes: list[Box], links: list[Link], *, label_size: float) -> Layout:
    """Place the boxes and route the links; see the module's docstring for the recipe."""
    rank = ranks(boxes, links)
    lanes, chains = _lanes(boxes, links, rank, label_size)
    for lane in lanes:
        for place, item in enumerate(lane):
            item.y = float(place)
    for _sweep in range(SWEEPS):
        for lane in lanes[1:]:
            _order(lane, "up")
        for lane in reversed(lanes[:-1]):
            _order(lane, "down")
    _stack(lanes)
    for _sweep in range(SWEEPS):
        for lane in lanes[1:]:
            _fit(lane, "up")
        for lane in reversed(lanes[:-1]):
            _fit(lane, "down")
    return _geometry(boxes, links, lanes, chains)


def _lanes(
    boxes: list[Box], links: list[Link], rank: dict[str, int], label_size: float
) -> tuple[list[list[_Item]], dict[str, list[_Item]]]:
    """Columns of items: box lanes at even positions, label lanes between them. Each link
    becomes a chain of items from its source box to its target box."""
    last = max(rank.values(), default=0)
    lanes: list[list[_Item]] = [[] for _ in range(2 * last + 1)]
    items: dict[str, _Item] = {}
    for box in sorted(boxes, key=lambda b: b.key):
        item = _Item(box.key, box.height, box.width)
        items[box.key] = item
        lanes[2 * rank[box.key]].append(item)
    chains: dict[str, list[_Item]] = {}
    for link in links:
        start, end = 2 * rank[link.source], 2 * rank[link.target]
        chain = [items[link.source]]
        for lane in range(start + 1, end):
            labelled = link.label and lane == end - 1
            slot = _Item(
                f"{link.key}@{lane}",
                LABEL_H if labelled else DUMMY_H,
                text_width(link.label, label_size) + 2 * LABEL_PAD_X if labelled else 0.0,
            )
            lanes[lane].append(slot)
            chain.append(slot)
        chain.append(items[link.target])
        for left, right in zip(chain, chain[1:], strict=False):
            left.down.append(right)
            right.up.append(left)
        chains[link.key] = chain
    return lanes, chains


def _order(lane: list[_Item], side: str) -> None:
    """Sort a column by the mean position of its neighbours on one side (barycentre); an item
    without neighbours there keeps its place."""
    keyed = []
    for place, item in enumerate(lane):
        near = item.up if side == "up" else item.down
        mean = sum(n.y for n in near) / len(near) if near else float(place)
        keyed.append((mean, place, item))
    keyed.sort(key=lambda k: (k[0], k[1]))
    lane[:] = [k[2] for k in keyed]
    for place, item in enumerate(lane):
        item.y = float(place)


def _gap(a: _Item, b: _Item) -> float:
    spacing = BOX_GAP_Y if a.height > LABEL_H and b.height > LABEL_H else SLOT_GAP_Y
    return (a.height + b.height) / 2 + spacing


def _stack(lanes: list[list[_Item]]) -> None:
    """First heights: each column stacked from the top in its order."""
    for lane in lanes:
        y = 0.0
        for i, item in enumerate(lane):
            y = item.height / 2 if i == 0 else y + _gap(lane[i - 1], item)
            item.y = y


def _fit(lane: list[_Item], side: str) -> None:
    """Move a column's items as close to their neighbours' mean height as the spacing allows:
    least squares under order and gap constraints, solved by pooling adjacent violators."""
    if not lane:
        return
    offsets = [0.0]
    for a, b in zip(lane, lane[1:], strict=False):
        offsets.append(offsets[-1] + _gap(a, b))
    wanted = []
    for item in lane:
        near = item.up if side == "up" else item.down
        wanted.append(sum(n.y for n in near) / len(near) if near else item.y)
    # Isotonic regression of wanted - offset: pools of (mean, weight, count).
    pools: list[list[float]] = []
    for target, offset in zip(wanted, offsets, strict=True):
        pools.append([target - offset, 1.0, 1])
        while len(pools) > 1 and pools[-2][0] > pools[-1][0]:
            mean_b, weight_b, count_b = pools.pop()
            mean_a, weight_a, count_a = pools[-1]
            weight = weight_a + weight_b
            pools[-1] = [
                (mean_a * weight_a + mean_b * weight_b) / weight,
                weight,
                count_a + count_b,
            ]
    index = 0
    for mean, _weight, count in pools:
        for _ in range(int(count)):
            lane[index].y = mean + offsets[index]
            index += 1


def _geometry(
    boxes: list[Box],
    links: list[Link],
    lanes: list[list[_Item]],
    chains: dict[str, list[_Item]],
) -> Layout:
    """Pixels: columns side by side, everything shifted so the top item starts at PAD."""
    top = min((lane[0].y - lane[0].height / 2 for lane in lanes if lane), default=0.0)
    shift = PAD - top
    lane_x: list[float] = []
    lane_w: list[float] = []
    x = float(PAD)
    for number, lane in enumerate(lanes):
        widest = max((item.width for item in lane), default=0.0)
        width = widest if number % 2 == 0 else max(widest, MIN_LABEL_COLUMN)
        lane_x.append(x)
        lane_w.append(width)
        x += width + GAP_X
    where: dict[int, tuple[float, float, float]] = {}  # item -> (left, right, centre y)
    rects: dict[str, Rect] = {}
    by_key = {box.key: box for box in boxes}
    bottom = 0.0
    for number, lane in enumerate(lanes):
        for item in lane:
            y = round(item.y + shift, 1)
            left, right = lane_x[number], lane_x[number] + lane_w[number]
            where[id(item)] = (left, right, y)
            bottom = max(bottom, y + item.height / 2)
            if item.key in by_key:
                box = by_key[item.key]
                rects[item.key] = Rect(
                    left, round(y - box.height / 2, 1), lane_w[number], box.height
                )
    routed = [_route(link, chains[link.key], where) for link in links]
    return Layout(rects, routed, x - GAP_X + PAD, bottom + PAD)


def _route(
    link: Link, chain: list[_Item], where: dict[int, tuple[float, float, float]]
) -> RoutedLink:
    routed = RoutedLink(link)
    for left, right in zip(chain, chain[1:], strict=False):
        _l0, x0, y0 = where[id(left)]
        x1, _r1, y1 = where[id(right)]
        mid = (x0 + x1) / 2
        routed.curves.append(((x0, y0), (mid, y0), (mid, y1), (x1, y1)))
    for slot in chain[1:-1]:
        x0, x1, y = where[id(slot)]
        routed.runs.append((x0, x1, y))
        if slot.height == LABEL_H:
            routed.label = Rect(x0, y - LABEL_H / 2, x1 - x0, LABEL_H)
    return routed
