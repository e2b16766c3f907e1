"""Putting sets of units on hold and taking them off, in bulk, with one history row per unit.

lines owns unit status and its history; quality decides which units a hold reaches and passes
them as a queryset of units, a plain filter of Unit.objects (a hold can reach 50,000 cells:
the queryset stays a sub-select in the database, its ids never come to Python). Each transition
is two statements over the same set: the history rows (INSERT ... SELECT), then the status change
(UPDATE). The unit table is laid out so that the UPDATE is HOT (no index covers status or
held_from_status, and its pages keep room for a new row version: lines migration 0013).
"""

from collections.abc import Collection

from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    DateTimeField,
    F,
    QuerySet,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast
from django.utils import timezone

from lines.choices import UnitStatus
from lines.models import Unit, UnitHistory
from mes.actors import Actor

_HISTORY_COLUMNS = ("unit_id", "at", "by_id", "event", "status_before", "status_after", "reason")


def _transition(
    *,
    units: QuerySet[Unit],
    by: Actor,
    reason: str,
    from_statuses: Collection[str],
    event: str,
    status_after: Combinable,
    changes: dict[str, Combinable],
) -> int:
    """Record, then make, one status change for the units of `units` now in `from_statuses`."""
    now = timezone.now()
    # Filtered as given, not re-nested (id IN (SELECT id ...)): one look-up per unit, not two.
    chosen = units.filter(status__in=from_statuses)
    # Typed constants: an untyped NULL or literal in INSERT ... SELECT is text to PostgreSQL.
    history = chosen.order_by().values_list(
        "id",
        Cast(Value(now), DateTimeField()),
        Cast(Value(getattr(by, "pk", None)), BigIntegerField()),
        Cast(Value(event), CharField()),
        "status",
        Cast(status_after, CharField()),
        Cast(Value(reason), CharField()),
    )
    select_sql, params = history.query.sql_with_params()
    columns = ", ".join(_HISTORY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {UnitHistory._meta.db_table} ({columns}) {select_sql}", params)
    return chosen.update(**changes, updated_at=now)


def units_put_on_hold(*, units: QuerySet[Unit], by: Actor, reason: str) -> int:
    """Hold every unit of `units` that can be held (created, in process, released).

    Units already on hold stay as they are; consumed, scrapped and shipped units keep their status
    (a hold still lists them, for the recall). Returns how many units changed status.
    """
    return _transition(
        units=units,
        by=by,
        reason=reason,
        from_statuses=UnitStatus.holdable(),
        event="hold_placed",
        status_after=Value(UnitStatus.ON_HOLD.value),
        changes={"held_from_status": F("status"), "status": Value(UnitStatus.ON_HOLD.value)},
    )


def units_take_off_hold(*, units: QuerySet[Unit], by: Actor, reason: str) -> int:
    """Return every held unit of `units` to the status its hold interrupted."""
    return _transition(
        units=units,
        by=by,
        reason=reason,
        from_statuses=[UnitStatus.ON_HOLD],
        event="hold_released",
        status_after=F("held_from_status"),
        changes={"status": F("held_from_status"), "held_from_status": Value("")},
    )


def units_scrap_held(*, units: QuerySet[Unit], by: Actor, reason: str) -> int:
    """Scrap every held unit of `units` (a scrap disposition)."""
    return _transition(
        units=units,
        by=by,
        reason=reason,
        from_statuses=[UnitStatus.ON_HOLD],
        event="scrapped",
        status_after=Value(UnitStatus.SCRAPPED.value),
        changes={"status": Value(UnitStatus.SCRAPPED.value), "held_from_status": Value("")},
    )
