"""Rows of the four bulk-loaded tables as plain tuples, in the column order of the *_FIELDS below.

Times arrive as epoch seconds (floats) and leave as aware UTC datetimes; quantities arrive as
integer thousandths and leave as Decimals (exact; binary COPY needs them for numeric columns).
"""

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from lines.choices import UnitStatus

UNIT_FIELDS = (
    "id",
    "identifier",
    "kind",
    "status",
    "material",
    "product",
    "work_order",
    "supplier",
    "supplier_lot",
    "uom",
    "quantity_initial",
    "quantity_remaining",
    "route",
    "current_step",
    "station",
    "created_at",
    "updated_at",
)
OPERATION_FIELDS = (
    "id",
    "unit",
    "station",
    "step",
    "started_at",
    "started_by",
    "completed_at",
    "completed_by",
    "result",
    "note",
)
# Edges and history rows are referred to by nothing the generator writes: the database numbers them.
EDGE_FIELDS = (
    "parent",
    "child",
    "quantity",
    "position_from_m",
    "position_to_m",
    "operation",
    "created_at",
    "created_by",
)
HISTORY_FIELDS = ("unit", "at", "by", "event", "status_before", "status_after", "reason")


def moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@lru_cache(maxsize=1 << 16)
def _decimal(thousandths: int) -> Decimal:
    return Decimal(f"{thousandths // 1000}.{thousandths % 1000:03d}")


def exact_decimal(thousandths: int | None) -> Decimal | None:
    """Exact decimal of integer thousandths; cached, as cells repeat the same few thousand values."""
    return None if thousandths is None else _decimal(thousandths)


def unit_row(
    *,
    id: int,
    identifier: str,
    kind: str,
    status: str,
    uom: str,
    initial: int,
    remaining: int,
    created_at: float,
    updated_at: float,
    material: int | None = None,
    product: int | None = None,
    work_order: int | None = None,
    supplier: str = "",
    supplier_lot: str = "",
    route: int | None = None,
    current_step: int | None = None,
    station: int | None = None,
) -> tuple:
    return (
        id,
        identifier,
        kind,
        status,
        material,
        product,
        work_order,
        supplier,
        supplier_lot,
        uom,
        exact_decimal(initial),
        exact_decimal(remaining),
        route,
        current_step,
        station,
        moment(created_at),
        moment(updated_at),
    )


def operation_row(
    *,
    id: int,
    unit: int,
    station: int,
    step: int,
    started_at: float,
    by: int,
    completed_at: float | None,
    result: str = "",
    note: str = "",
) -> tuple:
    """An operation; open when `completed_at` is None. The same operator starts and completes it."""
    if completed_at is None:
        return (id, unit, station, step, moment(started_at), by, None, None, "", "")
    return (id, unit, station, step, moment(started_at), by, moment(completed_at), by, result, note)


def edge_row(
    *,
    parent: int,
    child: int,
    quantity: int,
    at: float,
    by: int,
    operation: int,
    position_from: int | None = None,
    position_to: int | None = None,
) -> tuple:
    return (
        parent,
        child,
        exact_decimal(quantity),
        exact_decimal(position_from),
        exact_decimal(position_to),
        operation,
        moment(at),
        by,
    )


def created_row(*, unit: int, at: float, by: int | None) -> tuple:
    """The 'created' history row a service writes when it creates a unit."""
    return (unit, moment(at), by, "created", "", UnitStatus.CREATED.value, "")
