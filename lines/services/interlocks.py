"""Interlock decisions: a PLC asks whether it may work a unit (check-in) and hands over its result
and values (check-out); the MES decides through the same services as the tablet and records why.

Codes (docs/integration-guide.md): 1 OK, 2 on hold/scrapped/finished, 3 refused by another rule,
4 unknown or invalid serial, 9 the MES could not decide. A decision is one transaction: the
operation started or completed, the samples stored and judged, and the Interlock record commit
together, so code 1 never reaches a PLC for work the MES did not record. `handshake_id` makes
a repeated question (after a reconnect or a bridge restart) return the first decision; nothing
is started, stored or completed twice.
"""

import time
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, IntegerField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from lines import hooks
from lines.choices import OperationResult, UnitStatus
from lines.models import (
    Interlock,
    InterlockCode,
    InterlockSide,
    InterlockState,
    Operation,
    Sample,
    SampleSource,
    Station,
    Unit,
)
from lines.selectors.interlocks import open_orders
from lines.services.common import IDENTIFIER_RE
from lines.services.interlock_reasons import both_languages, refusal
from lines.services.operations import (
    operation_complete,
    operation_complete_check,
    operation_start,
)

PLC_PASS, PLC_FAIL = 1, 2
SERIAL_KEPT = 255


class TooLate(Exception):
    """The decision came after the bridge's deadline: it answered 9, so nothing may commit."""


@dataclass(frozen=True)
class CheckoutValue:
    """One measured value the bridge read from the station's parameter node at the trigger."""

    node_id: str
    parameter: str
    value: float | None  # None when the PLC sent no usable number
    problem: str = ""  # why it cannot be used, stored as the sample's rejected_reason


@dataclass
class _Decision:
    code: int
    reason_code: str
    params: dict
    unit: Unit | None = None
    operation: Operation | None = None
    samples: int = 0


def interlock_checkin(
    *,
    station: Station,
    serial: str,
    handshake_id: str,
    requested_at: datetime,
    answer_by: float | None = None,
) -> Interlock:
    """May the PLC of `station` work unit `serial`? Code 1 starts its operation here
    (operation_start, as the tablet does); a refusal says why. `answer_by` (time.monotonic)
    is the bridge's deadline: a decision made later rolls back (TooLate), as the PLC got 9."""
    return _decide(
        station, InterlockSide.CHECKIN, serial, handshake_id, requested_at, answer_by,
        lambda unit: _checkin(station, unit),
    )  # fmt: skip


def interlock_checkout(
    *,
    station: Station,
    serial: str,
    result: int | None,
    values: list[CheckoutValue],
    handshake_id: str,
    requested_at: datetime,
    answer_by: float | None = None,
) -> Interlock:
    """The PLC of `station` hands over `serial` with its result (1 pass, 2 fail) and values: the
    values become samples of the unit, judged like every sample (flags, holds), then the open
    operation here is completed passed or failed (gates apply). Code 1 only when all committed."""
    return _decide(
        station, InterlockSide.CHECKOUT, serial, handshake_id, requested_at, answer_by,
        lambda unit: _checkout(station, unit, result, values, requested_at),
        plc_result=result,
    )  # fmt: skip


def _decide(station, side, serial, handshake_id, requested_at, answer_by, decide, plc_result=None):  # noqa: ANN001, ANN202, PLR0913
    # No look-up of the handshake first: a repeated question is rare, and the unique handshake_id
    # catches it at the insert (the whole decision then rolls back and the first one stands).
    try:
        with transaction.atomic():
            unit, decision = _unit_or_refusal(station, serial)
            if decision is None:
                decision = decide(unit)
            if answer_by is not None and time.monotonic() > answer_by:
                raise TooLate(handshake_id)
            return Interlock.objects.create(
                handshake_id=handshake_id,
                station=station,
                side=side,
                serial=_kept(serial),
                unit=decision.unit,
                operation=decision.operation,
                plc_result=plc_result if isinstance(plc_result, int) and plc_result >= 0 else None,
                code=decision.code,
                reason_code=decision.reason_code,
                reason_params=decision.params,
                samples=decision.samples,
                requested_at=requested_at,
                decided_at=timezone.now(),
            )
    except (IntegrityError, TooLate):
        # The same handshake decided before or concurrently (or recorded 9 by the bridge): that
        # one stands. Too late with nothing recorded yet: the bridge records its 9 itself.
        found = Interlock.objects.filter(handshake_id=handshake_id).first()
        if found is None:
            raise
        return found


