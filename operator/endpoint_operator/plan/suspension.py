"""Suspension of an endpoint (spec.costControls): by hand, or on a weekly schedule.

Suspending deletes the endpoint (its autoscaling first, as a deletion does) and keeps
its models and endpoint config: the spec still says everything, scaling included, and
the config's content-hashed name is the spec's, so resuming is an ordinary reconcile
that creates the endpoint again on the same config: the same fleet. Pure: `now` is an
argument.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..api.cost_controls import CostControlsSpec, SuspensionScheduleSpec
from ..api.resources import IN_FLIGHT_STATUSES
from ..api.status import CostStatus, ModelEndpointStatus, SuspensionStatus
from .actions import DeleteEndpoint
from .blueprint import Blueprint
from .conditions import condition
from .cron_week import MINUTES_PER_WEEK, weekly_firings
from .decision import NOT_DEGRADED, Decision, Verdict
from .observed import Observed
from .scaling_step import removal
from .status_view import endpoint_status

SUSPENDED = "Suspended"  # the condition type, and the reason while suspended
NOTHING_RUNS = CostStatus(hourly_usd=0.0, monthly_usd=0.0, instances=0)


@dataclass(frozen=True)
class SuspensionState:
    suspended: bool
    reason: str  # SuspendedBySpec | SuspendedBySchedule | ResumedBySchedule
    message: str
    next_change: datetime | None = None  # when the schedule flips it next


def suspension_state(controls: CostControlsSpec | None, now: datetime) -> SuspensionState | None:
    """Whether the endpoint should be suspended now; None when no suspension is declared."""
    if controls is None:
        return None
    if controls.suspended:
        return SuspensionState(True, "SuspendedBySpec", "spec.costControls.suspended is true")
    if controls.schedule is None:
        return None
    return scheduled_state(controls.schedule, now)


def scheduled_state(schedule: SuspensionScheduleSpec, now: datetime) -> SuspensionState:
    """The schedule's verdict at `now`: whichever of its two expressions fired last wins."""
    zone = ZoneInfo(schedule.time_zone)
    local = now.astimezone(zone).replace(second=0, microsecond=0)
    minute = ((local.weekday() + 1) % 7) * 1440 + local.hour * 60 + local.minute  # from Sunday 00:00
    suspend, resume = weekly_firings(schedule.suspend).minutes, weekly_firings(schedule.resume).minutes
    suspended = _since_last(suspend, minute) < _since_last(resume, minute)
    ahead = _until_next(resume if suspended else suspend, minute)
    next_change = (local + timedelta(minutes=ahead)).astimezone(now.tzinfo) if ahead is not None else None
    when = f"; {'resumes' if suspended else 'suspended again'} at {next_change.isoformat()}" if next_change else ""
    if suspended:
        return SuspensionState(True, "SuspendedBySchedule",
                               f"suspended by spec.costControls.schedule.suspend ({schedule.suspend} "
                               f"{schedule.time_zone}){when}", next_change)
    return SuspensionState(False, "ResumedBySchedule",
                           f"serving by spec.costControls.schedule.resume ({schedule.resume} "
                           f"{schedule.time_zone}){when}", next_change)


def _since_last(firings: tuple[int, ...], minute: int) -> int:
    """Minutes since the last firing at or before `minute`, a week back at most."""
    if not firings:
        return MINUTES_PER_WEEK * 2
    earlier = [m for m in firings if m <= minute]
    return minute - (earlier[-1] if earlier else firings[-1] - MINUTES_PER_WEEK)


def _until_next(firings: tuple[int, ...], minute: int) -> int | None:
    if not firings:
        return None
    later = [m for m in firings if m > minute]
    return (later[0] if later else firings[0] + MINUTES_PER_WEEK) - minute


