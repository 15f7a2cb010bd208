"""What a sync hands back about its next run, in the spirit of controller-runtime's
Result, and the scheduling rule that turns it into a wake-up: a pure function of the
outcome and the intervals, so tests call it directly.

Backoff is not decided here: a failed retry is the work queue's per-key rate limiting
(WorkQueue.retry), the one place a delay grows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from ..api.resources import IN_FLIGHT_STATUSES
from .config import OperatorConfig


class Next(Enum):
    DONE = "done"  # at rest: watch events, the sweeps and the resync wake it (`after`: a deadline, e.g. a pause)
    POLL = "poll"  # something in flight the sweep cannot see: look again after the fast poll (or `after`)
    AWAIT = "await"  # an endpoint transition: the sweep sees it end; a backstop timer stays
    RETRY = "retry"  # did not get through: `limited` (budget, throttle) or failed (backoff)
    YIELD = "yield"  # more to do, but others go first: at the back of the queue now


@dataclass(frozen=True)
class Outcome:
    next: Next
    after: float | None = None  # DONE/POLL/AWAIT: a deadline; RETRY: not before this (AWS's or the limiter's hint)
    limited: bool = False  # RETRY: for want of budget; nothing failed, the object keeps its place


DONE = Outcome(Next.DONE)
POLL = Outcome(Next.POLL)
AWAIT = Outcome(Next.AWAIT)
YIELD = Outcome(Next.YIELD)


def done(after: float | None = None) -> Outcome:
    return Outcome(Next.DONE, after)


def poll(after: float | None = None) -> Outcome:
    return Outcome(Next.POLL, after)


def await_transition(after: float | None = None) -> Outcome:
    return Outcome(Next.AWAIT, after)


def retry(after: float | None = None, limited: bool = False) -> Outcome:
    return Outcome(Next.RETRY, after, limited)


def after_acting(acted: bool, in_flight: bool, started: bool, endpoint_status: str,
                 after: float | None = None) -> Outcome:
    """The outcome of a sync that got through. `acted`: it executed actions; `in_flight`:
    the planner waits for something; `started`: the actions started an endpoint
    transition; `endpoint_status`: as just observed (or started). A transition observed
    with nothing to do, or one the actions just started, is left to the sweep, whose
    status shows its end as well as a DescribeEndpoint would; whatever else was done is
    in flight until observed; with nothing in flight the object is at rest."""
    if not acted and not in_flight:
        return done(after)
    if (not acted or started) and endpoint_status in IN_FLIGHT_STATUSES:
        return await_transition(after)
    return poll(after)


@dataclass(frozen=True)
class Wake:
    """When and how an object's next sync is queued."""

    at: float | None = None  # seconds from now; None: no timer
    now: bool = False  # at the back of the queue at once
    backoff: bool = False  # a failed retry: the queue's per-key backoff, not before `at`
    paced: bool = False  # a limited retry: at `at` plus a little jitter, no growth
    awaiting: bool = False  # the sweep watches the transition's end
    in_flight: bool = False  # polled on its own: the sweep leaves it alone
    keeps_front: bool = False  # keeps the urgent lane it had (a seen change waits for budget)


def wake(outcome: Outcome, config: OperatorConfig) -> Wake:
    after = outcome.after
    match outcome.next:
        case Next.DONE:
            return Wake(at=after)
        case Next.POLL:
            return Wake(at=_earliest(config.fast_poll_seconds, after), in_flight=True)
        case Next.AWAIT:
            # The sweep sees the transition end; the timer is only a backstop.
            return Wake(at=_earliest(config.sweep_seconds, after), awaiting=True)
        case Next.YIELD:
            return Wake(now=True, in_flight=True)
        case Next.RETRY if outcome.limited:
            return Wake(at=after or 0.0, paced=True, in_flight=True, keeps_front=True)
        case Next.RETRY:
            return Wake(at=after or 0.0, backoff=True, in_flight=True)
    raise ValueError(outcome)


class Lane(IntEnum):
    """The work queue's lanes, in the order they are served (see workqueue.lane_to_serve)."""

    URGENT = 0  # the sweep saw its endpoint change: the report goes before anything else
    BEGUN = 1  # acted on and still in flight: its next step goes before a new object's first
    NEW = 2  # not acted on yet
    ROUTINE = 3  # settled: resyncs, deadlines, out-of-band changes, edits of objects at rest


def lane(acted: bool, urgent: bool, in_flight: bool) -> Lane:
    """The lane an object's next run waits in. An object that has begun (its creates
    sent, its endpoint in flight) goes on before new objects start, so a burst finishes
    objects one by one instead of all in one wave at the end: every object's first
    action before anyone's next step would put all the CreateEndpoints last. `urgent`:
    the sweep saw its endpoint change and no sync got through since."""
    if urgent:
        return Lane.URGENT
    if not acted:
        return Lane.NEW
    return Lane.BEGUN if in_flight else Lane.ROUTINE


def lane_after(plan: Wake, acted: bool, urgent: bool) -> Lane:
    """The lane of the run `plan` schedules: a seen change keeps the urgent lane only while
    it waits for budget (until its sync gets through); awaiting a transition is in flight."""
    return lane(acted, urgent and plan.keeps_front, plan.in_flight or plan.awaiting)


def _earliest(interval: float, deadline: float | None) -> float:
    return interval if deadline is None else min(interval, deadline)
