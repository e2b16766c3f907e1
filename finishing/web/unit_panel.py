"""A cell's EOL grade and its passport link on the quality engineer's unit history page
(registered with quality.web.unit_panels, which knows nothing of finishing)."""

from finishing.selectors.grading import grade_of
from finishing.selectors.passport import FINISHED
from lines.choices import UnitKind
from lines.models import Unit
from quality.web.unit_panels import UnitPanel


def grade_panel(unit: Unit) -> UnitPanel | None:
    if unit.kind != UnitKind.CELL:
        return None
    context = {"grade": grade_of(unit=unit), "finished": unit.status in FINISHED, "unit": unit}
    return UnitPanel("finishing/_unit_grade.html", context)
