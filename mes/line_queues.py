"""A line's ingest queue has exactly one consumer process (docs/operations.md): its batches must be
stored in the order the bridge sent them, each starting from the unit ids the one before stored.

When that process is killed inside a batch, Redis keeps the batch as unacknowledged until the
visibility timeout (600 s) and the restarted process would meanwhile store the batches queued
behind it, attributing their values without the unit-id changes the lost one carried. So the
process, when it starts and before it takes anything, puts its predecessor's unacknowledged
batches back at the head of its queues. Being the queue's only consumer, nothing else can hold
them; were a second consumer started by mistake, its batch would run twice, which the ingest's
batch id makes a no-op.
"""

import json
import logging

from celery import bootsteps

log = logging.getLogger(__name__)

LINE_QUEUE_PREFIX = "ingest."  # deploy: `-Q ingest.<line>` (compose, mes-ingest@.service)


def reclaim_unacked(channel, queues: set[str]) -> int:  # noqa: ANN001  (kombu's Redis channel)
    """Put the unacknowledged messages of `queues` back where they are taken next; returns how
    many. Only for a Redis channel (the one broker with an unacked index); others: 0."""
    qos = getattr(channel, "qos", None)
    if not queues or qos is None or not hasattr(qos, "restore_by_tag"):
        return 0
    reclaimed = 0
    # A client of its own: the consumer's may already be the event loop's asynchronous one,
    # whose commands answer later.
    with channel.conn_or_acquire() as client:
        for tag, raw in (client.hgetall(channel.unacked_key) or {}).items():
            _message, exchange, routing_key = json.loads(raw)
            if set(channel._lookup(exchange, routing_key)) & queues:
                qos.restore_by_tag(tag, client)  # to the end of the list the worker pops from
                reclaimed += 1
    return reclaimed


class ReclaimLineBatches(bootsteps.StartStopStep):
    """Consumer step: after the task consumer exists, before the event loop takes a message."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, c) -> None:  # noqa: ANN001  (celery's Consumer)
        queues = {q.name for q in c.task_consumer.queues if q.name.startswith(LINE_QUEUE_PREFIX)}
        try:
            count = reclaim_unacked(c.task_consumer.channel, queues)
        except Exception:  # the visibility timeout still brings the batch back, later
            log.exception("could not take back the unacknowledged batches of %s", queues)
            return
        if count:
            log.warning(
                "took back %d unacknowledged batch(es) of %s from a stopped worker",
                count,
                ", ".join(sorted(queues)),
            )
