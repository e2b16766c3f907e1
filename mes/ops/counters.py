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
    key = PREFIX + name
    store = cache()
    store.add(key, 0, timeout=None)  # a no-op when the counter exists; atomic on Redis
    store.incr(key, amount)


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
    for bound in RUNTIME_BUCKETS:
        if seconds <= bound:
            add(f"task:{name}:le:{bound}")
    add(f"task:{name}:count")
    add(f"task:{name}:sum_ms", round(seconds * 1000))
    if name == "lines.ingest_batch" and state == "SUCCESS" and isinstance(retval, dict):
        if retval.get("duplicate"):
            add("ingest_duplicates")
            return
        add("ingest_batches")
        for field, metric in INGEST_FIELDS.items():
            if retval.get(field):
                add(metric, int(retval[field]))
