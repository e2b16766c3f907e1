"""Where the ingest stage's time goes: bench batches ingested in this process (no Celery), with
the wall time of each phase of lines.ingest.batch_ingest summed. Services mode, like bench.ingest.

    .venv/bin/python -m bench.ingest_phases [--batches 50] [--warm-up 10] [--line-step 0.1] [--per-batch 1000]
"""

import argparse
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mes.settings")
django.setup()

from django.db import connection  # noqa: E402

from bench import ingest_work as work  # noqa: E402
from lines import hooks  # noqa: E402
from lines.ingest import batch  # noqa: E402

PHASES = [
    (batch, "batch_parse", "parse"),
    (batch, "tag_map", "tag map check"),
    (batch, "_unit_events", "unit events (with their rows)"),
    (batch, "sample_columns", "attribution + rows"),
    (batch, "samples_store", "store (ids + COPY)"),
]


def _timed(call: Callable[..., Any], spent: dict[str, float], label: str) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - began

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=10)
    parser.add_argument("--line-step", type=float, default=0.1)
    parser.add_argument("--per-batch", type=int, default=1000)
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")  # as autovacuum would (bench.ingest says why)
    run = uuid.uuid4().hex[:6].upper()
    payloads = work.build_batches(
        batches=args.warm_up + args.batches, per_batch=args.per_batch, seed=7, run=run,
        source=f"bench-phases-{run}", line_step_s=args.line_step,
    )  # fmt: skip
    spent: dict[str, float] = defaultdict(float)
    for module, name, label in PHASES:
        setattr(module, name, _timed(getattr(module, name), spent, label))
    # Each AFTER_INGEST hook (evaluation, pressure profiles, exposure) and the commit on its own;
    # the hooks also run inside "unit events" for result events, and are counted there too.
    hooks.AFTER_INGEST[:] = [
        _timed(hook, spent, f"hook {hook.__module__.rsplit('.', 1)[-1]}")
        for hook in hooks.AFTER_INGEST
    ]
    connection.ensure_connection()
    connection.connection.commit = _timed(connection.connection.commit, spent, "commit")
    for payload in payloads[: args.warm_up]:
        batch.batch_ingest(batch=payload)
    spent.clear()
    began = time.perf_counter()
    for payload in payloads[args.warm_up :]:
        batch.batch_ingest(batch=payload)
    total = time.perf_counter() - began
    per = 1000 / args.batches
    rate = args.batches * args.per_batch / total
    print(f"{total * per:.1f} ms per batch of {args.per_batch:,} ({rate:,.0f}/s)")
    for label, seconds in spent.items():
        print(f"  {label:32s} {seconds * per:6.1f} ms  {seconds / total:4.0%}")
    rest = total - sum(spent.values())
    print(f"  {'rest (batch record, savepoints)':32s} {rest * per:6.1f} ms  {rest / total:4.0%}")


if __name__ == "__main__":
    main()
