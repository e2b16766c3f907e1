"""Stopping the bridge's own tasks for sure.

Python 3.11's asyncio.wait_for can swallow a cancellation: when the awaited future completes in
the same loop iteration as the cancel, wait_for returns its result and the task runs on
(CPython gh-86296; rewritten in 3.12). A handshake loops on wait_for (the PLC's request, the
MES's decision), so a single cancel at shutdown could leave it running, and the stop waiting on
it forever: a stop that once hung past 90 s with a line answering a cell a second.
"""

import asyncio
from collections.abc import Iterable

RECANCEL_S = 0.5


async def cancel_until_done(tasks: Iterable[asyncio.Task]) -> None:
    """Cancel the tasks, again every RECANCEL_S for any that ran on, until all have ended."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=RECANCEL_S)
