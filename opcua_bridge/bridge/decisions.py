"""How the bridge asks the MES: a narrow lines service called in a worker thread, with a deadline.

The bridge already runs Django for the tag map, so a question is a direct call of
lines.services.interlocks in a thread of a small pool (no ORM call in the event loop); the event
loop waits for it at most `answer_timeout_s` and answers 9 otherwise. The deadline travels with
the question (`answer_by`), so a decision that comes too late rolls back instead of starting an
operation the PLC was told NOK about. Connections follow DB_CONN_MAX_AGE, as after a request.
"""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from lines.services.recipes import recipe_download_after_checkin

logger = logging.getLogger(__name__)

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
    """The MES's lines services, in the calling (worker) thread.

    A check-in answered 1 that started an operation may be followed by a recipe download the
    MES makes by itself (lines.services.recipes.recipe_download_after_checkin): queued to one
    thread of its own with `setpoint_writer` (the bridge's), so the answer never waits for it."""

    def __init__(self, setpoint_writer: Callable[..., None] | None = None) -> None:
        self.setpoint_writer = setpoint_writer
        self._follow_ups = ThreadPoolExecutor(1, thread_name_prefix="recipe-download")

    def close(self) -> None:
        # Not waited for: a stopping bridge must not hang on a PLC's write timeout.
        self._follow_ups.shutdown(wait=False, cancel_futures=True)

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
                if record.code == 1 and record.reason_code == "started":
                    self._follow_ups.submit(self._download_if_due, record.pk)
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

    def _download_if_due(self, interlock_id: int) -> None:
        try:
            with _connection():
                recipe_download_after_checkin(
                    interlock_id=interlock_id, writer=self.setpoint_writer
                )
        except Exception:  # a follow-up no one waits for: logged, never lost silently
            logger.exception("recipe download after check-in %s", interlock_id)

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
