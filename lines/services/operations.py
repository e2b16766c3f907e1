"""Starting and completing operations: a unit worked at a station for its current route step."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from lines import hooks
from lines.choices import OperationResult, UnitStatus
from lines.locks import lock_units
from lines.models import Operation, RouteStep, Station, Unit
from lines.services.common import User, refuse_unless_workable, save_unit
from mes.errors import InvalidInput, RuleViolation


def _check_step(unit: Unit, station: Station, step: RouteStep | None) -> RouteStep:
    """The step to start: the unit's current step, which must match `step` and the station's kind."""
    current = unit.current_step
    if unit.route_id is None or current is None:
        done = "has completed its route" if unit.route_id else "has no route"
        raise RuleViolation(f"{unit.identifier} {done}; there is no step to start.")
    if step is not None and step.id != current.id:
        order = "was already done" if step.sequence < current.sequence else "is not reached yet"
        raise RuleViolation(
            f"Step {step.sequence} '{step.name}' {order} for {unit.identifier}; "
            f"its next step is {current.sequence} '{current.name}'.",
            field="step",
        )
    if station.kind != current.station_kind:
        raise RuleViolation(
            f"{unit.identifier} is due for '{current.name}' ({current.get_station_kind_display()}); "
            f"{station.code} is a {station.get_kind_display()} station.",
            field="station",
        )
    return current


@transaction.atomic
def operation_start(
    *,
    unit: Unit,
    station: Station,
    step: RouteStep | None = None,
    by: User = None,
    at: datetime | None = None,
) -> Operation:
    """Start the unit's current route step at a station (at `at`, a PLC's source time, or now).

    Refused when the unit is held, finished or gone, already has an open operation, the step is
    out of order, or the station is of the wrong kind. The unique partial index on open operations
    backs the in-code check against two tablets starting the same unit at once.
    """
    unit = lock_units([unit.id])[unit.id]
    refuse_unless_workable(unit, "be started")
    open_op = Operation.objects.filter(unit=unit, completed_at__isnull=True).first()
    if open_op is not None:
        raise RuleViolation(
            f"{unit.identifier} is already in operation at {open_op.station.code} since "
            f"{open_op.started_at:%Y-%m-%d %H:%M:%S} UTC; complete that first."
        )
    current = _check_step(unit, station, step)
    hooks.run(hooks.START_CHECKS, unit=unit, step=current)
    try:
        with transaction.atomic():
            operation = Operation.objects.create(
                unit=unit,
                station=station,
                step=current,
                started_at=at or timezone.now(),
                started_by=by,
            )
    except IntegrityError as exc:
        raise RuleViolation(f"{unit.identifier} was just started by someone else.") from exc
    unit.station = station
    save_unit(unit, fields=["station"], status=UnitStatus.IN_PROCESS, event="started", by=by)
    return operation


@transaction.atomic
def operation_complete(
    *,
    operation: Operation,
    result: str,
    note: str = "",
    by: User = None,
    at: datetime | None = None,
) -> Operation:
    """Complete an open operation with a result. Passed moves the unit to its next step.

    A failed result leaves the unit at the same step (to repeat it, or for a quality decision).
    After the last step the unit is released. Two tablets completing the same operation: the unit
    lock serialises them, and the second sees it completed and is refused.
    """
    if result not in OperationResult.values:
        raise InvalidInput(
            f"Result must be one of {', '.join(OperationResult.values)}, got {result!r}.",
            field="result",
        )
    unit = lock_units([operation.unit_id])[operation.unit_id]
    operation = Operation.objects.select_for_update().get(pk=operation.pk)
    if operation.completed_at is not None:
        who = f" by {operation.completed_by}" if operation.completed_by else ""
        raise RuleViolation(
            f"This operation on {unit.identifier} was already completed{who} at "
            f"{operation.completed_at:%Y-%m-%d %H:%M:%S} UTC as {operation.result}."
        )
    refuse_unless_workable(unit, "be completed")
    hooks.run(hooks.COMPLETE_CHECKS, unit=unit, operation=operation, result=result)
    # A PLC's clock may run behind ours: never end before the start.
    operation.completed_at = max(at or timezone.now(), operation.started_at)
    operation.completed_by = by
    operation.result = result
    operation.note = note
    operation.save(update_fields=["completed_at", "completed_by", "result", "note"])
    _advance(unit, operation, by)
    return operation


def _advance(unit: Unit, operation: Operation, by: User) -> None:
    if operation.result != OperationResult.PASSED or operation.step is None:
        save_unit(unit, fields=[])
        return
    unit.current_step = operation.step.next_step()
    finished = unit.current_step is None
    save_unit(
        unit,
        fields=["current_step"],
        status=UnitStatus.RELEASED if finished else UnitStatus.IN_PROCESS,
        event="route_completed" if finished else "step_completed",
        by=by,
    )
