"""How the controller schedules an object after a sync: a deferred pass goes to the back
of the queue, an endpoint that is only transitioning is left to the fast sweep."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from endpoint_operator.handlers.config import OperatorConfig
from endpoint_operator.handlers.controller import Controller, Tracked, _awaiting_transition
from endpoint_operator.handlers.sync import SyncResult
from endpoint_operator.handlers.workqueue import WorkQueue
from endpoint_operator.plan.reconcile import Requeue

SEEN = datetime(2026, 1, 1, tzinfo=timezone.utc)
WHERE = dict(region="us-east-1", endpoint_name="ep")


@pytest.mark.parametrize("result, awaiting", [
    (SyncResult(Requeue.FAST, endpoint_seen=("Creating", SEEN), **WHERE), True),
    (SyncResult(Requeue.FAST, endpoint_seen=("Updating", SEEN), **WHERE), True),
    (SyncResult(Requeue.FAST, endpoint_seen=("Creating", SEEN), acted=True, **WHERE), False),  # just acted
    (SyncResult(Requeue.FAST, endpoint_seen=("Creating", None), acted=True, transition_started=True, **WHERE),
     True),  # CreateEndpoint just sent: the sweep sees it end
    (SyncResult(Requeue.FAST, endpoint_seen=("InService", SEEN), **WHERE), False),  # e.g. collecting
    (SyncResult(Requeue.FAST, delay=3.0, failed_attempt=True, endpoint_seen=("Creating", SEEN)), False),
    (SyncResult(Requeue.SLOW, endpoint_seen=("InService", SEEN), **WHERE), False),
])
def test_only_a_sync_that_did_nothing_while_the_endpoint_transitions_waits_for_the_sweep(result, awaiting):
    assert _awaiting_transition(result) is awaiting


async def drain(queue: WorkQueue) -> list[str]:
    """The names of the keys waiting, in the order workers would take them."""
    order = []
    while len(queue):
        key = await queue.get()
        queue.done(key)
        order.append(key[1])
    return order


def record(results: dict[str, SyncResult], queued_before: list[str]) -> tuple[Controller, list[str]]:
    async def scenario():
        controller = Controller(syncer=None, aws=None, config=OperatorConfig(workers=1))
        controller.queue = WorkQueue()
        for name in queued_before:
            controller.queue.add(("ml", name))
        for name, result in results.items():
            key = ("ml", name)
            controller.objects[key] = Tracked(body={"metadata": {"name": name, "namespace": "ml"}})
            controller._record(key, controller.objects[key], {}, result, now=100.0)
        return controller, await drain(controller.queue)
    return asyncio.run(scenario())


def test_a_deferred_pass_runs_again_after_every_object_already_waiting():
    controller, order = record({"busy": SyncResult(Requeue.FAST, acted=True, deferred=True, **WHERE)},
                               queued_before=["a", "b"])
    assert order == ["a", "b", "busy"]
    assert controller.objects[("ml", "busy")].in_flight


def test_a_transitioning_endpoint_is_left_to_the_sweep_with_a_slow_backstop():
    controller, order = record({"creating": SyncResult(Requeue.FAST, endpoint_seen=("Creating", SEEN), **WHERE)},
                               queued_before=[])
    tracked = controller.objects[("ml", "creating")]
    assert order == []  # not polled now; the backstop timer is a sweep interval away
    assert tracked.awaiting_transition and not tracked.in_flight
    assert tracked.endpoint_seen == ("Creating", SEEN)


def test_an_object_refused_a_token_before_acting_keeps_its_place_ahead_of_the_burst():
    async def scenario() -> list[str]:
        controller = Controller(syncer=None, aws=None, config=OperatorConfig(workers=1))
        controller.queue = WorkQueue()
        controller.queue.add(("ml", "continuing"))
        key = ("ml", "new")
        controller.objects[key] = Tracked(body={"metadata": {"name": "new", "namespace": "ml"}})
        controller._record(key, controller.objects[key], {}, SyncResult(Requeue.FAST, delay=0.01, **WHERE), now=1.0)
        await asyncio.sleep(0.05)
        return await drain(controller.queue)

    assert asyncio.run(scenario()) == ["new", "continuing"]


def test_a_seen_transition_end_keeps_the_front_lane_until_its_sync_gets_through():
    """An object the sweep saw go InService is synced ahead of routine work; refused a
    token by the limiter, it stays ahead, instead of waiting behind every other object."""
    async def scenario() -> tuple[list[str], list[str]]:
        controller = Controller(syncer=None, aws=None, config=OperatorConfig(workers=1))
        controller.queue = WorkQueue()
        key = ("ml", "landed")
        tracked = controller.objects[key] = Tracked(body={"metadata": {"name": "landed", "namespace": "ml"}},
                                                    acted=True, urgent=True)
        for name in ("routine-1", "routine-2"):
            controller.queue.add(("ml", name))
        refused = SyncResult(Requeue.FAST, delay=0.0, limited=True, **WHERE)  # retry at once
        controller._record(key, tracked, {}, refused, now=1.0)
        first = [(await controller.queue.get())[1]]
        controller.queue.done(("ml", first[0]))

        through = SyncResult(Requeue.FAST, delay=0.0, acted=True, **WHERE)  # e.g. one more step
        controller._record(key, tracked, {}, through, now=2.0)
        return first, await drain(controller.queue)

    first, later = asyncio.run(scenario())
    assert first == ["landed"]
    assert later == ["routine-1", "routine-2", "landed"]  # once through, it takes its turn


@pytest.mark.parametrize("pages, seconds", [(1, 5.0), (3, 5.0), (10, 10.0), (20, 20.0)])
def test_the_sweep_for_transitions_runs_every_half_fast_poll_within_a_tenth_of_the_reads(pages, seconds):
    """A transition's end is reported within about one fast poll; at a thousand endpoints
    (ten pages) the sweep slows so that it never takes more than 1 of the 10 reads/s."""
    controller = Controller(syncer=None, aws=None,
                            config=OperatorConfig(fast_poll_seconds=10.0, reads_per_second=10.0))
    controller._sweep_pages = pages
    assert controller.transition_sweep_seconds() == pytest.approx(seconds)
