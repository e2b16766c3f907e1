"""What a new genealogy edge inherits: the holds of a held parent, and flagged roll segments.

Registered on lines.hooks.AFTER_CONSUME (quality/apps.py), so it runs inside the consumption's
transaction: a cell stacked hours later from a flagged segment is flagged and held as it is made.
"""

from lines.models import GenealogyEdge
from mes.actors import Actor
from quality.choices import FlagKind, FlagState
from quality.models import Flag
from quality.selectors.holds import active_holds_of
from quality.services.holds import hold_add_units
from quality.services.segments import reach_units, root_of, segment_reach


def on_consumed(*, edge: GenealogyEdge, by: Actor) -> None:
    for hold in active_holds_of(edge.parent_id):
        hold_add_units(
            hold=hold,
            unit_ids=[edge.child_id],
            by=by,
            why=f"made from held {edge.parent.identifier} under override",
        )
    if edge.position_from_m is None:
        return
    assert edge.position_to_m is not None  # both metres or neither (edge_position_range_valid)
    start_m, end_m = float(edge.position_from_m), float(edge.position_to_m)
    segments = Flag.objects.filter(
        unit_id=edge.parent_id,
        kind=FlagKind.OUT_OF_SPEC,
        state=FlagState.OPEN,
        position_from_m__lt=end_m,
        position_to_m__gt=start_m,
    ).select_related("source_flag__unit", "unit")
    for segment in segments:
        seg_from, seg_to = segment.position_from_m, segment.position_to_m
        assert seg_from is not None and seg_to is not None  # matched on both metres
        lo, hi = max(seg_from, start_m), min(seg_to, end_m)
        reached = [
            r
            for r in segment_reach(roll_id=edge.parent_id, start_m=lo, end_m=hi)
            if r[0] == edge.child_id
        ]
        reach_units(root=root_of(segment), reached=reached, by=by)
