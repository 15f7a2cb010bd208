"""How an object is scheduled after a sync: the outcome a sync hands back, and the pure
rule (outcome.wake) that turns it into a wake-up. A deferred pass goes to the back of the
queue, an endpoint that is only transitioning is left to the fast sweep, a failed retry
is the work queue's backoff and a refusal for want of budget keeps the object's place."""

from __future__ import annotations

import asyncio
import random

import pytest

from endpoint_operator.handlers.config import OperatorConfig
from endpoint_operator.handlers.controller import Controller
from endpoint_operator.handlers.outcome import (
    AWAIT, DONE, POLL, YIELD, Lane, Next, Wake, after_acting, await_transition, done, lane, lane_after, poll, retry,
    wake)
from endpoint_operator.handlers.sync import SyncResult
from endpoint_operator.handlers.workqueue import WorkQueue

CONFIG = OperatorConfig(fast_poll_seconds=10.0, sweep_seconds=60.0)


@pytest.mark.parametrize("acted, in_flight, started, status, expected", [
    (False, True, False, "Creating", Next.AWAIT),  # only waiting for SageMaker
    (False, True, False, "Updating", Next.AWAIT),
    (True, True, False, "Creating", Next.POLL),  # just acted on something else: look at it soon
    (True, True, True, "Creating", Next.AWAIT),  # CreateEndpoint just sent: the sweep sees it end
    (True, True, False, "InService", Next.POLL),  # e.g. collecting garbage
    (False, True, False, "InService", Next.POLL),  # the planner waits for something the sweep cannot see
    (False, False, False, "InService", Next.DONE),  # at rest
])
def test_only_a_sync_that_did_nothing_while_the_endpoint_transitions_waits_for_the_sweep(
        acted, in_flight, started, status, expected):
    assert after_acting(acted, in_flight, started, status).next is expected


def test_a_deadline_rides_along_whatever_the_outcome():
    assert after_acting(False, False, False, "InService", after=600.0) == done(600.0)
    assert wake(done(600.0), CONFIG) == Wake(at=600.0)  # a rollout pause ends: nothing else wakes it


def test_at_rest_nothing_is_scheduled():
    assert wake(DONE, CONFIG) == Wake()


def test_in_flight_the_object_is_polled_at_the_fast_poll_or_a_sooner_deadline():
    assert wake(POLL, CONFIG) == Wake(at=10.0, in_flight=True)
    assert wake(poll(0.5), CONFIG) == Wake(at=0.5, in_flight=True)


def test_a_transitioning_endpoint_is_left_to_the_sweep_with_a_slow_backstop():
    plan = wake(AWAIT, CONFIG)
    assert plan.awaiting and not plan.in_flight
    assert plan.at == 60.0  # not polled now; the backstop timer is a sweep interval away
    assert wake(await_transition(5.0), CONFIG).at == 5.0


def test_a_deferred_pass_goes_to_the_back_of_the_queue_now():
    assert wake(YIELD, CONFIG) == Wake(now=True, in_flight=True)


def test_a_failed_retry_is_the_queue_s_backoff_and_a_limited_one_keeps_its_place():
    failed = wake(retry(0.5), CONFIG)
    assert failed.backoff and not failed.paced and not failed.keeps_front and failed.at == 0.5
    limited = wake(retry(2.0, limited=True), CONFIG)
    assert limited.paced and not limited.backoff and limited.keeps_front and limited.at == 2.0