def suspend(bp: Blueprint, observed: Observed, generation: int, previous: ModelEndpointStatus | None,
            state: SuspensionState, now: datetime) -> Decision:
    """One step towards a suspended endpoint: autoscaling and the endpoint go (once
    SageMaker is done with what it is doing), models and configs stay."""
    ep = observed.endpoint
    kept = f"models and endpoint config {bp.config.name} are kept"
    if ep is not None and ep.status in IN_FLIGHT_STATUSES:
        actions, working = (), f"Waiting for endpoint {ep.name} to finish {ep.status} before suspending it"
    elif ep is not None:
        actions = removal(observed.scaling) + (DeleteEndpoint(name=ep.name),)
        working = f"Suspending: deleting endpoint {ep.name}; {kept}"
    else:
        actions = removal(observed.scaling)
        working = f"Suspending: removing the autoscaling of endpoint {bp.endpoint_name}" if actions else None
    in_flight = ep is not None
    done = f"Endpoint {bp.endpoint_name} is suspended ({state.message}); {kept}"
    message = working or done
    verdict = Verdict(ready=(False, SUSPENDED, message), progressing=(in_flight, SUSPENDED, message),
                      degraded=NOT_DEGRADED)
    before = previous.suspension if previous else None
    status = ModelEndpointStatus(
        observed_generation=generation, mode=bp.mode.value, mode_reason=bp.mode_reason, revision=bp.revision,
        endpoint=endpoint_status(bp.endpoint_name, ep), models=list(bp.served_models), cost=NOTHING_RUNS,
        suspension=SuspensionStatus(
            since=before.since if before is not None and before.since is not None else now,
            resumes_at=state.next_change, endpoint_config=bp.config.name, reason=state.reason),
        artifact_prefix=previous.artifact_prefix if previous else None)
    return Decision(
        actions=actions,
        conditions=(*verdict.conditions(generation), condition(SUSPENDED, True, state.reason, message, generation)),
        endpoint_phase="Deleting" if actions else SUSPENDED,
        in_flight=bool(actions) or in_flight,
        corrections=(), status=status, requeue_after=_seconds_until(state.next_change, now))


def serving(decision: Decision, state: SuspensionState | None, previous: ModelEndpointStatus | None,
            generation: int, now: datetime) -> Decision:
    """A reconcile's decision while not suspended, with Suspended=False and a look again
    when the schedule next suspends it."""
    if state is None:
        was = any(c.type == SUSPENDED for c in (previous.conditions or ())) if previous else False
        if not was:
            return decision
        state = SuspensionState(False, "NotSuspended", "spec.costControls declares no suspension")
    flag = condition(SUSPENDED, False, state.reason, state.message, generation)
    after = _seconds_until(state.next_change, now)
    if decision.requeue_after is not None and after is not None:
        after = min(after, decision.requeue_after)
    return replace(decision, conditions=(*decision.conditions, flag),
                   requeue_after=after if after is not None else decision.requeue_after)


def _seconds_until(moment: datetime | None, now: datetime) -> float | None:
    return max(1.0, (moment - now).total_seconds()) if moment is not None else None



def suspended_share(schedule: SuspensionScheduleSpec) -> float:
    """The share of a week the schedule keeps the endpoint suspended (wall-clock minutes
    of its time zone; a daylight-saving week is off by an hour at most)."""
    events = sorted([(m, True) for m in weekly_firings(schedule.suspend).minutes]
                    + [(m, False) for m in weekly_firings(schedule.resume).minutes])
    if not events:
        return 0.0
    suspended_minutes = 0
    for (minute, suspends), (following, _) in zip(events, [*events[1:], (events[0][0] + MINUTES_PER_WEEK, None)]):
        if suspends:
            suspended_minutes += following - minute
    return suspended_minutes / MINUTES_PER_WEEK


@dataclass(frozen=True)
class SuspensionPlan:
    """What a suspension of this spec would do, for `endpoint-operator plan`."""

    deletes: tuple[str, ...]
    keeps: tuple[str, ...]
    share: float  # of the week suspended: 1 when suspended by hand, 0 when never
    when: str


def suspension_plan(controls: CostControlsSpec | None, bp: Blueprint) -> SuspensionPlan | None:
    if controls is None or (not controls.suspended and controls.schedule is None):
        return None
    deletes = (f"endpoint {bp.endpoint_name}",
               *(f"scalable target {s.target.resource_id}" for s in bp.scaling))
    keeps = (f"endpoint config {bp.config.name}", *(f"model {m.name}" for m in bp.models),
             "the autoscaling in the spec (registered again on resume)")
    if controls.suspended:
        return SuspensionPlan(deletes, keeps, 1.0, "suspended now (spec.costControls.suspended)")
    schedule = controls.schedule
    return SuspensionPlan(deletes, keeps, suspended_share(schedule),
                          f"suspended at '{schedule.suspend}', resumed at '{schedule.resume}' ({schedule.time_zone})")
