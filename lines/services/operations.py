"""Starting and completing operations: a unit worked at a station for its current route step."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines import hooks
from lines.choices import OperationResult, UnitStatus
from lines.locks import lock_units
from lines.models import Operation, RouteStep, Station, Unit
from lines.services.common import (
    ACTION_COMPLETE,
    ACTION_START,
    refuse_unless_workable,
    save_unit,
)
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _NextStep(TypedDict):
        next_step_id: int | None


def _check_step(unit: Unit, station: Station, step: RouteStep | None) -> RouteStep:
    """The step to start: the unit's current step, which must match `step` and the station's kind."""
    current = unit.current_step
    if unit.route_id is None or current is None:
        if unit.route_id:
            message = _("%(unit)s has completed its route; there is no step to start.")
        else:
            message = _("%(unit)s has no route; there is no step to start.")
        raise RuleViolation(message % {"unit": unit.identifier})
    names = {"unit": unit.identifier, "next": current.sequence, "next_name": current.display_name}
    if step is not None and step.id != current.id:
        if step.sequence < current.sequence:
            message = _(
                "Step %(step)s '%(step_name)s' was already done for %(unit)s; "
                "its next step is %(next)s '%(next_name)s'."
            )
        else:
            message = _(
                "Step %(step)s '%(step_name)s' is not reached yet for %(unit)s; "
                "its next step is %(next)s '%(next_name)s'."
            )
        names.update(step=step.sequence, step_name=step.display_name)
        raise RuleViolation(message % names, field="step")
    if station.kind != current.station_kind:
        raise RuleViolation(
            _(
                "%(unit)s is due for '%(next_name)s' (%(kind)s); "
                "%(station)s is a %(station_kind)s station."
            )
            % {
                **names,
                "kind": current.get_station_kind_display(),
                "station": station.code,
                "station_kind": station.get_kind_display(),
            },
            field="station",
        )
    return current


def operation_start_check(
    *, unit: Unit, station: Station, step: RouteStep | None = None
) -> RouteStep:
    """Every rule operation_start applies, without writing anything: the step it would start,
    or the RuleViolation it would raise. The station screen asks this when a unit is scanned, so
    a held or out-of-order unit is refused before anyone works on it."""
    refuse_unless_workable(unit, ACTION_START)
    open_op = Operation.objects.filter(unit=unit, completed_at__isnull=True).first()
    if open_op is not None:
        raise RuleViolation(
            _(
                "%(unit)s is already in operation at %(station)s since %(since)s UTC; "
                "complete that first."
            )
            % {
                "unit": unit.identifier,
                "station": open_op.station.code,
                "since": f"{open_op.started_at:%Y-%m-%d %H:%M:%S}",
            }
        )
    current = _check_step(unit, station, step)
    hooks.run(hooks.START_CHECKS, unit=unit, step=current)
    return current


@transaction.atomic
def operation_start(
    *,
    unit: Unit,
    station: Station,
    step: RouteStep | None = None,
    by: Actor = None,
    at: datetime | None = None,
) -> Operation:
    """Start the unit's current route step at a station (at `at`, a PLC's source time, or now).

    Refused when the unit is held, finished or gone, already has an open operation, the step is
    out of order, or the station is of the wrong kind. The unique partial index on open operations
    backs the in-code check against two tablets starting the same unit at once.
    """
    unit = lock_units([unit.id], with_related=["current_step"])[unit.id]
    current = operation_start_check(unit=unit, station=station, step=step)
    # No savepoint of its own: the IntegrityError becomes a refusal that leaves this service, whose
    # own atomic block (a savepoint when nested) rolls it back.
    try:
        operation = Operation.objects.create(
            unit=unit,
            station=station,
            step=current,
            started_at=at or timezone.now(),
            started_by=by,
        )
    except IntegrityError as exc:
        raise RuleViolation(
            _("%(unit)s was just started by someone else.") % {"unit": unit.identifier}
        ) from exc
    unit.station = station
    save_unit(
        unit,
        fields=["station"],
        status=UnitStatus.IN_PROCESS,
        event="started",
        by=by,
        at=operation.started_at,
    )
    return operation


@transaction.atomic
def operation_complete(
    *,
    operation: Operation,
    result: str,
    note: str = "",
    by: Actor = None,
    at: datetime | None = None,
) -> Operation:
    """Complete an open operation with a result. Passed moves the unit to its next step.

    A failed result leaves the unit at the same step (to repeat it, or for a quality decision).
    After the last step the unit is released. Two tablets completing the same operation: the unit
    lock serialises them, and the second sees it completed and is refused.
    """
    if result not in OperationResult.values:
        raise InvalidInput(
            _("Result must be one of %(choices)s, got %(result)s.")
            % {"choices": ", ".join(OperationResult.values), "result": repr(result)},
            field="result",
        )
    unit = lock_units([operation.unit_id])[operation.unit_id]
    operation = (
        Operation.objects.select_for_update(of=("self",))
        .select_related("step")  # the gate checks and the advance read it
        .annotate(next_step_id=RouteStep.id_after("step"))
        .get(pk=operation.pk)
    )
    operation_complete_check(operation=operation, unit=unit)
    hooks.run(hooks.COMPLETE_CHECKS, unit=unit, operation=operation, result=result)
    # A PLC's clock may run behind ours: never end before the start.
    operation.completed_at = max(at or timezone.now(), operation.started_at)
    operation.completed_by = by
    operation.result = result
    operation.note = note
    operation.save(update_fields=["completed_at", "completed_by", "result", "note"])
    _advance(unit, operation, by)
    return operation


def operation_complete_check(*, operation: Operation, unit: Unit) -> None:
    """The refusals of operation_complete that do not depend on the result (already completed,
    unit held or gone), without writing anything. The quality gate, which depends on the
    result, is checked when the operator completes."""
    if operation.completed_at is not None:
        names = {
            "unit": unit.identifier,
            "at": f"{operation.completed_at:%Y-%m-%d %H:%M:%S}",
            "result": operation.get_result_display().lower(),
        }
        if operation.completed_by:
            names["who"] = str(operation.completed_by)
            message = _(
                "This operation on %(unit)s was already completed by %(who)s at %(at)s UTC "
                "as %(result)s."
            )
        else:
            message = _(
                "This operation on %(unit)s was already completed at %(at)s UTC as %(result)s."
            )
        raise RuleViolation(message % names)
    refuse_unless_workable(unit, ACTION_COMPLETE)


def _advance(unit: Unit, operation: WithAnnotations[Operation, _NextStep], by: Actor) -> None:
    if operation.result != OperationResult.PASSED or operation.step is None:
        save_unit(unit, fields=[])
        return
    unit.current_step_id = operation.next_step_id
    finished = unit.current_step_id is None
    save_unit(
        unit,
        fields=["current_step"],
        status=UnitStatus.RELEASED if finished else UnitStatus.IN_PROCESS,
        event="route_completed" if finished else "step_completed",
        by=by,
        at=operation.completed_at,
    )
