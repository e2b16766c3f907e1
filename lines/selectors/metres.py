"""Which metres of a roll are still free: the gaps between the metre ranges its edges used."""

from decimal import Decimal

from lines.models import GenealogyEdge, Unit


def roll_free_metres(*, roll: Unit) -> list[tuple[Decimal, Decimal]]:
    """The free metre ranges of `roll` (0..its initial length), in order of position."""
    used = (
        GenealogyEdge.objects.filter(
            parent=roll, position_from_m__isnull=False, position_to_m__isnull=False
        )
        .order_by("position_from_m")
        .values_list("position_from_m", "position_to_m")
    )
    free, at = [], Decimal(0)
    for start, end in used:
        if start is None or end is None:  # filtered out above; the columns are nullable
            continue
        if start > at:
            free.append((at, start))
        at = max(at, end)
    if at < roll.quantity_initial:
        free.append((at, roll.quantity_initial))
    return free


def next_free_metres(*, roll: Unit, after: Decimal) -> tuple[Decimal, Decimal] | None:
    """The first free range ending beyond `after` (where the operator was heading), else the
    first free range anywhere; None when the whole roll is used."""
    free = roll_free_metres(roll=roll)
    return next((gap for gap in free if gap[1] > after), free[0] if free else None)
