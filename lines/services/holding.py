"""Putting sets of units on hold and taking them off, in bulk, with one history row per unit.

lines owns unit status and its history; quality decides which units a hold reaches and passes
them as a queryset of units, a plain filter of Unit.objects (a hold can reach 50,000 cells:
the queryset stays a sub-select in the database, its ids never come to Python).

On PostgreSQL a transition is one statement: the UPDATE returns the rows it changed and the
history rows are inserted from what it returned (a data-modifying WITH), so each unit is found
once and the history records exactly the rows that changed. SQLite has no data-modifying WITH:
there the history rows are inserted from the set (INSERT ... SELECT), then the set is updated,
in the caller's transaction. The unit table is laid out so that the UPDATE is HOT (no index
covers status or held_from_status, and its pages keep room for a new row version: lines
migration 0013).
"""

from collections.abc import Collection
from datetime import datetime
from typing import cast

from django.core.exceptions import EmptyResultSet
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
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from lines.choices import UnitStatus
from lines.models import Unit, UnitHistory
from mes.actors import Actor

_HISTORY_COLUMNS = ", ".join(
    ("unit_id", "at", "by_id", "event", "status_before", "status_after", "reason")
)
_HISTORY = UnitHistory._meta.db_table
_UNIT = Unit._meta.db_table


def _transition(
    *,
    units: QuerySet[Unit],
    by: Actor,
    reason: str,
    from_statuses: Collection[str],
    event: str,
    changes: dict[str, Combinable],
) -> int:
    """Make, and record, one status change of the units of `units` now in `from_statuses`.

    `changes` sets `status` from the row as it was. The status before is the one status of
    `from_statuses` or, when there are several, what the change keeps in held_from_status.
    Returns how many units changed.
    """
    now = timezone.now()
    # Filtered as given, not re-nested (id IN (SELECT id ...)): one look-up per unit, not two.
    chosen = units.filter(status__in=from_statuses)
    changes = {**changes, "updated_at": Value(now)}
    if len(from_statuses) == 1:
        before_sql, before_params = "CAST(%s AS VARCHAR)", [next(iter(from_statuses))]
    elif changes.get("held_from_status") == F("status"):
        before_sql, before_params = "changed.held_from_status", []
    else:  # a programming error: nothing would say which status each unit left
        raise ValueError("a change from several statuses must keep them in held_from_status")
    by_id = getattr(by, "pk", None)
    if connection.vendor != "postgresql":
        return _record_then_change(
            chosen, changes, now=now, by_id=by_id, event=event, reason=reason
        )
    update = cast(UpdateQuery, chosen.query.chain(UpdateQuery))
    update.annotations = {}
    update.add_update_values(changes)
    try:
        update_sql, update_params = update.get_compiler(connection.alias).as_sql()
    except EmptyResultSet:  # none(), or id__in=[]: no SQL can choose nothing
        return 0
    # Typed constants: an untyped NULL or literal in INSERT ... SELECT is text to PostgreSQL.
    sql = f"""
        WITH changed AS (
            {update_sql} RETURNING {_UNIT}.id, {_UNIT}.held_from_status, {_UNIT}.status
        )
        INSERT INTO {_HISTORY} ({_HISTORY_COLUMNS})
        SELECT changed.id, CAST(%s AS TIMESTAMPTZ), CAST(%s AS BIGINT), CAST(%s AS VARCHAR),
               {before_sql}, changed.status, CAST(%s AS TEXT)
        FROM changed
    """
    params = [*update_params, now, by_id, event, *before_params, reason]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _record_then_change(
    chosen: QuerySet[Unit],
    changes: dict[str, Combinable],
    *,
    now: datetime,
    by_id: int | None,
    event: str,
    reason: str,
) -> int:
    """SQLite: the history rows from the rows as they are (`changes["status"]` read from them is
    the status after), then the change."""
    history = (
        chosen.order_by()
        .values_list(
            "id",
            Cast(Value(now), DateTimeField()),
            Cast(Value(by_id), BigIntegerField()),
            Cast(Value(event), CharField()),
            "status",
            Cast(changes["status"], CharField()),
            Cast(Value(reason), CharField()),
        )
        .distinct()
    )  # a unit chosen through a join can come twice; it changes once
    try:
        select_sql, params = history.query.sql_with_params()
    except EmptyResultSet:  # none(), or id__in=[]: no SQL can choose nothing
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_HISTORY} ({_HISTORY_COLUMNS}) {select_sql}", params)
    return chosen.update(**changes)


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
        changes={"status": Value(UnitStatus.SCRAPPED.value), "held_from_status": Value("")},
    )
