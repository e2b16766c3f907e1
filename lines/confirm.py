"""Ingest -> bridge confirmations: "batch X is stored", so the bridge may forget it.

A batch the broker accepted is not yet safe: a worker that pops it and loses the broker before
Redis records it as unacknowledged leaves it nowhere (docs/telemetry.md, "Delivery guarantee").
So the bridge keeps every batch on disk until the ingest says it stored that batch id. The worker
says so after its transaction commits, in a Redis hash named from the batch's `source` (field:
batch id, value: outcome); the bridge takes the fields of the sources in its spool now and then.
A confirmation lost on the way is healed by the bridge's resend: the ingest's no-op path for a
batch id it already stored confirms again.

In embedded mode the ingest runs in the bridge's process and the hash is a dict in this module:
the same calls, no Redis. Nothing here touches the database.
"""

import logging
import threading

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

KEY_PREFIX = "mes:ingest:confirmed:"
KEY_TTL_S = 7 * 24 * 3600  # a bridge that never comes back must not leave its key forever
STORED, DUPLICATE, REFUSED = "stored", "duplicate", "refused"
TIMEOUT_S = 2.0
LOCAL_MAX = 100_000  # per source, embedded: with no bridge reading, the oldest answers go

_local: dict[str, dict[str, str]] = {}  # embedded mode: source -> {batch id: outcome}
_local_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}


def confirmation_key(source: str) -> str:
    return KEY_PREFIX + source


def redis_client(url: str) -> redis.Redis:
    """One client per broker URL per process; no retries: a dead broker answers at once."""
    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            url,
            socket_timeout=TIMEOUT_S,
            socket_connect_timeout=TIMEOUT_S,
            retry=Retry(NoBackoff(), 0),
        )
        _clients[url] = client
    return client


def batch_confirm(*, batch_id: str, source: str, outcome: str, broker_url: str | None) -> bool:
    """Tell the batch's bridge what became of it; `broker_url` None: in this process (embedded).

    Returns False when the broker could not be told: the bridge then re-sends the batch after
    its timeout, and the ingest's answer to the repeat confirms it. Never raises for the broker.
    """
    if broker_url is None:
        with _local_lock:
            waiting = _local.setdefault(source, {})
            waiting[batch_id] = outcome
            if len(waiting) > LOCAL_MAX:  # dicts keep insertion order: the oldest is first
                del waiting[next(iter(waiting))]
        return True
    try:
        key = confirmation_key(source)
        pipe = redis_client(broker_url).pipeline()
        pipe.hset(key, batch_id, outcome)
        pipe.expire(key, KEY_TTL_S)
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not confirm batch %s to %s: %s", batch_id, source, exc)
        return False
    return True


def confirmations_take(*, sources: set[str], broker_url: str | None) -> dict[str, str]:
    """Remove and return the confirmations waiting for `sources`: {batch id: outcome}.

    HGETALL then HDEL of exactly the fields read: a confirmation written in between stays for
    the next call. Raises redis.RedisError when the broker is away (the caller tries again)."""
    taken: dict[str, str] = {}
    if broker_url is None:
        with _local_lock:
            for source in sources:
                taken.update(_local.pop(source, {}))
        return taken
    client = redis_client(broker_url)
    for source in sources:
        key = confirmation_key(source)
        found = client.hgetall(key)
        if found:
            client.hdel(key, *found)
            taken.update({k.decode(): v.decode() for k, v in found.items()})  # type: ignore[union-attr]  # bytes: the client does not decode responses
    return taken
