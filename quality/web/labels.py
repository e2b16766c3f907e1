"""Words for the codes the screens show (unit kinds, statuses, decisions...), translatable.

The enumerations live in lines.choices and quality.choices with English labels for the API and
the admin; the screens name them through these, so the zh-hans catalogue of quality covers them.
"""

from django.utils.translation import gettext_lazy as _

KIND = {
    "material_lot": _("Material lot"),
    "slurry_batch": _("Slurry batch"),
    "roll": _("Roll"),
    "cell": _("Cell"),
}
KIND_PLURAL = {
    "material_lot": _("material lots"),
    "slurry_batch": _("slurry batches"),
    "roll": _("rolls"),
    "cell": _("cells"),
}
STATUS = {
    "created": _("Created"),
    "in_process": _("In process"),
    "on_hold": _("On hold"),
    "released": _("Released"),
    "consumed": _("Consumed"),
    "scrapped": _("Scrapped"),
    "shipped": _("Shipped"),
}
SEVERITY = {"minor": _("Minor"), "major": _("Major"), "critical": _("Critical")}
FLAG_KIND = {
    "out_of_spec": _("Out of spec"),
    "data_quality": _("Data quality"),
    "spc_rule": _("SPC rule"),
    "missing_measurement": _("Missing measurement"),
}
FLAG_STATE = {"open": _("Open"), "dispositioned": _("Dispositioned")}
HOLD_STATE = {"active": _("Active"), "released": _("Released")}
DECISION = {
    "release": _("Release"),
    "rework": _("Rework"),
    "scrap": _("Scrap"),
    "use_as_is": _("Use as is"),
}
RESULT = {"passed": _("Passed"), "failed": _("Failed")}
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


def word(table: dict, code: object) -> str:
    """The translated word for a code, or the code itself when the table does not know it."""
    return str(table.get(code, code))
