"""Reads of the interlock record: the answers given to PLCs, worded in the reader's language."""

import threading

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lines.choices import OperationResult, WorkOrderStatus
from lines.models import Interlock, Route, RouteStep, WorkOrder


def interlocks_list(*, station: str = "", unit: str = "") -> QuerySet[Interlock]:
    """Newest first; `station` a station code, `unit` a unit identifier (or the serial sent)."""
    found = Interlock.objects.select_related("station", "unit")
    if station:
        found = found.filter(station__code=station)
    if unit:
        found = found.filter(unit__identifier=unit) | found.filter(serial=unit, unit__isnull=True)
    return found.order_by("-decided_at", "-id")


def interlock_reason(interlock: Interlock) -> str:
    """Why the MES answered as it did, in the active language."""
    params = dict(interlock.reason_params or {})
    code = interlock.reason_code
    if code == "refused":
        messages = params.get("message") or {}
        language = (get_language() or "en").lower()
        return messages.get(language) or messages.get("en") or ""
    if code == "completed":
        params["result"] = str(OperationResult(params.get("result", "passed")).label).lower()
    template = _templates().get(code)
    if template is None:
        return code
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return template


def _templates() -> dict[str, str]:
    # Built per call: gettext answers in the language active now.
    return {
        "started": _("Checked in: operation started at %(station)s."),
        "already_in": _("Checked in again: %(unit)s is already in operation at %(station)s."),
        "completed": _("Checked out %(result)s, operation completed; values stored: %(samples)s."),
        "no_serial": _("The PLC sent no serial."),
        "invalid_serial": _(
            "%(serial)s is not a valid serial: use 1-64 letters, digits, '.', '_', ':' or '-'."
        ),
        "unknown_serial": _("%(serial)s is not known to the MES."),
        "not_checked_in": _("%(unit)s has no open operation at %(station)s to check out."),
        "bad_result": _(
            "The PLC sent result %(result)s; a check-out result is 1 (pass) or 2 (fail)."
        ),
        "undecided": _("The MES could not decide in time, so it answered NOK: %(error)s"),
    }


# One statement (no ORM to compile): the open orders with their route's product, and the route
# steps' count and last edit on every row (no open order: nothing to cache but the None).
_ORDERS_TOKEN = f"""
SELECT w.id, w.route_id, r.product_id, w.status,
       (SELECT COUNT(*) FROM {RouteStep._meta.db_table}),
       (SELECT MAX(updated_at) FROM {RouteStep._meta.db_table})
  FROM {WorkOrder._meta.db_table} w JOIN {Route._meta.db_table} r ON r.id = w.route_id
 WHERE w.status IN (%s, %s)
 ORDER BY w.id
"""  # noqa: S608 - table names from the models, values as parameters
_orders_lock = threading.Lock()
_orders: dict[str, object] = {"token": None, "by_kind": {}}


def open_orders() -> dict[str, WorkOrder | None]:
    """The open work order a new cell joins, per station kind, kept between decisions (finding
    it reads every open order's route: 3 to 2n+1 queries a check-in). It is still right when
    the token read here is unchanged: the open orders (id, route, the route's product, status)
    and the route steps (count, last edit). Anything else starts an empty map, filled again on
    use by lines.ingest.unit_events.UnitEvents."""
    with connection.cursor() as cursor:
        cursor.execute(_ORDERS_TOKEN, [WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS])
        token = cursor.fetchall()
    with _orders_lock:
        if _orders["token"] != token:
            _orders.update(token=token, by_kind={})
        return _orders["by_kind"]  # type: ignore[return-value]
