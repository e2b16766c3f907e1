"""How the bridge asks the MES: a narrow lines service called in a worker thread, with a deadline.

The bridge already runs Django for the tag map, so a question is a direct call of
lines.services.interlocks in a thread of a small pool (no ORM call in the event loop); the event
loop waits for it at most `answer_timeout_s` and answers 9 otherwise. The deadline travels with
the question (`answer_by`), so a decision that comes too late rolls back instead of starting an
operation the PLC was told NOK about. Connections follow DB_CONN_MAX_AGE, as after a request.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.db import close_old_connections

from lines.models import Station
from lines.services.interlocks import (
    CheckoutValue,
    interlock_checkin,
    interlock_checkout,
    interlock_settle_many,
    interlock_undecided,
)

CHECKIN, CHECKOUT = "checkin", "checkout"
Settled = tuple[str, datetime | None, int | None]  # handshake id, answered at, time to answer


@dataclass(frozen=True)
class Question:
    """What the PLC asked, read from its nodes at the request's rising edge."""

    station: str
    side: str
    serial: str
    handshake_id: str
    requested_at: datetime
    answer_by: float  # time.monotonic() deadline
    result: int | None = None  # check-out: 1 pass, 2 fail
    values: tuple[CheckoutValue, ...] = field(default_factory=tuple)


class Decider(Protocol):
    """The MES as the bridge sees it. Every method is blocking: call it in a thread."""

    def decide(self, question: Question) -> int: ...

    def record_undecided(self, question: Question, error: str) -> None: ...

    def settle(self, answers: list[Settled]) -> None:
        """What became of these answers: (handshake id, written at or None when abandoned,
        time to answer in ms)."""


class LinesDecider:
    """The MES's lines services, in the calling (worker) thread."""

    def decide(self, question: Question) -> int:
        with _connection():
            station = Station.objects.get(code=question.station)
            if question.side == CHECKIN:
                record = interlock_checkin(
                    station=station,
                    serial=question.serial,
                    handshake_id=question.handshake_id,
                    requested_at=question.requested_at,
                    answer_by=question.answer_by,
                )
            else:
                record = interlock_checkout(
                    station=station,
                    serial=question.serial,
                    result=question.result,
                    values=list(question.values),
                    handshake_id=question.handshake_id,
                    requested_at=question.requested_at,
                    answer_by=question.answer_by,
                )
            return int(record.code)

    def record_undecided(self, question: Question, error: str) -> None:
        with _connection():
            interlock_undecided(
                station=Station.objects.get(code=question.station),
                side=question.side,
                serial=question.serial,
                handshake_id=question.handshake_id,
                requested_at=question.requested_at,
                error=error,
            )

    def settle(self, answers: list[Settled]) -> None:
        with _connection():
            interlock_settle_many(answers)


class _connection:  # noqa: N801 - used as a statement: `with _connection():`
    """Drop a broken or expired connection before and after, as Django does around a request."""

    def __enter__(self) -> None:
        close_old_connections()

    def __exit__(self, *exc: object) -> None:
        close_old_connections()
