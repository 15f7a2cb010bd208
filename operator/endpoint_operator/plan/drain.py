"""Retiring the endpoints a ModelEndpoint replaces (spec.replaces), once idle.

Nothing is retired before this object's own endpoint serves the spec. From then on,
each replaced endpoint is deleted once CloudWatch shows no invocation of it for
spec.replaces.idleFor, so its callers move at their own pace and no request is
dropped. Until then it is listed in status.replacement.draining with the last hour
it was invoked. Only the endpoint is deleted: the configs and models it runs on were
not made by the operator and are left as they are.

An endpoint another ModelEndpoint owns (its ownership tags say so) is never retired.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..api.adoption import ReplacesSpec
from ..api.brownfield_status import DrainingEndpoint, ReplacementStatus
from ..api.resources import IN_FLIGHT_STATUSES, ObservedEndpoint
from ..api.status import ModelEndpointStatus
from .decision import Decision
from .errors import PlanError
from .identity import Owner, foreign_owner


@dataclass(frozen=True)
class ReplacedEndpoint:
    """What was observed of one replaced endpoint."""

    name: str
    endpoint: ObservedEndpoint | None  # with its tags; None: gone
    last_invocation: datetime | None = None  # the latest data point of Invocations in the window read
    read: bool = False  # whether its invocations were read this pass


@dataclass(frozen=True)
class DrainPlan:
    status: ReplacementStatus
    retire: tuple[str, ...] = ()  # endpoints to tag as this object's and delete now
    refusal: PlanError | None = None


def window_start(replaces: ReplacesSpec, now: datetime) -> datetime:
    """Where the read of invocations starts: one idle window back."""
    return now - timedelta(seconds=replaces.idle_seconds())


def plan_drain(replaces: ReplacesSpec, owner: Owner, serving: bool, seen: Mapping[str, ReplacedEndpoint],
               previous: ModelEndpointStatus | None, now: datetime) -> DrainPlan:
    before = previous.replacement if previous and previous.replacement else ReplacementStatus()
    retired = list(before.retired or [])
    for name in replaces.endpoints:
        other = _owner_of(seen.get(name), owner)
        if other is not None:
            return DrainPlan(status=before, refusal=PlanError(
                "ReplacedEndpointNotOwned", "spec.replaces.endpoints",
                f"spec.replaces.endpoints: SageMaker endpoint {name} belongs to ModelEndpoint {other}; "
                "it is never retired by another object"))
    since = before.draining_since or (now if serving else None)
    draining: list[DrainingEndpoint] = []
    retire: list[str] = []
    for name in replaces.endpoints:
        found = seen.get(name)
        if found is None or found.endpoint is None:
            if name not in retired and serving:
                retired.append(name)  # gone: deleted by us in an earlier pass, or by someone else
            continue
        last = found.last_invocation or _recorded_last(before, name)
        idle = serving and found.read and found.last_invocation is None
        if idle and found.endpoint.status not in IN_FLIGHT_STATUSES:
            retire.append(name)
        draining.append(DrainingEndpoint(name=name, last_invocation=last, idle_since=since if idle else None))
    status = ReplacementStatus(draining=draining or None, remaining=len(draining), retired=retired or None,
                               draining_since=since)
    return DrainPlan(status=status, retire=tuple(retire))


def _recorded_last(before: ReplacementStatus, name: str) -> datetime | None:
    return next((d.last_invocation for d in before.draining or [] if d.name == name), None)


def _owner_of(found: ReplacedEndpoint | None, owner: Owner) -> str | None:
    if found is None or found.endpoint is None:
        return None
    return foreign_owner(found.endpoint.tags, owner, released=True)


def with_drain(decision: Decision, plan: DrainPlan, replaces: ReplacesSpec) -> Decision:
    """status.replacement set; while endpoints drain, Progressing says so and the
    object is looked at again soon."""
    status = decision.status.model_copy(update={"replacement": plan.status})
    decision = dataclasses.replace(decision, status=status)
    remaining = plan.status.remaining or 0
    if not remaining:
        return decision
    ready = next((c for c in decision.conditions if c.type == "Ready"), None)
    if ready is None or ready.status != "True":
        return decision
    names = ", ".join(d.name for d in plan.status.draining or [])
    message = (f"{remaining} replaced endpoints drain until they have had no invocations for "
               f"{replaces.idle_for}: {names}")
    # Looked at again a few times per idle window (at least every minute), not at rest's pace.
    again = min(max(replaces.idle_seconds() / 6, 2.0), 60.0)
    conditions = tuple(
        c.model_copy(update={"status": "True", "reason": "DrainingReplacedEndpoints", "message": message})
        if c.type == "Progressing" else c for c in decision.conditions)
    return dataclasses.replace(decision, conditions=conditions,
                               in_flight=bool(plan.retire) or decision.in_flight,
                               requeue_after=min(decision.requeue_after or again, again))


def retirement_event(name: str, last: datetime | None, idle_for: str) -> tuple[str, str]:
    when = f"last invoked in the minute from {last:%Y-%m-%dT%H:%M:%SZ}" if last else "no invocation seen"
    return "RetiredEndpoint", f"Retired replaced endpoint {name}: no invocations for {idle_for} ({when})"