class Longest(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return b


def test_the_queue_backs_off_exponentially_per_key_up_to_the_cap_and_resets_on_success():
    async def scenario() -> tuple[list[float], float, float]:
        queue = WorkQueue(rng=Longest())
        queue._backoff._rng = Longest()
        delays = [queue.retry(("ml", "flaky")) for _ in range(12)]
        other = queue.retry(("ml", "other"))  # another key's failures are its own
        queue.succeeded(("ml", "flaky"))
        return delays, other, queue.retry(("ml", "flaky"))
    delays, other, after_success = asyncio.run(scenario())
    assert delays[:4] == [1.0, 2.0, 4.0, 8.0]
    assert all(later >= earlier for earlier, later in zip(delays, delays[1:]))
    assert max(delays) == 300.0
    assert other == after_success == 1.0


def test_a_limited_retry_does_not_grow_however_often_it_is_refused():
    async def scenario() -> list[float]:
        queue = WorkQueue(rng=Longest())
        return [queue.retry_paced(("ml", "busy"), 0.5) for _ in range(10)]
    assert asyncio.run(scenario()) == [1.5] * 10  # the limiter's wait plus at most a second of jitter


@pytest.mark.parametrize("acted, urgent, outcome, expected", [
    (False, False, retry(0.5), Lane.NEW),  # not acted on yet: waits for its first action
    (False, False, YIELD, Lane.NEW),
    (True, False, YIELD, Lane.BEGUN),  # creates sent, more to send: before any new object
    (True, False, retry(1.0, limited=True), Lane.BEGUN),  # refused a token half-way
    (True, False, AWAIT, Lane.BEGUN),  # its endpoint in flight (the backstop timer)
    (True, False, POLL, Lane.BEGUN),
    (True, False, DONE, Lane.ROUTINE),  # settled
    (True, False, done(600.0), Lane.ROUTINE),  # a rollout pause's end
    (True, True, retry(1.0, limited=True), Lane.URGENT),  # a seen change refused a token keeps its lane...
    (True, True, POLL, Lane.BEGUN),  # ...until its sync gets through
    (True, True, retry(1.0), Lane.BEGUN),  # a failure is not a seen change any more
])
def test_which_lane_the_next_run_waits_in(acted, urgent, outcome, expected):
    assert lane_after(wake(outcome, CONFIG), acted, urgent) is expected


@pytest.mark.parametrize("acted, urgent, in_flight, expected", [
    (False, False, False, Lane.NEW),  # a new object, as kopf delivers it
    (True, True, False, Lane.URGENT),  # the sweep saw its endpoint change
    (True, False, True, Lane.BEGUN),  # an edit of an object in flight
    (True, False, False, Lane.ROUTINE),  # a resync, an edit of a settled object
])
def test_which_lane_an_event_queues_an_object_in(acted, urgent, in_flight, expected):
    assert lane(acted, urgent, in_flight) is expected


class ThreeSteps:
    """A syncer for a burst under a dry mutation budget: each object needs three passes of
    one mutation each (its creates), then waits for its endpoint (AWAIT). Records which
    object sent its last create on which pass."""

    def __init__(self, count: int, loop: asyncio.AbstractEventLoop) -> None:
        self.steps: dict[str, int] = {}
        self.finished: list[tuple[str, int]] = []
        self.syncs = 0
        self._count, self._loop, self.all_done = count, loop, asyncio.Event()

    def sync(self, body, attempt=0, urgent=False, made=None) -> SyncResult:
        name = body["metadata"]["name"]
        self.syncs += 1
        self.steps[name] = self.steps.get(name, 0) + 1
        if self.steps[name] < 3:
            return SyncResult(YIELD, acted=True)
        self.finished.append((name, self.syncs))
        if len(self.finished) == self._count:
            self._loop.call_soon_threadsafe(self.all_done.set)
        return SyncResult(AWAIT, acted=True)


def test_a_burst_finishes_objects_one_by_one_not_all_at_the_end():
    """Twelve objects applied at once, three passes each (one worker): an object that has
    begun goes on before the next one starts, so the median object sends its
    CreateEndpoint half-way through the burst, not after every object's first and second
    pass."""
    count = 12

    async def burst() -> ThreeSteps:
        syncer = ThreeSteps(count, asyncio.get_running_loop())
        controller = Controller(syncer=syncer, aws=None, config=OperatorConfig(workers=1))
        for index in range(count):
            controller.observe("ADDED", {"metadata": {"namespace": "ml", "name": f"o{index}", "generation": 1}})
        await controller.start()
        try:
            await asyncio.wait_for(syncer.all_done.wait(), timeout=30)
        finally:
            await controller.stop()
        return syncer

    finished = asyncio.run(burst()).finished
    assert [name for name, _ in finished] == [f"o{index}" for index in range(count)]  # in the order applied
    # One by one: each object's last create three passes after the one before it (until
    # now, every object's first pass came first and the first finished on pass 25).
    assert [on_pass for _, on_pass in finished] == [3 * (index + 1) for index in range(count)]


@pytest.mark.parametrize("pages, seconds", [(1, 5.0), (3, 5.0), (10, 10.0), (20, 20.0)])
def test_the_sweep_for_transitions_runs_every_half_fast_poll_within_a_tenth_of_the_reads(pages, seconds):
    """A transition's end is reported within about one fast poll; at a thousand endpoints
    (ten pages) the sweep slows so that it never takes more than 1 of the 10 reads/s."""
    controller = Controller(syncer=None, aws=None,
                            config=OperatorConfig(fast_poll_seconds=10.0, reads_per_second=10.0))
    controller._sweep_pages = pages
    assert controller.transition_sweep_seconds() == pytest.approx(seconds)
