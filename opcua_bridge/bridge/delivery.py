"""Delivery: batches to the Celery task `lines.tasks.ingest_batch`, or to the spool meanwhile.

`CeleryDelivery.deliver` is one `apply_async`. With a broker (REDIS_URL) it publishes to Redis;
in embedded mode the project app is `task_always_eager`, so the same call runs the ingest in this
process. Publishing does not retry: with the broker down it raises at once and the spool takes
over (with kombu's defaults one publish to a dead Redis blocks ~6 s: connection retries within
broker_connection_timeout, then the ~0.6 s publish retry policy).

`Forwarder` is the sync core that owns the spool. It runs in its own thread (the ingest may run
in-process and touches the database; no ORM call may run in the event loop): live batches go
straight to delivery while the spool is empty; once a delivery fails they are appended to the
spool behind the waiting ones, which are replayed in order when delivery works again.
"""

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from django.db import close_old_connections

from lines.ingest.wire import sample_count
from opcua_bridge.bridge.spool import Spool

logger = logging.getLogger(__name__)

Batch = dict[str, Any]


def ingest_task_name() -> str:
    """The Celery name of `lines.tasks.ingest_batch` (it is registered as "lines.ingest_batch")."""
    from lines.tasks import ingest_batch

    return ingest_batch.name


class DeliveryError(Exception):
    """The batch was not handed over; it stays with the bridge (in the spool)."""


class Delivery(Protocol):
    def deliver(self, batch: Batch) -> None: ...


class CeleryDelivery:
    """Hands a batch to the ingest task of a Celery app (the project's unless one is given).

    Publishing uses a connection of its own that does not retry: kombu's defaults retry a dead
    broker for ~6 s per message (connect retries within broker_connection_timeout, then the
    publish retry policy), which would stall the bridge; here a failure raises at once.
    """

    def __init__(
        self, app: Any = None, *, task_name: str = "", timeout_s: float = 2.0, queue: str = ""
    ):
        if app is None:
            from mes.celery import app
        self.app = app
        self.task_name = task_name or ingest_task_name()
        self.timeout_s = timeout_s
        self.queue = queue
        self._connection: Any = None

    def deliver(self, batch: Batch) -> None:
        signature = self.app.signature(self.task_name)
        if self.app.conf.task_always_eager:
            if self.task_name not in self.app.tasks:
                # send_task would drop it into the in-memory broker, where nothing reads it.
                raise DeliveryError(f"task {self.task_name} is not registered in this Celery app")
            # The ingest runs here, in the forwarder's thread: its database connection is
            # closed after each batch so a database restart never leaves it holding a dead one.
            try:
                self._run(signature, batch)
            finally:
                close_old_connections()
            return
        routing = {"queue": self.queue} if self.queue else {}
        self._run(signature, batch, retry=False, connection=self._broker(), **routing)

    def _run(self, signature: Any, batch: Batch, **options: Any) -> None:
        try:
            signature.apply_async(args=[batch], **options)
        except Exception as exc:
            self.close()  # start from a fresh connection next time
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def _broker(self) -> Any:
        if self._connection is None:
            self._connection = self.app.connection_for_write(
                connect_timeout=self.timeout_s,
                transport_options={
                    "max_retries": 0,
                    "socket_connect_timeout": self.timeout_s,
                    "socket_timeout": self.timeout_s * 2,
                },
            )
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.release()
            self._connection = None


class Forwarder:
    """Deliver-or-spool loop over a queue of batches; run `run()` in a thread of its own."""

    def __init__(
        self,
        *,
        delivery: Delivery,
        spool: Spool,
        redeliver_s: float = 1.0,
        on_error: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.delivery = delivery
        self.spool = spool
        self.redeliver_s = redeliver_s
        self.on_error = on_error
        self.batches_in = 0
        self.batches_delivered = 0
        self.batches_spooled = 0
        self.samples_delivered = 0
        self._queue: queue.Queue[Batch | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._broker_ok = True
        self._retry_at = 0.0  # after a failure, the spool is tried again once per redeliver_s

    @property
    def spool_depth(self) -> int:
        return self.spool.depth

    @property
    def waiting(self) -> int:
        """Batches handed over but not yet delivered or spooled."""
        return self._queue.qsize()

    def submit(self, batch: Batch) -> None:
        """Never blocks: safe to call from the event loop."""
        self.batches_in += 1
        self._queue.put_nowait(batch)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="bridge-forwarder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Deliver or spool everything submitted so far, then end the thread."""
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
        while True:
            self._drain_spool()
            wait = self.redeliver_s if self.spool.depth else None
            try:
                batch = self._queue.get(timeout=wait)
            except queue.Empty:
                continue
            if batch is None:
                self._finish()
                return
            self._forward(batch)

    def _forward(self, batch: Batch) -> None:
        if self.spool.depth or not self._try_deliver(batch):
            self.spool.append(batch)
            self.batches_spooled += 1

    def _drain_spool(self, *, force: bool = False) -> None:
        """Replay the spool oldest first; stop at the first failure and keep the rest."""
        if not force and time.monotonic() < self._retry_at:
            return
        while self.spool.depth:
            batch = self.spool.peek()
            if batch is None:
                return
            if not self._try_deliver(batch):
                return
            self.spool.pop()

    def _try_deliver(self, batch: Batch) -> bool:
        try:
            self.delivery.deliver(batch)
        except Exception as exc:
            self._failed(exc)
            return False
        if not self._broker_ok:
            logger.warning("delivery works again; %d batches in the spool", self.spool.depth)
        self._broker_ok = True
        self.batches_delivered += 1
        self.samples_delivered += sample_count(batch)
        return True

    def _failed(self, exc: Exception) -> None:
        self._retry_at = time.monotonic() + self.redeliver_s
        message = f"delivery failed: {exc}"
        if self._broker_ok:  # log the change, not every retry
            logger.warning("%s; spooling batches until it works again", message)
        self._broker_ok = False
        self.on_error(message)

    def _finish(self) -> None:
        """At shutdown: one more attempt at the spool, then each waiting batch once."""
        started = time.monotonic()
        self._drain_spool(force=True)
        while True:
            try:
                batch = self._queue.get_nowait()
            except queue.Empty:
                break
            if batch is not None:
                self._forward(batch)
        logger.info(
            "forwarder stopped in %.2f s; %d batches left in the spool",
            time.monotonic() - started,
            self.spool.depth,
        )
