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
    AWAIT, DONE, POLL, YIELD, Next, Wake, after_acting, await_transition, done, front_lane, poll, retry, wake)
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


@pytest.mark.parametrize("acted, urgent, outcome, first", [
    (False, False, retry(0.5), True),  # not acted on yet: ahead of every object's next step
    (False, False, YIELD, True),
    (True, False, YIELD, False),  # a deferred pass: behind every object waiting
    (True, True, retry(1.0, limited=True), True),  # a seen change refused a token keeps the front lane...
    (True, True, POLL, False),  # ...until its sync gets through
    (True, True, retry(1.0), False),  # a failure is not a seen change any more
])
def test_which_lane_the_next_run_waits_in(acted, urgent, outcome, first):
    assert front_lane(acted, urgent, wake(outcome, CONFIG)) is first


@pytest.mark.parametrize("pages, seconds", [(1, 5.0), (3, 5.0), (10, 10.0), (20, 20.0)])
def test_the_sweep_for_transitions_runs_every_half_fast_poll_within_a_tenth_of_the_reads(pages, seconds):
    """A transition's end is reported within about one fast poll; at a thousand endpoints
    (ten pages) the sweep slows so that it never takes more than 1 of the 10 reads/s."""
    controller = Controller(syncer=None, aws=None,
                            config=OperatorConfig(fast_poll_seconds=10.0, reads_per_second=10.0))
    controller._sweep_pages = pages
    assert controller.transition_sweep_seconds() == pytest.approx(seconds)
