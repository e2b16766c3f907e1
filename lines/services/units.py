"""Creating units (receiving material lots, starting batches, rolls and cells) and scrapping them."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.choices import UnitKind, UnitOfMeasure, UnitStatus
from lines.locks import lock_units
from lines.models import Material, Operation, Product, Route, Unit, UnitHistory, WorkOrder
from lines.services.common import (
    ACTION_SCRAP,
    check_identifier,
    refuse_unless_workable,
    save_unit,
    to_decimal,
)
from mes.actors import Actor
from mes.errors import InvalidInput


def _insert_unit(*, by: Actor, at: datetime | None = None, **fields: object) -> Unit:
    now = timezone.now()
    made = at or now
    unit = Unit.objects.create(created_at=made, updated_at=now, **fields)
    UnitHistory.objects.create(
        unit=unit, at=made, by=by, event="created", status_before="", status_after=unit.status
    )
    return unit


@transaction.atomic
def material_receive(
    *,
    material: Material,
    identifier: str,
    quantity: Decimal | str | float,
    supplier: str,
    supplier_lot: str,
    by: Actor = None,
) -> Unit:
    """Receive a lot of purchased material into stock, in the material's unit of measure.

    The supplier and the supplier's own lot number are required: they are what a supplier recall
    names, and what the forward trace starts from.
    """
    if not supplier.strip() or not supplier_lot.strip():
        field = "supplier" if not supplier.strip() else "supplier_lot"
        raise InvalidInput(
            _("A received lot needs its supplier and supplier lot number."), field=field
        )
    qty = to_decimal(quantity, field="quantity")
    return _insert_unit(
        by=by,
        identifier=check_identifier(identifier),
        kind=UnitKind.MATERIAL_LOT,
        material=material,
        supplier=supplier.strip(),
        supplier_lot=supplier_lot.strip(),
        uom=material.uom,
        quantity_initial=qty,
        quantity_remaining=qty,
    )


_KIND_UOM: dict[str, str] = {
    UnitKind.SLURRY_BATCH: UnitOfMeasure.KG,
    UnitKind.ROLL: UnitOfMeasure.M,
    UnitKind.CELL: UnitOfMeasure.PCS,
}


@transaction.atomic
def unit_create(
    *,
    identifier: str,
    kind: str,
    quantity: Decimal | str | float = 1,
    product: Product | None = None,
    work_order: WorkOrder | None = None,
    route: Route | None = None,
    by: Actor = None,
    at: datetime | None = None,
) -> Unit:
    """Create a made unit (slurry batch in kg, roll in m, cell as 1 pcs) at the first step of its route.

    The route defaults to the work order's; the product to the route's. A cell is always one piece.
    `at`: when it was made, if not now (a record entered after the fact).
    """
    if kind not in _KIND_UOM:
        raise InvalidInput(
            _("Kind %(kind)s cannot be created here; material lots are received.")
            % {"kind": repr(kind)},
            field="kind",
        )
    route = route or (work_order.route if work_order else None)
    product = (
        product
        or (route.product if route else None)
        or (work_order.product if work_order else None)
    )
    qty = Decimal(1) if kind == UnitKind.CELL else to_decimal(quantity, field="quantity")
    return _insert_unit(
        by=by,
        at=at,
        identifier=check_identifier(identifier),
        kind=kind,
        product=product,
        work_order=work_order,
        route=route,
        current_step=route.first_step() if route else None,
        uom=_KIND_UOM[kind],
        quantity_initial=qty,
        quantity_remaining=qty,
    )


@transaction.atomic
def unit_scrap(*, unit: Unit, reason: str, by: Actor = None) -> Unit:
    """Scrap a unit for a stated reason. An open operation on it is closed as failed.

    Scrapping is final: a scrapped unit cannot be worked, consumed or un-scrapped through the app.
    A held unit is scrapped by its disposition (quality), not here.
    """
    if not reason.strip():
        raise InvalidInput(_("Say why the unit is scrapped."), field="reason")
    unit = lock_units([unit.id])[unit.id]
    refuse_unless_workable(unit, ACTION_SCRAP)
    now = timezone.now()
    Operation.objects.filter(unit=unit, completed_at__isnull=True).update(
        completed_at=now, completed_by=by, result="failed", note=f"scrapped: {reason.strip()}"
    )
    save_unit(
        unit, fields=[], status=UnitStatus.SCRAPPED, event="scrapped", by=by, reason=reason.strip()
    )
    return unit
