"""Look-ups of the things an API request names (by identifier, code or id).

Every look-up that finds nothing raises mes.errors.NotFound naming the request field, so the API
answers 404 with {"error": {"code": "not_found", "message", "fields": {<field>: [message]}}}: the
same answer for a path segment (`/units/NOPE/`) and for a reference in a request body.
"""

from typing import TypeVar

from django.db.models import Model
from django.utils.translation import gettext as _

from lines import selectors
from lines.models import Material, Operation, Product, Route, RouteStep, Station, Unit, WorkOrder
from mes.errors import NotFound

M = TypeVar("M", bound=Model)


def unit(identifier: str, *, field: str = "identifier") -> Unit:
    """The unit with this barcode."""
    try:
        return selectors.unit_get_by_identifier(identifier=identifier)
    except NotFound as exc:
        raise NotFound(exc.message, field=field) from exc


def one(model: type[M], field: str, **lookup: object) -> M:
    """The object of `model` matching the one look-up given, or NotFound naming `field`."""
    found = model._default_manager.filter(**lookup).first()
    if found is None:
        value = next(iter(lookup.values()))
        name = model._meta.verbose_name
        raise NotFound(
            _("No %(model)s with %(key)s %(value)s.")
            % {"model": name, "key": next(iter(lookup)), "value": repr(value)},
            field=field,
        )
    return found


def station(code: str, *, field: str = "station") -> Station:
    """The station with this code (`COAT-01`)."""
    return one(Station, field, code=code)


def material(code: str, *, field: str = "material") -> Material:
    """The material with this code (`NMC811`)."""
    return one(Material, field, code=code)


def product(code: str, *, field: str = "product") -> Product:
    """The product with this code."""
    return one(Product, field, code=code)


def route(code: str, *, field: str = "route") -> Route:
    """The route with this code."""
    return one(Route, field, code=code)


def work_order(code: str, *, field: str = "work_order") -> WorkOrder:
    """The work order with this code."""
    return one(WorkOrder, field, code=code)


def operation(operation_id: int, *, field: str = "operation") -> Operation:
    """The operation with this id."""
    return one(Operation, field, id=operation_id)


def route_step(unit: Unit, sequence: int, *, field: str = "step") -> RouteStep:
    """The step with this sequence number on the unit's route."""
    route_id = unit.route_id
    found = (
        RouteStep.objects.filter(route_id=route_id, sequence=sequence).first()
        if route_id is not None
        else None
    )
    if found is None:
        route = unit.route.code if unit.route else "no route"
        raise NotFound(
            _("%(unit)s's route (%(route)s) has no step %(sequence)s.")
            % {"unit": unit.identifier, "route": route, "sequence": sequence},
            field=field,
        )
    return found
