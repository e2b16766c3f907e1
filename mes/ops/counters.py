"""Counters the workers add to and /metrics reads: ingested samples, task runtimes.

They live in Django's cache: Redis in services mode (every worker and web process shares it,
INCR is atomic), a file cache in var/ in embedded mode (shared by the demo's processes; an
increment there is read-modify-write, which is fine for a one-laptop demo). A Redis restart
resets them to zero, which Prometheus counters are built to survive.
"""

import time

from celery import signals
from django.core.cache import caches

PREFIX = "mes:metric:"
# Task runtime histogram bounds, seconds (Prometheus `le` buckets; +Inf is the count).
RUNTIME_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
INGEST_FIELDS = {"samples": "samples_ingested", "rejected": "samples_rejected", "flags": "flags"}

_started: dict[str, float] = {}


def cache():  # noqa: ANN201
    return caches["default"]


def add(name: str, amount: int = 1) -> None:
    add_many({name: amount})


def add_many(amounts: dict[str, int]) -> None:
    """Add to several counters. On Redis in one round trip (INCRBY creates a missing counter at
    0; Django's Redis cache keeps integers as plain numbers, so reads see them): a finished task
    touches a dozen counters, and one round trip each cost the ingest 17 ms per batch."""
    store = cache()
    client = _redis_client(store)
    if client is not None:
        with client.pipeline(transaction=False) as pipe:
            for name, amount in amounts.items():
                pipe.incrby(store.make_and_validate_key(PREFIX + name), amount)
            pipe.execute()
        return
    for name, amount in amounts.items():
        key = PREFIX + name
        store.add(key, 0, timeout=None)  # a no-op when the counter exists
        store.incr(key, amount)


def _redis_client(store):  # noqa: ANN001, ANN202
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(store, RedisCache):
        return None
    return store._cache.get_client(write=True)  # type: ignore[attr-defined]  # Django keeps the client in the private _cache


def read(names: list[str]) -> dict[str, float]:
    found = cache().get_many([PREFIX + n for n in names])
    return {n: found.get(PREFIX + n, 0) for n in names}


def runtime_names(task: str) -> list[str]:
    return [f"task:{task}:le:{b}" for b in RUNTIME_BUCKETS] + [
        f"task:{task}:count",
        f"task:{task}:sum_ms",
    ]


@signals.task_prerun.connect
def _task_started(task_id: str, **_: object) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id: str, task, retval=None, state: str = "", **_: object) -> None:  # noqa: ANN001
    began = _started.pop(task_id, None)
    if began is None:
        return
    seconds = time.perf_counter() - began
    name = task.name
    amounts = {f"task:{name}:le:{b}": 1 for b in RUNTIME_BUCKETS if seconds <= b}
    amounts[f"task:{name}:count"] = 1
    amounts[f"task:{name}:sum_ms"] = round(seconds * 1000)
    if name == "lines.ingest_batch" and state == "SUCCESS" and isinstance(retval, dict):
        if retval.get("duplicate"):
            amounts["ingest_duplicates"] = 1
        else:
            amounts["ingest_batches"] = 1
            for field, metric in INGEST_FIELDS.items():
                if retval.get(field):
                    amounts[metric] = int(retval[field])
    add_many(amounts)
