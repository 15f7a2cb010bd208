"""What a sync does, given what it read: the second of the planner's two answers (the
first, what to read, is plan/reading.py).

One decision composed of the planner's parts, in order: the endpoint's own step
(reconcile, or suspend), the suspension schedule, a migration's hand-over, leftover
artifacts, cost, idleness and an overdue transition. Pure: `now` is an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..api.pricing import PriceTable
from ..api.spec import ModelEndpointSpec
from ..api.status import ModelEndpointStatus
from .blueprint import Blueprint
from .cost import running_cost, with_cost
from .decision import Decision
from .gates import GateReadings
from .idle import InvocationReading, with_idle
from .leftover_artifacts import collect_leftover_artifacts
from .migration import Placement, hand_over
from .observed import Observed
from .overdue import with_overdue
from .reading import Reading
from .reconcile import reconcile
from .suspension import serving, suspend, suspension_state


@dataclass(frozen=True)
class Readings:
    """What the handler read, as the Reading asked."""

    observed: Observed  # the endpoint's, with its scaling on a full observation
    gates: GateReadings | None = None  # while a canary step is judged
    retiring: Observed | None = None  # the endpoint a migration retires
    leftover_keys: Mapping[str, str] = field(default_factory=dict)  # under Reading.leftover
    idle: InvocationReading | None = None  # the idle sweep's last reading of Invocations


def decide(spec: ModelEndpointSpec, bp: Blueprint, placement: Placement, reading: Reading, readings: Readings,
           previous: ModelEndpointStatus | None, generation: int, now: datetime, prices: PriceTable,
           warning_seconds: float) -> Decision:
    """`bp`: the blueprint as served (the MultiModel artifact folder S3 already holds);
    `placement`: where it was placed before it was read; `warning_seconds`: how long a
    transition may take before it is overdue (plan/overdue.py)."""
    observed = readings.observed
    suspension = suspension_state(spec.cost_controls, now)
    suspended = suspension is not None and suspension.suspended
    if suspended:
        decision = suspend(bp, observed, generation, previous, suspension, now)
    else:
        decision = reconcile(bp, observed, generation, previous, now=now, gates=readings.gates,
                             command=reading.command)
        decision = serving(decision, suspension, previous, generation, now)
    decision = hand_over(decision, placement, readings.retiring, generation)
    decision = collect_leftover_artifacts(decision, bp, reading.leftover, readings.leftover_keys,
                                          migrating=placement.retiring is not None)
    if not suspended:  # a suspended endpoint costs nothing (status.cost is 0)
        decision = with_cost(decision, running_cost(spec, bp, observed.endpoint, prices))
    decision = with_idle(decision, spec.cost_controls, readings.idle, previous, now, generation)
    return with_overdue(decision, observed.endpoint, previous, now, warning_seconds, generation)
