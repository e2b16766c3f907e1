"""Every state change of the lines domain. Views, tasks, commands and the bridge call these only.

Each service is one transaction, takes keyword arguments, locks what it changes (lines.locks), and
raises a mes.errors.DomainError subclass with an actionable message when it refuses.
"""

from lines.services.declarations import lot_declaration_record
from lines.services.genealogy import roll_split, unit_consume
from lines.services.holding import units_put_on_hold, units_scrap_held, units_take_off_hold
from lines.services.measurements import measurement_record
from lines.services.operations import (
    operation_complete,
    operation_complete_check,
    operation_start,
    operation_start_check,
)
from lines.services.tags import tag_create, tag_update
from lines.services.units import material_receive, unit_create, unit_scrap
from lines.services.work_orders import work_order_create

__all__ = [
    "lot_declaration_record",
    "material_receive",
    "measurement_record",
    "operation_complete",
    "operation_complete_check",
    "operation_start",
    "operation_start_check",
    "roll_split",
    "tag_create",
    "tag_update",
    "unit_consume",
    "unit_create",
    "unit_scrap",
    "units_put_on_hold",
    "units_scrap_held",
    "units_take_off_hold",
    "work_order_create",
]
