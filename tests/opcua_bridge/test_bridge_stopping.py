"""A stop ends the bridge's tasks even when one of them swallows a cancellation, as Python 3.11's
asyncio.wait_for does when its future completes in the same iteration as the cancel."""

import asyncio

from opcua_bridge.bridge.stopping import cancel_until_done


async def _swallows_one_cancel(log: list[str]) -> None:
    """As a handshake whose wait_for swallowed the cancel: it loops on."""
    swallowed = False
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if swallowed:
                log.append("ended")
                raise
            swallowed = True
            log.append("ran on")


def test_a_task_that_runs_on_after_a_cancel_is_cancelled_again_until_it_ends():
    async def scenario() -> tuple[list[str], bool]:
        log: list[str] = []
        task = asyncio.create_task(_swallows_one_cancel(log))
        await asyncio.sleep(0)
        await cancel_until_done([task])
        return log, task.cancelled()

    log, cancelled = asyncio.run(asyncio.wait_for(scenario(), timeout=10))
    assert log == ["ran on", "ended"]
    assert cancelled


def test_a_single_cancel_is_not_enough_for_such_a_task():
    """What the old stop did (cancel once, then wait): the task is still running."""

    async def scenario() -> bool:
        task = asyncio.create_task(_swallows_one_cancel([]))
        await asyncio.sleep(0)
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=0.3)
        running = not done
        await cancel_until_done([task])
        return running

    assert asyncio.run(scenario())


def test_done_and_no_tasks_return_at_once():
    async def scenario() -> None:
        finished = asyncio.create_task(asyncio.sleep(0))
        await finished
        await cancel_until_done([finished])
        await cancel_until_done([])

    asyncio.run(asyncio.wait_for(scenario(), timeout=2))
