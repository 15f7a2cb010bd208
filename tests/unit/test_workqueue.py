"""The keyed work queue: one wait per key, never two workers on one key, and objects
never synced yet served before the others."""

from __future__ import annotations

import asyncio

from endpoint_operator.handlers.workqueue import WorkQueue


def drain(queue: WorkQueue) -> list[str]:
    async def take() -> list[str]:
        taken = []
        while len(queue):
            key = await queue.get()
            queue.done(key)
            taken.append(key)
        return taken
    return asyncio.run(take())


def test_keys_added_first_are_served_before_the_others_in_their_own_order():
    queue = WorkQueue()
    queue.add("old-1")
    queue.add("new-1", first=True)
    queue.add("old-2")
    queue.add("new-2", first=True)
    assert drain(queue) == ["new-1", "new-2", "old-1", "old-2"]


def test_a_key_waits_once_and_a_key_added_while_running_runs_again_at_the_back():
    async def scenario() -> list[str]:
        queue = WorkQueue()
        queue.add("a")
        queue.add("a")
        queue.add("b")
        running = await queue.get()
        queue.add(running)  # an event while it runs: once more afterwards
        queue.done(running)
        return [running, *[await _take(queue) for _ in range(len(queue))]]

    assert asyncio.run(scenario()) == ["a", "b", "a"]


async def _take(queue: WorkQueue) -> str:
    key = await queue.get()
    queue.done(key)
    return key


def test_a_scheduled_key_keeps_its_lane_when_it_fires():
    async def scenario() -> list[str]:
        queue = WorkQueue()
        queue.add("continuing")
        queue.add_after("not-acted-on-yet", 0.01, first=True)
        await asyncio.sleep(0.05)
        return [await _take(queue) for _ in range(len(queue))]

    assert asyncio.run(scenario()) == ["not-acted-on-yet", "continuing"]
