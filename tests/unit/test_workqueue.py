"""The keyed work queue: one wait per key, never two workers on one key, and its lanes
served in order (a seen change, begun work, new objects, routine work) without starving
any of them."""

from __future__ import annotations

import asyncio

import pytest

from endpoint_operator.handlers.outcome import Lane
from endpoint_operator.handlers.workqueue import PATIENCE, WorkQueue, lane_to_serve


def drain(queue: WorkQueue) -> list[str]:
    async def take() -> list[str]:
        taken = []
        while len(queue):
            key = await queue.get()
            queue.done(key)
            taken.append(key)
        return taken
    return asyncio.run(take())


def test_lanes_are_served_in_order_each_in_its_own_order():
    queue = WorkQueue()
    queue.add("resync-1")
    queue.add("new-1", Lane.NEW)
    queue.add("begun-1", Lane.BEGUN)
    queue.add("resync-2")
    queue.add("new-2", Lane.NEW)
    queue.add("seen-1", Lane.URGENT)
    # Routine work has waited three picks (PATIENCE) by then: it goes before new-2.
    assert drain(queue) == ["seen-1", "begun-1", "new-1", "resync-1", "new-2", "resync-2"]


@pytest.mark.parametrize("waiting, passed, served", [
    ([0, 0, 0, 0], [0, 0, 0, 0], None),
    ([1, 5, 5, 5], [0, 0, 0, 0], 0),  # in order...
    ([0, 5, 5, 5], [0, 2, 2, 2], 1),
    ([0, 5, 5, 5], [0, 2, 3, 3], 2),  # ...until a lane has waited PATIENCE picks
    ([1, 5, 5, 5], [0, 3, 3, 0], 1),  # the first of those that have
    ([1, 0, 5, 0], [0, 0, 0, 0], 0),
])
def test_the_lane_served_next(waiting, passed, served):
    assert lane_to_serve(waiting, passed, patience=3) == served


def test_new_objects_are_started_however_much_begun_work_there_is():
    """Begun work that never ends (each run of it queues it again at once) does not keep
    new objects waiting: one starts at least every PATIENCE + 1 picks."""
    async def scenario() -> list[str]:
        queue = WorkQueue()
        for index in range(2 * PATIENCE):
            queue.add(f"begun-{index}", Lane.BEGUN)
        for index in range(3):
            queue.add(f"new-{index}", Lane.NEW)
        served = []
        while any(key.startswith("new") for key in queue._queued):
            key = await queue.get()
            served.append(key)
            if key.startswith("begun"):
                queue.add(key, Lane.BEGUN)  # while it runs: once more afterwards, in its lane
            queue.done(key)
        return served
    served = asyncio.run(scenario())
    starts = [index for index, key in enumerate(served) if key.startswith("new")]
    assert starts == [PATIENCE, 2 * PATIENCE + 1, 3 * PATIENCE + 2]


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
        queue.add_after("not-acted-on-yet", 0.01, Lane.NEW)
        await asyncio.sleep(0.05)
        return [await _take(queue) for _ in range(len(queue))]

    assert asyncio.run(scenario()) == ["not-acted-on-yet", "continuing"]