def _kept(serial: str) -> str:
    """The serial as sent, for the record: control characters (a PLC's NUL padding, which
    PostgreSQL text refuses) written as escapes, cut at SERIAL_KEPT characters."""
    shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in serial or "")
    return shown[:SERIAL_KEPT]


def _clean(serial: str) -> str:
    # PLC STRINGs arrive padded with blanks or NULs after the characters in use.
    return (serial or "").strip().strip("\x00").strip()


def _unit_or_refusal(station: Station, serial: str) -> tuple[Unit | None, _Decision | None]:
    """The unit, found or just made at a station where new units begin (lines.ingest.unit_events
    rules), or code 4 for an empty, malformed or unknown serial. One query for a known unit."""
    clean = _clean(serial)
    if not clean:
        return None, _Decision(InterlockCode.UNKNOWN, "no_serial", {})
    if not IDENTIFIER_RE.match(clean):
        return None, _Decision(
            InterlockCode.UNKNOWN, "invalid_serial", {"serial": repr(serial)[:80]}
        )
    from lines.ingest.unit_events import UnitEvents  # it builds on these services

    unit = Unit.objects.filter(identifier=clean).first()
    if unit is None:
        unit = UnitEvents(orders=open_orders()).new_unit(station=station, identifier=clean)
    if unit is None:
        return None, _Decision(InterlockCode.UNKNOWN, "unknown_serial", {"serial": clean})
    return unit, None


def _checkin(station: Station, unit: Unit) -> _Decision:
    params = {"unit": unit.identifier, "station": station.code}
    operation, error = both_languages(lambda: operation_start(unit=unit, station=station))
    if error is None:
        return _Decision(InterlockCode.OK, "started", params, unit, operation)
    # Refused. Asked again after an answer the PLC never read (a 9 after a slow decision, a
    # restart), the unit is checked in here already: that is an OK, not a refusal. Looked for
    # only now, so the usual check-in spends no query on it.
    unit.refresh_from_db(fields=["status"])
    here = Operation.objects.filter(unit=unit, station=station, completed_at__isnull=True).first()
    if here is not None and unit.status not in UnitStatus.unworkable():
        return _Decision(InterlockCode.OK, "already_in", params, unit, here)
    return _refused(unit, error, fresh=True)


def _refused(unit: Unit, error: dict, *, fresh: bool = False) -> _Decision:
    if not fresh:
        unit.refresh_from_db(fields=["status"])
    code = InterlockCode.NOT_WORKABLE if unit.status in UnitStatus.unworkable() else None
    return _Decision(code or InterlockCode.REFUSED, "refused", refusal(error), unit)


def _checkout(
    station: Station, unit: Unit, result: int | None, values: list[CheckoutValue], at: datetime
) -> _Decision:
    names = {"unit": unit.identifier, "station": station.code}
    if result not in (PLC_PASS, PLC_FAIL):
        return _Decision(InterlockCode.REFUSED, "bad_result", {"result": repr(result)}, unit)
    operation = (
        Operation.objects.filter(unit=unit, station=station, completed_at__isnull=True)
        .select_related("step")
        .first()
    )
    if operation is None:
        return _Decision(InterlockCode.REFUSED, "not_checked_in", names, unit)
    if unit.status in UnitStatus.terminal():  # scrapped meanwhile: nothing more to store
        _none, error = both_languages(
            lambda: operation_complete_check(operation=operation, unit=unit)
        )
        return _refused(unit, error or {})
    stored = _store_values(station, unit, values, at)
    outcome = OperationResult.PASSED if result == PLC_PASS else OperationResult.FAILED
    done, error = both_languages(lambda: operation_complete(operation=operation, result=outcome))
    if error is not None:
        decision = _refused(unit, error)
        decision.operation, decision.samples = operation, stored
        return decision
    params = {**names, "result": outcome, "samples": stored}
    return _Decision(InterlockCode.OK, "completed", params, unit, done, stored)


