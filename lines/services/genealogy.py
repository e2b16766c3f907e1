"""Consumption and slitting: the writes that create genealogy edges."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lines import hooks, selectors
from lines.choices import UnitKind, UnitOfMeasure, UnitStatus
from lines.locks import lock_units
from lines.models import GenealogyEdge, Operation, Unit
from lines.services.common import (
    ACTION_CONSUME,
    METRE_DIGITS,
    qty_text,
    refuse_unless_workable,
    save_unit,
    to_decimal,
)
from lines.services.units import unit_create
from mes import roles
from mes.actors import Actor
from mes.errors import Forbidden, InvalidInput, RuleViolation

Number = Decimal | str | float | int


def _refuse_finished_child(child: Unit) -> None:
    # A held child still records what it consumed: a hold stops further work, not the record of
    # work done (the stacker reports the metres a flagged cell's sheets used; losing them would
    # lose exactly the genealogy quality needs).
    if child.status in UnitStatus.terminal():
        raise RuleViolation(
            _("%(unit)s is %(status)s and cannot consume material.")
            % {"unit": child.identifier, "status": child.get_status_display().lower()}
        )


def _refuse_unless_consumable(
    parent: Unit, *, hold_override: bool = False, by: Actor = None
) -> None:
    if parent.status == UnitStatus.ON_HOLD and hold_override:
        if not roles.user_roles(by) & roles.DECIDES_QUALITY:
            raise Forbidden(
                _("%(unit)s is on hold; only a quality engineer may override the hold.")
                % {"unit": parent.identifier},
                field="parent",
            )
        return
    if parent.status not in UnitStatus.consumable():
        refuse_unless_workable(parent, ACTION_CONSUME, field="parent")
        raise RuleViolation(
            _("%(unit)s cannot be consumed in status %(status)s.")
            % {"unit": parent.identifier, "status": parent.status},
            field="parent",
        )


def _metre_range(
    parent: Unit, start: Number | None, end: Number | None
) -> tuple[Decimal, Decimal] | None:
    """Validate a metre range on a metre-measured parent; rolls must say which metres were used."""
    if start is None and end is None:
        if parent.kind == UnitKind.ROLL:
            raise InvalidInput(
                _("%(unit)s is a roll: give the metres used (from and to).")
                % {"unit": parent.identifier},
                field="position_from_m",
            )
        return None
    if start is None or end is None or parent.uom != UnitOfMeasure.M:
        raise InvalidInput(
            _("Give both from and to metres, and only for a parent measured in metres."),
            field="position_from_m",
        )
    low = to_decimal(start, field="position_from_m", allow_zero=True, digits=METRE_DIGITS)
    high = to_decimal(end, field="position_to_m", digits=METRE_DIGITS)
    if high <= low or high > parent.quantity_initial:
        raise InvalidInput(
            _("Metres %(low)s..%(high)s are not a range within %(unit)s (0..%(length)s m).")
            % {
                "low": qty_text(low),
                "high": qty_text(high),
                "unit": parent.identifier,
                "length": qty_text(parent.quantity_initial),
            },
            field="position_to_m",
        )
    overlap = GenealogyEdge.objects.filter(
        Q(parent=parent) & Q(position_from_m__lt=high) & Q(position_to_m__gt=low)
    ).first()
    if overlap is not None:
        raise RuleViolation(_overlap_message(parent, low, high, overlap), field="position_from_m")
    return low, high


def _overlap_message(roll: Unit, low: Decimal, high: Decimal, overlap: GenealogyEdge) -> str:
    """What overlapped, and where the operator can go instead: the next free metres of the
    roll (the stacker's feed or the tablet's form then needs only the range changed)."""
    names = {
        "low": qty_text(low),
        "high": qty_text(high),
        "unit": roll.identifier,
        "from": qty_text(overlap.position_from_m),
        "to": qty_text(overlap.position_to_m),
    }
    gap = selectors.next_free_metres(roll=roll, after=low)
    if gap is None:
        return (
            _(
                "Metres %(low)s..%(high)s of %(unit)s overlap metres %(from)s..%(to)s already "
                "used. No metres of %(unit)s are free."
            )
            % names
        )
    names["free_from"], names["free_to"] = qty_text(gap[0]), qty_text(gap[1])
    return (
        _(
            "Metres %(low)s..%(high)s of %(unit)s overlap metres %(from)s..%(to)s already "
            "used. The next free metres are %(free_from)s..%(free_to)s."
        )
        % names
    )


@transaction.atomic
def unit_consume(
    *,
    child: Unit,
    parent: Unit,
    quantity: Number | None = None,
    position_from_m: Number | None = None,
    position_to_m: Number | None = None,
    operation: Operation | None = None,
    hold_override: bool = False,
    by: Actor = None,
    at: datetime | None = None,
) -> GenealogyEdge:
    """Record that `child` consumed a quantity of `parent` (for a roll: the metres from..to).

    Refused: a child that is consumed, scrapped or shipped (a held child may: the record of
    what it used is kept), self or cyclic consumption, a parent that is consumed, scrapped, shipped or held,
    more than the parent has left, overlapping roll metres, and an operation of another unit.
    At zero remaining the parent becomes consumed. A quality engineer may consume a held parent
    with `hold_override`; the hooks (quality) then put the child under the parent's holds.
    """
    if child.id == parent.id:
        raise RuleViolation(
            _("%(unit)s cannot consume itself.") % {"unit": child.identifier}, field="parent"
        )
    locked = lock_units([child.id, parent.id])
    child, parent = locked[child.id], locked[parent.id]
    _refuse_finished_child(child)
    _refuse_unless_consumable(parent, hold_override=hold_override, by=by)
    if operation is not None and operation.unit_id != child.id:
        raise InvalidInput(
            _("That operation is not one of %(unit)s's.") % {"unit": child.identifier},
            field="operation",
        )
    metres = _metre_range(parent, position_from_m, position_to_m)
    qty = _quantity(parent, quantity, metres)
    if selectors.unit_has_ancestor(unit_id=parent.id, ancestor_id=child.id):
        raise RuleViolation(
            _(
                "%(child)s is already upstream of %(parent)s: consuming it would "
                "make the genealogy a cycle."
            )
            % {"child": child.identifier, "parent": parent.identifier},
            field="parent",
        )
    edge = GenealogyEdge.objects.create(
        parent=parent,
        child=child,
        quantity=qty,
        operation=operation,
        position_from_m=metres[0] if metres else None,
        position_to_m=metres[1] if metres else None,
        created_at=at or timezone.now(),
        created_by=by,
    )
    parent.quantity_remaining -= qty
    _save_consumed_parent(parent, by, edge.created_at)
    hooks.run(hooks.AFTER_CONSUME, edge=edge, by=by)
    return edge


def _save_consumed_parent(parent: Unit, by: Actor, at: datetime) -> None:
    if parent.quantity_remaining != 0:
        save_unit(parent, fields=["quantity_remaining"])
    elif parent.status == UnitStatus.ON_HOLD:
        # Used up under a hold override: it stays held, and is consumed once the hold is released.
        parent.held_from_status = UnitStatus.CONSUMED
        save_unit(parent, fields=["quantity_remaining", "held_from_status"])
    else:
        save_unit(
            parent,
            fields=["quantity_remaining"],
            status=UnitStatus.CONSUMED,
            event="consumed",
            by=by,
            at=at,
        )


def _quantity(
    parent: Unit, quantity: Number | None, metres: tuple[Decimal, Decimal] | None
) -> Decimal:
    if metres is not None:
        length = metres[1] - metres[0]
        if quantity is not None and to_decimal(quantity, field="quantity") != length:
            raise InvalidInput(
                _("Quantity %(quantity)s does not match the metres used (%(length)s m).")
                % {"quantity": quantity, "length": qty_text(length)},
                field="quantity",
            )
        qty = length
    elif quantity is None:
        raise InvalidInput(
            _("Give the quantity of %(unit)s used.") % {"unit": parent.identifier},
            field="quantity",
        )
    else:
        qty = to_decimal(quantity, field="quantity")
    if qty > parent.quantity_remaining:
        raise RuleViolation(
            _("%(unit)s has %(left)s %(uom)s left; cannot consume %(qty)s %(uom)s.")
            % {
                "unit": parent.identifier,
                "left": qty_text(parent.quantity_remaining),
                "uom": parent.uom,
                "qty": qty_text(qty),
            },
            field="quantity",
        )
    return qty


@transaction.atomic
def roll_split(
    *,
    parent: Unit,
    daughter_identifiers: list[str],
    operation: Operation | None = None,
    by: Actor = None,
    at: datetime | None = None,
) -> list[Unit]:
    """Slit a whole roll into daughter rolls (lanes), each as long as the parent (at `at`, or now).

    A daughter's metre m is the parent's metre m, so each edge covers the parent's full length and a
    coating defect at metres 400..460 of the mother is at 400..460 of every daughter. The parent must
    be untouched (nothing consumed from it yet) and becomes consumed. Each lane inherits what the
    hooks pass down (a flagged segment of the mother becomes the same segment of each lane).
    """
    if parent.kind != UnitKind.ROLL:
        raise InvalidInput(
            _("%(unit)s is not a roll; only rolls are slit.") % {"unit": parent.identifier},
            field="parent",
        )
    if not daughter_identifiers or len(set(daughter_identifiers)) != len(daughter_identifiers):
        raise InvalidInput(_("Give one distinct identifier per daughter roll."), field="daughters")
    parent = lock_units([parent.id])[parent.id]
    _refuse_unless_consumable(parent)
    if parent.quantity_remaining != parent.quantity_initial:
        raise RuleViolation(
            _("%(unit)s has been partly used; only a whole roll is slit.")
            % {"unit": parent.identifier}
        )
    length = parent.quantity_initial
    now = at or timezone.now()
    daughters = []
    for identifier in daughter_identifiers:
        daughter = unit_create(
            identifier=identifier,
            kind=UnitKind.ROLL,
            quantity=length,
            product=parent.product,
            by=by,
            at=now,
        )
        edge = GenealogyEdge.objects.create(
            parent=parent,
            child=daughter,
            quantity=length,
            position_from_m=0,
            position_to_m=length,
            operation=operation,
            created_at=now,
            created_by=by,
        )
        daughters.append((daughter, edge))
    parent.quantity_remaining = Decimal(0)
    save_unit(
        parent,
        fields=["quantity_remaining"],
        status=UnitStatus.CONSUMED,
        event="slit",
        by=by,
        at=now,
    )
    for _daughter, edge in daughters:
        hooks.run(hooks.AFTER_CONSUME, edge=edge, by=by)
    return [daughter for daughter, _edge in daughters]
