"""Unit look-ups."""

from lines.models import Unit
from mes.errors import NotFound


def unit_get_by_identifier(*, identifier: str) -> Unit:
    """The unit with this barcode, or NotFound with the identifier in the message."""
    unit = Unit.objects.filter(identifier=identifier).first()
    if unit is None:
        raise NotFound(f"No unit with identifier {identifier!r}.")
    return unit
