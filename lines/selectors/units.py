"""Unit look-ups."""

from django.utils.translation import gettext as _

from lines.models import Unit
from mes.errors import NotFound


def unit_get_by_identifier(*, identifier: str) -> Unit:
    """The unit with this barcode, or NotFound with the identifier in the message."""
    unit = Unit.objects.filter(identifier=identifier).first()
    if unit is None:
        raise NotFound(
            _("No unit with identifier %(identifier)s.") % {"identifier": repr(identifier)}
        )
    return unit
