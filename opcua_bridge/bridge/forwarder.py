"""The forwarder: spool every batch, hand it to the broker, forget it when the ingest confirms.

It runs in a thread of its own (the ingest may run in-process and touches the database; no ORM
call may run in the event loop). Each batch is first written to the spool, then handed over in
the order made. The broker accepting it is not the end: the batch stays in the spool, counted as
unconfirmed, until the ingest says it stored that batch id (lines/confirm.py). A batch is handed
over again (a repeat is a no-op for the ingest, whose answer then confirms it) when
- it was overtaken: a batch handed over after it was confirmed `overtaken_s` ago or more and it
  was not (a line's queue is first in, first out: the broker lost it), or
- no confirmation at all came for `confirm_timeout_s` since it was handed over (the broker lost
  everything, or the ingest is down), the wait doubling up to `confirm_max_s`.
A batch that only waits in a long queue is not sent again while the ingest confirms the ones
ahead of it: a backlog is not made longer by duplicates.

The bound: with `max_unconfirmed` batches (or `max_unconfirmed_mb`) handed over and not
confirmed, newer batches wait on disk and are not handed over: a dead ingest must not fill the
broker's memory. Nothing is ever dropped; the status says the bound is reached.
"""

import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from lines.confirm import REFUSED
from opcua_bridge.bridge.delivery import Batch, Delivery
from opcua_bridge.bridge.spool import Entry, Spool

logger = logging.getLogger(__name__)

_TICK = object()  # the queue's wait ran out: time to poll and re-send


