"""Row locks for units, always taken in ascending id order so that two services never deadlock."""

from collections.abc import Iterable

from lines.models import Unit


def lock_units(unit_ids: Iterable[int]) -> dict[int, Unit]:
    """Lock the units (SELECT ... FOR UPDATE, inside the caller's transaction) and return them fresh.

    On SQLite, FOR UPDATE is a no-op; the IMMEDIATE transaction mode in settings serialises
    writers at BEGIN instead, so the fresh read below is equally authoritative.
    """
    ids = sorted(set(unit_ids))
    units = Unit.objects.select_for_update().filter(id__in=ids).order_by("id")
    return {unit.id: unit for unit in units}
