"""Reads of flags for a unit."""

from quality.choices import FlagKind, FlagState
from quality.models import Flag


def open_flags_of(unit_id: int, *, blocking_only: bool = True) -> list[Flag]:
    """A unit's open flags; SPC warnings do not block a unit and are left out unless asked."""
    flags = Flag.objects.filter(unit_id=unit_id, state=FlagState.OPEN)
    if blocking_only:
        flags = flags.exclude(kind=FlagKind.SPC_RULE)
    return list(flags.order_by("id"))
