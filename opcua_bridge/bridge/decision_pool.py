"""Where the bridge's decisions run: threads of the bridge's process, or worker processes.

A decision is mostly Python (the ORM building ~13-21 statements and reading their rows), so in
threads it holds the GIL that the bridge's event loop needs for every OPC UA round trip, and
eight threads decide no faster than one core. With BRIDGE_DECISION_PROCESSES > 0 the decisions
run in that many processes of their own (spawned, never forked from a process with an event loop
and threads), each with Django set up on the same database as the bridge. The deadline is kept
by the bridge either way: a late decision rolls back (lines.services.interlocks.TooLate).
"""

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from django.db import connection

from opcua_bridge.bridge.config import BridgeConfig


def decision_pool(config: BridgeConfig) -> Executor:
    """The pool the closed loop decides in, with its processes started (not on the first
    question: a process takes seconds to import Django, which would cost that question a 9)."""
    if config.decision_processes < 1:
        return ThreadPoolExecutor(
            max_workers=config.decision_threads, thread_name_prefix="mes-decide"
        )
    pool = ProcessPoolExecutor(
        max_workers=config.decision_processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_process,
        # The database the bridge uses now (under the test runner, the test database).
        initargs=(
            os.environ.get("DJANGO_SETTINGS_MODULE", "mes.settings"),
            connection.settings_dict["NAME"],
        ),
    )
    for ready in [pool.submit(_ready) for _ in range(config.decision_processes)]:
        ready.result(timeout=120)
    return pool


def _start_process(settings_module: str, database: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict["NAME"] = database


def _ready() -> bool:
    return True
