"""Row locks for units, always taken in ascending id order so that two services never deadlock."""

from collections.abc import Iterable, Sequence

from lines.models import Unit


def lock_units(unit_ids: Iterable[int], *, with_related: Sequence[str] = ()) -> dict[int, Unit]:
    """Lock the units (SELECT ... FOR UPDATE, inside the caller's transaction) and return them fresh.

    `with_related`: foreign keys the caller reads next (the current step), fetched in the same
    statement; FOR UPDATE OF keeps the lock on the units' rows alone, as without them.
    On SQLite, FOR UPDATE is a no-op; the IMMEDIATE transaction mode in settings serialises
    writers at BEGIN instead, so the fresh read below is equally authoritative.
    """
    ids = sorted(set(unit_ids))
    units = Unit.objects.select_for_update(of=("self",)).filter(id__in=ids).order_by("id")
    if with_related:
        units = units.select_related(*with_related)
    return {unit.id: unit for unit in units}