class Forwarder:
    """Deliver-until-confirmed loop over a queue of batches; run `run()` in a thread of its own."""

    def __init__(
        self,
        *,
        delivery: Delivery,
        spool: Spool,
        redeliver_s: float = 1.0,
        confirm_timeout_s: float = 60.0,
        confirm_max_s: float = 600.0,
        confirm_poll_s: float = 0.5,
        overtaken_s: float = 10.0,
        max_unconfirmed: int = 1000,
        max_unconfirmed_mb: float = 256.0,
        finish_budget_s: float = 10.0,
        on_error: Callable[[str], None] = lambda message: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delivery = delivery
        self.spool = spool
        self.redeliver_s = redeliver_s
        self.confirm_timeout_s = confirm_timeout_s
        self.confirm_max_s = confirm_max_s
        self.confirm_poll_s = confirm_poll_s
        self.overtaken_s = overtaken_s
        self.max_unconfirmed = max_unconfirmed
        self.max_unconfirmed_bytes = int(max_unconfirmed_mb * 1024 * 1024)
        # At stop, hand over for at most this long: with the ingest in this process (embedded
        # mode) each hand-over is a whole ingest, and a backlog took the stop past 30 s. What is
        # left stays in the spool; the next start sends it.
        self.finish_budget_s = finish_budget_s
        self.on_error = on_error
        self._clock = clock  # tests drive time by hand
        self.batches_in = 0
        self.batches_delivered = 0  # first hand-overs (this process)
        self.batches_spooled = 0  # could not be handed over at once: the broker or the bound
        self.batches_resent = 0
        self.batches_confirmed = 0
        self.batches_refused = 0
        self.samples_delivered = 0
        self.bound_reached = False
        self.stats: dict[str, Any] = {}
        self._confirmations = getattr(delivery, "confirmations", None)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._unspooled: list[Batch] = []  # the disk refused them; written again next round
        self._thread: threading.Thread | None = None
        self._broker_ok = True
        self._retry_at = 0.0  # after a failed hand-over, the broker is tried again after this
        self._poll_at = 0.0
        self._sends = 0  # hand-overs so far (Entry.send_no)
        self._confirmed_send_no = 0  # the latest hand-over the ingest has confirmed
        self._confirmed_at = float("-inf")  # when an answer last came
        self._snapshot()

    @property
    def spool_depth(self) -> int:
        return self.stats["spool_depth"]

    @property
    def waiting(self) -> int:
        """Batches handed to the forwarder but not yet in the spool."""
        return self._queue.qsize()

    def report(self, status: Any) -> None:
        """Copy the delivery figures into a BridgeStatus (from the status writer's thread)."""
        stats = self.stats
        for key, value in stats.items():
            setattr(status, key, value)
        status.batches_delivered = self.batches_delivered
        status.batches_resent = self.batches_resent
        status.batches_confirmed = self.batches_confirmed
        status.batches_refused = self.batches_refused

    def submit(self, batch: Batch) -> None:
        """Never blocks: safe to call from the event loop."""
        self.batches_in += 1
        self._queue.put_nowait(batch)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="bridge-forwarder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Spool everything submitted so far, hand over what the broker takes, end the thread.
        Unconfirmed batches stay on disk; the next start sends them again."""
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.error("forwarder did not finish within %.0f s", timeout)
        self.spool.close()
        close = getattr(self.delivery, "close", None)
        if close is not None:
            close()

    def run(self) -> None:
        self._poll(force=True)  # batches stored while we were away are forgotten, not re-sent
        self.step()
        while True:
            try:
                item = self._queue.get(timeout=self._wait_s())
            except queue.Empty:
                item = _TICK
            if item is None:
                self._finish()
                return
            if item is _TICK:
                self.step()
            else:
                self._take_and_send(item)

    def step(self) -> None:
        """One round: write waiting batches, take the ingest's answers, hand over what is due."""
        self._write_unspooled()
        self._poll()
        self._send_due()
        self._snapshot()

    # --- spooling -----------------------------------------------------------------------------

    def _take_and_send(self, batch: Batch) -> None:
        self._unspooled.append(batch)
        self.step()
        if batch["batch_id"] not in self.spool or self._unspooled:
            return  # confirmed at once (embedded, test doubles), or not on disk yet
        entry = self.spool.entry(batch["batch_id"])
        entry.batch = None  # handed over from memory or not: from now on it is read from disk
        if entry.sent_at is None:
            self.batches_spooled += 1

    def _write_unspooled(self) -> None:
        while self._unspooled:
            try:
                self.spool.add(self._unspooled[0])
            except OSError as exc:  # disk full, read-only: keep it in memory and say so
                self.on_error(f"cannot write the spool: {exc}")
                logger.error("cannot write the spool %s: %s", self.spool.directory, exc)
                return
            self._unspooled.pop(0)

    # --- confirmations ------------------------------------------------------------------------

    def _poll(self, *, force: bool = False) -> None:
        if self._confirmations is None or not len(self.spool):
            return
        now = self._clock()
        if not force and now < self._poll_at:
            return
        self._poll_at = now + self.confirm_poll_s
        try:
            answers = self._confirmations(self.spool.sources())
        except Exception as exc:  # the broker is away; the answers wait there for the next poll
            self.on_error(str(exc))
            return
        for batch_id, outcome in answers.items():
            self._answered(batch_id, outcome)

    def _answered(self, batch_id: str, outcome: str) -> None:
        self._confirmed_at = self._clock()  # even for a duplicate's answer: the ingest runs
        if outcome == REFUSED:
            entry = self.spool.refuse(batch_id)
            if entry is not None:
                self.batches_refused += 1
                logger.error("the ingest refused batch %s: kept in the spool's refused/", batch_id)
                self.on_error(f"the ingest refused batch {batch_id}")
        else:
            entry = self.spool.confirm(batch_id)
            if entry is not None:
                self.batches_confirmed += 1
        if entry is not None:
            self._confirmed_send_no = max(self._confirmed_send_no, entry.send_no)

    # --- handing over -------------------------------------------------------------------------

    def _send_due(self, *, force: bool = False, until: float = math.inf) -> None:
        """Re-send what waited too long for its answer, then new batches while the bound allows.
        Stop at the first failure, or at the clock's `until`: everything stays in the spool."""
        now = self._clock()
        if not force and now < self._retry_at:
            return
        in_flight = self.spool.unconfirmed()
        for entry in in_flight:
            if self._clock() >= until:
                return
            if self._resend_due(entry, now) and not self._hand_over(entry):
                return
        count, size = len(in_flight), sum(entry.size for entry in in_flight)
        for entry in self.spool.entries():
            if entry.sent_at is not None:
                continue
            if count >= self.max_unconfirmed or size >= self.max_unconfirmed_bytes:
                self._bound(True, count)
                return
            if self._clock() >= until or not self._hand_over(entry):
                return
            count, size = count + 1, size + entry.size
        self._bound(False, count)

    def _resend_due(self, entry: Entry, now: float) -> bool:
        assert entry.sent_at is not None
        waited = now - entry.sent_at
        if self._confirmed_send_no > entry.send_no and waited >= self.overtaken_s:
            return True
        wait = min(self.confirm_timeout_s * 2 ** max(entry.attempts - 1, 0), self.confirm_max_s)
        return now - max(entry.sent_at, self._confirmed_at) >= wait

    def _hand_over(self, entry: Entry) -> bool:
        batch = self.spool.load(entry)
        if batch is None:  # unreadable: set aside in corrupt/, go on with the next
            return True
        try:
            self.delivery.deliver(batch)
        except Exception as exc:
            self._failed(exc)
            return False
        if not self._broker_ok:
            logger.warning("delivery works again; %d batches in the spool", len(self.spool))
        self._broker_ok = True
        if entry.attempts:
            self.batches_resent += 1
            logger.info(
                "re-sent batch %s (unconfirmed, attempt %d)", entry.batch_id, entry.attempts
            )
        elif entry.sent_at is None:
            self.batches_delivered += 1
            self.samples_delivered += entry.samples
        self._sends += 1
        entry.sent_at, entry.attempts, entry.send_no = (
            self._clock(),
            entry.attempts + 1,
            self._sends,
        )
        if self._confirmations is None:  # nothing will answer: the hand-over is the end
            self.spool.confirm(entry.batch_id)
            self.batches_confirmed += 1
        return True

    def _bound(self, reached: bool, count: int) -> None:
        if reached and not self.bound_reached:
            logger.warning(
                "%d batches wait for the ingest's confirmation (bound %d batches, %.0f MB): "
                "newer batches stay in the spool until the ingest catches up",
                count,
                self.max_unconfirmed,
                self.max_unconfirmed_bytes / 1024 / 1024,
            )
        self.bound_reached = reached

    def _failed(self, exc: Exception) -> None:
        self._retry_at = self._clock() + self.redeliver_s
        message = f"delivery failed: {exc}"
        if self._broker_ok:  # log the change, not every retry
            logger.warning("%s; keeping batches in the spool until it works again", message)
        self._broker_ok = False
        self.on_error(message)

    # --- the loop's clock and the end ---------------------------------------------------------

    def _wait_s(self) -> float | None:
        if len(self.spool) or self._unspooled:
            return min(self.confirm_poll_s, self.redeliver_s)
        return None

    def _finish(self) -> None:
        """At shutdown: spool what is queued, one more hand-over attempt, take the answers."""
        started = self._clock()
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                self._unspooled.append(item)
        self._write_unspooled()
        self._poll(force=True)
        self._send_due(force=True, until=started + self.finish_budget_s)
        self._snapshot()
        logger.info(
            "forwarder stopped in %.2f s; %d batches in the spool (%d not handed over)",
            self._clock() - started,
            len(self.spool),
            self.stats["spool_depth"],
        )

    def _snapshot(self) -> None:
        """Figures for the status writer's thread, replaced whole (it never sees half a round)."""
        entries = list(self.spool.entries())
        unconfirmed = [entry for entry in entries if entry.sent_at is not None]
        oldest = min((entry.spooled_at for entry in entries), default=None)
        self.stats = {
            "spool_depth": len(entries) - len(unconfirmed) + len(self._unspooled),
            "unconfirmed": len(unconfirmed),
            "unconfirmed_mb": round(sum(e.size for e in unconfirmed) / 1024 / 1024, 3),
            "oldest_unconfirmed_s": 0.0 if oldest is None else round(time.time() - oldest, 1),
            "bound_reached": self.bound_reached,
        }
