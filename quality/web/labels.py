"""Words for the codes the screens show (unit kinds, statuses, decisions...), translatable.

Unit kinds, statuses and operation results are named by lines.choices' own (translated) labels.
Quality's enumerations carry long English labels for the API and the admin; the screens name
them with the short words here, so the zh-hans catalogue of quality covers them.
"""

from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from lines.choices import OperationResult, UnitKind, UnitStatus

KIND = UnitKind
KIND_PLURAL = {
    "material_lot": _("material lots"),
    "slurry_batch": _("slurry batches"),
    "roll": _("rolls"),
    "cell": _("cells"),
}
STATUS = UnitStatus
SEVERITY = {"minor": _("Minor"), "major": _("Major"), "critical": _("Critical")}
FLAG_KIND = {
    "out_of_spec": _("Out of spec"),
    "data_quality": _("Data quality"),
    "spc_rule": _("SPC rule"),
    "missing_measurement": _("Missing measurement"),
    "exposure": _("Moisture exposure"),
}
FLAG_STATE = {"open": _("Open"), "dispositioned": _("Dispositioned")}
HOLD_STATE = {"active": _("Active"), "released": _("Released")}
DECISION = {
    "release": _("Release"),
    "rework": _("Rework"),
    "scrap": _("Scrap"),
    "use_as_is": _("Use as is"),
}
RESULT = OperationResult
NCR_STATE = {"open": _("Open"), "closed": _("Closed")}
# What lines writes in a unit's status history (lines.services: save_unit's event codes).
HISTORY_EVENT = {
    "created": _("Created"),
    "started": _("Operation started"),
    "step_completed": _("Step completed"),
    "route_completed": _("Route completed"),
    "consumed": _("Used up"),
    "slit": _("Slit into lanes"),
    "scrapped": _("Scrapped"),
    "hold_placed": _("Hold placed"),
    "hold_released": _("Hold released"),
}
RULE = {
    1: _("1 point more than 3 sigma from the centre line"),
    2: _("2 of 3 consecutive points more than 2 sigma from the centre line, on the same side"),
    3: _("4 of 5 consecutive points more than 1 sigma from the centre line, on the same side"),
    4: _("8 consecutive points on the same side of the centre line"),
    5: _("6 points in a row steadily increasing or steadily decreasing"),
    6: _("15 points in a row within 1 sigma of the centre line"),
    7: _("14 points in a row alternating up and down"),
    8: _("8 points in a row more than 1 sigma from the centre line, on either side"),
}


def word(table: dict | type[TextChoices], code: object) -> str:
    """The translated word for a code, or the code itself when the table does not know it."""
    words: dict[Any, Any] = dict(table.choices) if isinstance(table, type) else table
    return str(words.get(code, code))
