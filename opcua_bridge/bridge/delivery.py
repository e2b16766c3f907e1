"""Delivery: batches to the Celery task `lines.tasks.ingest_batch`, kept in the spool until
the ingest confirms it stored them.

`CeleryDelivery.deliver` is one `apply_async`. With a broker (REDIS_URL) it publishes to Redis;
in embedded mode the project app is `task_always_eager`, so the same call runs the ingest in this
process. Publishing does not retry: with the broker down it raises at once and the batch waits in
the spool (with kombu's defaults one publish to a dead Redis blocks ~6 s: connection retries
within broker_connection_timeout, then the ~0.6 s publish retry policy).
`CeleryDelivery.confirmations` takes the ingest's answers (lines/confirm.py).

`Forwarder` is the sync core that owns the spool (forwarder.py says how it decides).
"""

import contextlib
import logging
from typing import Any, Protocol

from django.db import close_old_connections

from lines.confirm import confirmations_take

logger = logging.getLogger(__name__)

Batch = dict[str, Any]


def ingest_task_name() -> str:
    """The Celery name of `lines.tasks.ingest_batch` (it is registered as "lines.ingest_batch")."""
    from lines.tasks import ingest_batch

    return ingest_batch.name


class DeliveryError(Exception):
    """The batch was not handed over; it stays with the bridge (in the spool)."""


class Delivery(Protocol):
    """Hands a batch over. A delivery may also have `confirmations(sources) -> {batch id:
    outcome}` (the ingest's answers); one without it is trusted on hand-over (test doubles)."""

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

    def confirmations(self, sources: set[str]) -> dict[str, str]:
        """The ingest's answers for batches of `sources`, taken (each is returned once).
        Raises DeliveryError when the broker cannot be asked."""
        eager = self.app.conf.task_always_eager
        try:
            return confirmations_take(
                sources=sources, broker_url=None if eager else self.app.conf.broker_url
            )
        except Exception as exc:
            raise DeliveryError(f"cannot read confirmations: {type(exc).__name__}: {exc}") from exc

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


# The forwarder lived here; client.py imports it from here still.
from opcua_bridge.bridge.forwarder import Forwarder  # noqa: E402, F401