def _store_values(station: Station, unit: Unit, values: list[CheckoutValue], at: datetime) -> int:
    """The check-out values as samples of the unit, judged at once (lines.hooks.AFTER_INGEST)."""
    if not values:
        return 0
    now = timezone.now()
    samples = Sample.objects.bulk_create(
        [
            Sample(
                station=station,
                parameter=value.parameter,
                node_id=value.node_id,
                value=value.value,
                raw_value="",
                source_time=at,
                server_time=now,
                unit=unit,
                source=SampleSource.PLC,
                rejected_reason=value.problem[:200]
                or ("" if value.value is not None else "no value"),
            )
            for value in values
        ]
    )
    from lines.ingest.columns import SampleColumns  # lines.ingest builds on these services

    hooks.run(hooks.AFTER_INGEST, rows=SampleColumns.of_samples(samples), raised=[])
    return len(samples)


def interlock_undecided(
    *, station: Station, side: str, serial: str, handshake_id: str, requested_at: datetime,
    error: str,
) -> Interlock:  # fmt: skip
    """Record the 9 the bridge answered when the MES could not decide in time. A decision that
    committed first under the same handshake stands (and is returned)."""
    try:
        with transaction.atomic():
            return Interlock.objects.create(
                handshake_id=handshake_id,
                station=station,
                side=side,
                serial=_kept(serial),
                code=InterlockCode.UNDECIDED,
                reason_code="undecided",
                reason_params={"error": error[:300]},
                requested_at=requested_at,
                decided_at=timezone.now(),
            )
    except IntegrityError:
        return Interlock.objects.get(handshake_id=handshake_id)


def interlock_settle(
    *, handshake_id: str, answered_at: datetime | None, answer_ms: int | None
) -> int:
    """What became of the answer on the PLC: written (answered_at, time to answer) or, without
    answered_at, abandoned because the PLC dropped its request first. Returns rows changed."""
    return interlock_settle_many([(handshake_id, answered_at, answer_ms)])


def interlock_settle_many(answers: list[tuple[str, datetime | None, int | None]]) -> int:
    """interlock_settle for many handshakes in one UPDATE: the bridge settles in batches, as
    book-keeping that no PLC waits for (one statement per batch, not a transaction per answer).
    Only records still `decided` change; a handshake listed twice keeps its first outcome."""
    outcome: dict[str, tuple[datetime | None, int | None]] = {}
    for key, at, ms in answers:
        outcome.setdefault(key, (at, ms))
    if not outcome:
        return 0
    states, times, durations = [], [], []
    for key, (at, ms) in outcome.items():
        state = InterlockState.ANSWERED if at else InterlockState.ABANDONED
        states.append(When(handshake_id=key, then=Value(state)))
        # Cast: a NULL (an abandoned answer) is untyped text to PostgreSQL otherwise.
        times.append(When(handshake_id=key, then=Cast(Value(at), DateTimeField())))
        durations.append(When(handshake_id=key, then=Cast(Value(ms), IntegerField())))
    return Interlock.objects.filter(
        handshake_id__in=list(outcome), state=InterlockState.DECIDED
    ).update(
        state=Case(*states),
        answered_at=Case(*times, output_field=DateTimeField()),
        answer_ms=Case(*durations, output_field=IntegerField()),
    )
