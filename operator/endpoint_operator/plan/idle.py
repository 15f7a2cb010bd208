"""The Idle condition (spec.costControls.idleAfter): an endpoint that has served for
at least idleAfter without one invocation, and what it costs while idle. Pure: the
readings and `now` are arguments.

SageMaker publishes `Invocations` only for requests it received: no data points over
the window is zero invocations. The readings come from one GetMetricData per account,
region and idleAfter for every watched endpoint at once (handlers/idle.py), never
from a call per endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..api.cost_controls import CostControlsSpec
from ..api.duration import duration_seconds
from ..api.status import Condition, CostStatus, ModelEndpointStatus
from .conditions import READY, condition
from .decision import Decision

IDLE = "Idle"


@dataclass(frozen=True)
class InvocationReading:
    """The Sum of Invocations of every variant over [start, end); 0 when there were no data points."""

    invocations: float
    start: datetime
    end: datetime


def idle_after(controls: CostControlsSpec | None) -> timedelta | None:
    if controls is None or controls.idle_after is None:
        return None
    return timedelta(seconds=duration_seconds(controls.idle_after))


def idle_condition(window: timedelta, reading: InvocationReading | None, ready_since: datetime | None,
                   cost: CostStatus | None, now: datetime, generation: int) -> Condition:
    """Idle=True once the endpoint has been Ready for `window` and the last reading,
    which covers `window`, counted no invocation."""
    span = _show(window)
    if ready_since is None:
        return condition(IDLE, False, "NotServing", "The endpoint is not Ready; idleness is judged once it serves",
                         generation)
    if now - ready_since < window:
        return condition(IDLE, False, "ServingForLessThanIdleAfter",
                         f"Ready since {ready_since.isoformat()}, less than spec.costControls.idleAfter ({span})",
                         generation)
    if reading is None or reading.end - reading.start < window or reading.start < ready_since:
        return condition(IDLE, False, "NotMeasuredYet",
                         f"No reading of Invocations over the last {span} yet", generation)
    if reading.invocations > 0:
        return condition(IDLE, False, "Invoked",
                         f"{reading.invocations:g} invocations over {span} up to {reading.end.isoformat()}", generation)
    costs = (f"; it costs {cost.hourly_usd:g} USD an hour ({cost.monthly_usd:g} USD a month) while idle"
             if cost is not None and cost.hourly_usd is not None and cost.monthly_usd is not None else "")
    return condition(IDLE, True, "NoInvocations",
                     f"No invocations over {span} up to {reading.end.isoformat()}{costs}: suspend it "
                     "(spec.costControls.suspended or schedule) or delete it", generation)


def ready_since(conditions: Sequence[Condition], previous: ModelEndpointStatus | None, now: datetime) -> datetime | None:
    """When Ready last turned True, if it is True in `conditions` (just computed)."""
    ready = next((c for c in conditions if c.type == READY), None)
    if ready is None or ready.status != "True":
        return None
    before = next((c for c in (previous.conditions or ()) if c.type == READY), None) if previous else None
    if before is not None and before.status == "True" and before.last_transition_time is not None:
        return before.last_transition_time
    return now


def with_idle(decision: Decision, controls: CostControlsSpec | None, reading: InvocationReading | None,
              previous: ModelEndpointStatus | None, now: datetime, generation: int) -> Decision:
    """The decision with the Idle condition, and status.cost.idleMonthlyUSD while idle.
    Without spec.costControls.idleAfter an Idle condition set before is cleared."""
    window = idle_after(controls)
    if window is None:
        was = previous is not None and any(c.type == IDLE for c in previous.conditions or ())
        if not was:
            return decision
        flag = condition(IDLE, False, "NotWatched", "spec.costControls.idleAfter is not set", generation)
        return replace(decision, conditions=(*decision.conditions, flag))
    cost = decision.status.cost
    flag = idle_condition(window, reading, ready_since(decision.conditions, previous, now), cost, now, generation)
    status = decision.status
    if flag.status == "True" and cost is not None:
        status = status.model_copy(update={"cost": cost.model_copy(update={"idle_monthly_usd": cost.monthly_usd})})
    return replace(decision, conditions=(*decision.conditions, flag), status=status)


def _show(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
