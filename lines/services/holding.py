"""Putting sets of units on hold and taking them off, in bulk, with one history row per unit.

lines owns unit status and its history; quality decides which units a hold reaches and passes
them as a SQL sub-select (a hold can reach 50,000 cells, too many to pass as parameters). Each
transition is two statements over the same set: the history rows, then the status change.
"""

from typing import Any

from django.db import connection
from django.utils import timezone

from lines.choices import UnitStatus
from lines.models import Unit, UnitHistory
from mes.actors import Actor

_UNIT = Unit._meta.db_table
_HISTORY = UnitHistory._meta.db_table
_HOLDABLE = "(" + ", ".join(f"'{status}'" for status in sorted(UnitStatus.holdable())) + ")"


def _transition(
    *,
    ids_sql: str,
    params: list[Any],
    by: Actor,
    reason: str,
    from_statuses: str,
    event: str,
    status_after_sql: str,
    set_sql: str,
) -> int:
    now = timezone.now()
    where = f"id IN ({ids_sql}) AND status IN {from_statuses}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_HISTORY} (unit_id, at, by_id, event, status_before, status_after, reason) "
            f"SELECT id, %s, %s, %s, status, {status_after_sql}, %s FROM {_UNIT} WHERE {where}",
            [now, getattr(by, "pk", None), event, reason, *params],
        )
        cursor.execute(
            f"UPDATE {_UNIT} SET {set_sql}, updated_at = %s WHERE {where}", [now, *params]
        )
        return cursor.rowcount


def units_put_on_hold(*, ids_sql: str, params: list[Any], by: Actor, reason: str) -> int:
    """Hold every unit of the sub-select that can be held (created, in process, released).

    Units already on hold stay as they are; consumed, scrapped and shipped units keep their status
    (a hold still lists them, for the recall). Returns how many units changed status.
    """
    return _transition(
        ids_sql=ids_sql,
        params=params,
        by=by,
        reason=reason,
        from_statuses=_HOLDABLE,
        event="hold_placed",
        status_after_sql="'on_hold'",
        set_sql="held_from_status = status, status = 'on_hold'",
    )


def units_take_off_hold(*, ids_sql: str, params: list[Any], by: Actor, reason: str) -> int:
    """Return every held unit of the sub-select to the status its hold interrupted."""
    return _transition(
        ids_sql=ids_sql,
        params=params,
        by=by,
        reason=reason,
        from_statuses="('on_hold')",
        event="hold_released",
        status_after_sql="held_from_status",
        set_sql="status = held_from_status, held_from_status = ''",
    )


def units_scrap_held(*, ids_sql: str, params: list[Any], by: Actor, reason: str) -> int:
    """Scrap every held unit of the sub-select (a scrap disposition)."""
    return _transition(
        ids_sql=ids_sql,
        params=params,
        by=by,
        reason=reason,
        from_statuses="('on_hold')",
        event="scrapped",
        status_after_sql="'scrapped'",
        set_sql="status = 'scrapped', held_from_status = ''",
    )
