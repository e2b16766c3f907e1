"""Work orders: an order to build a quantity of a route's product."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lines.models import Route, WorkOrder
from mes.errors import InvalidInput, RuleViolation


def work_order_create(
    *, code: str, route: Route, quantity_planned: int, due_at: datetime | None = None
) -> WorkOrder:
    """Create a released work order for `route`'s product. A taken code is a conflict."""
    if quantity_planned <= 0:
        raise InvalidInput(_("Plan at least one unit."), field="quantity_planned")
    try:
        with transaction.atomic():
            return WorkOrder.objects.create(
                code=code.strip(),
                product=route.product,
                route=route,
                quantity_planned=quantity_planned,
                due_at=due_at,
            )
    except IntegrityError as exc:
        raise RuleViolation(
            _("A work order %(code)s already exists.") % {"code": code}, field="code"
        ) from exc
