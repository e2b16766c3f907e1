"""A PLC's machine state as one of the MES's state categories (docs/oee.md, "States").

Pure: no Django. A PLC reports its state as a PackML / OPC 30050 state number or as an OPC 40001-1
MachineryItemState name (with MachineryOperationMode beside it); a per-tag override table maps
anything else. A value no table knows is UNMAPPED: stored and shown as such, never guessed.
"""

from collections.abc import Mapping
from enum import StrEnum


class Category(StrEnum):
    RUNNING = "running"
    IDLE = "idle"  # starved or blocked: ready, waiting for material or for the next station
    DOWN = "down"  # fault or stop inside planned production time
    PLANNED_STOP = "planned_stop"
    SETUP = "setup"  # setup, changeover, refitting
    NO_DATA = "no_data"  # the bridge had no connection: neither running nor down
    UNMAPPED = "unmapped"  # the PLC said something no mapping knows


# "Stopped" means planned stop outside planned production time and down inside it: the category
# is settled against the calendar (figures.py), not here.
STOPPED = "stopped"

# PackML (ISA-TR88.00.02, OPC 30050 PackMLStateMachine) state numbers.
PACKML: Mapping[int, str] = {
    1: Category.DOWN,  # Clearing: recovering from an abort
    2: STOPPED,  # Stopped
    3: Category.SETUP,  # Starting
    4: Category.IDLE,  # Idle: ready, no order to execute
    5: Category.IDLE,  # Suspended: starved or blocked by its neighbours
    6: Category.RUNNING,  # Execute
    7: STOPPED,  # Stopping
    8: Category.DOWN,  # Aborting
    9: Category.DOWN,  # Aborted
    10: Category.DOWN,  # Holding: an internal fault the machine waits out
    11: Category.DOWN,  # Held
    12: Category.DOWN,  # Unholding
    13: Category.IDLE,  # Suspending
    14: Category.IDLE,  # Unsuspending
    15: Category.SETUP,  # Resetting
    16: Category.RUNNING,  # Completing: still producing the last units
    17: Category.IDLE,  # Complete: the order is done, waiting for the next
}

# OPC 40001-1 MachineryItemState; the operation mode refines NotExecuting.
MACHINERY_ITEM_STATE: Mapping[str, str] = {
    "Executing": Category.RUNNING,
    "NotExecuting": Category.IDLE,
    "OutOfService": Category.DOWN,
    "NotAvailable": STOPPED,  # switched off or energy saving
}
MACHINERY_OPERATION_MODE: Mapping[str, str] = {
    "Maintenance": Category.PLANNED_STOP,
    "SetupTeardownRefitting": Category.SETUP,
}


KNOWN = frozenset({*Category, STOPPED})


def category_of(
    *,
    number: float | None = None,
    text: str = "",
    operation_mode: str = "",
    overrides: Mapping[str, str] | None = None,
) -> str:
    """The category (or STOPPED) of one reported state. `overrides` maps the PLC's value as text
    ("7", "JAM") to a category name and wins over the built-in tables."""
    key = text.strip() if text else _number_key(number)
    if overrides and key in overrides:
        target = overrides[key]
        return target if target in KNOWN else Category.UNMAPPED
    if text:
        state = MACHINERY_ITEM_STATE.get(key)
        if state is None:
            return Category.UNMAPPED
        if state == Category.IDLE and operation_mode in MACHINERY_OPERATION_MODE:
            return MACHINERY_OPERATION_MODE[operation_mode]
        return state
    if number is None or not float(number).is_integer():
        return Category.UNMAPPED
    return PACKML.get(int(number), Category.UNMAPPED)


def _number_key(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else repr(number)
