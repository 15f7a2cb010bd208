"""Capacity during a canary rollout: weights move traffic, not capacity.

UpdateEndpointWeightsAndCapacities sets the weights of variants or the capacity of
one; moving weight does not add instances. So before the canary takes w % of the
traffic it is given ceil(primary * w / 100) instances (at least the spec's minimum,
at most its maximum), in a call of its own; the primary keeps the count it had when
the rollout started until the promotion, so a rollback has its fleet waiting; and
while the endpoint serves the canary config both variants are registered with
Application Auto Scaling, with those counts as their minimums. Scheduled range
changes wait for the promotion: one lowering the primary's range would undo the
point of keeping it.

An asynchronous endpoint's two variants track one metric: ApproximateBacklogSizePerInstance
is published "with the EndpointName dimension" alone ("Number of items in the queue
divided by the number of instances behind an endpoint", developer guide, "Monitor
Asynchronous Endpoint"), so there is no per-variant backlog to track. Each variant's
target tracking on it asks for instances in proportion to the count it has (desired =
current x metric / target), so together they bring the endpoint's backlog per instance
to the target while the split follows the weights' minimums. Scale to zero waits for
the promotion: HasBacklogWithoutCapacity, whose alarm triggers the wake-from-zero
step policy ("Autoscale an asynchronous endpoint"), is also published with the
EndpointName dimension alone and says whether the endpoint, not a variant, has a
backlog and no instance; a variant at zero next to one with instances would never be
woken while it still has weight. Each variant keeps at least one instance during the
steps (the minimums above); the primary keeps its wake policy and alarm (they can fire
only with no instance behind the whole endpoint), the canary gets target tracking
alone.
"""

from __future__ import annotations

import math

from ..api.resources import ObservedEndpoint
from ..api.scaling import ScalingPolicy, TargetTrackingPolicy, variant_resource_id
from ..api.status import RolloutStatus
from .blueprint import Blueprint
from .gates import CANARY, PRIMARY
from .scaling import VariantScaling, owned_prefix
from .scaling_actions import SetVariantInstanceCount


def capacity_range(bp: Blueprint) -> tuple[int, int]:
    """The spec's instance range of the canary: (instances.min, instances.max); a fixed
    count when nothing autoscales."""
    low = bp.config.variants[0].initial_instance_count or 1
    high = bp.scaling[0].target.max_capacity if bp.scaling else low
    return low, max(low, high)


def canary_instances(bp: Blueprint, primary: int, weight: int) -> int:
    """Instances the canary needs to take `weight` % of what `primary` instances carry."""
    low, high = capacity_range(bp)
    return min(max(math.ceil(primary * weight / 100), low), high)


def primary_instances(r: RolloutStatus | None, ep: ObservedEndpoint | None) -> int | None:
    """The primary's count when the rollout started (a status written before it was
    recorded: the primary's current count)."""
    if r is not None and r.primary_instances is not None:
        return r.primary_instances
    return _count(ep, PRIMARY, current=True)


def capacity_before_shift(bp: Blueprint, ep: ObservedEndpoint, r: RolloutStatus, weight: int) -> SetVariantInstanceCount | None:
    """The call that gives the canary the instances `weight` needs, or None when it
    has them (or the counts are not known)."""
    primary = primary_instances(r, ep)
    live = _count(ep, CANARY)
    if primary is None or live is None:
        return None
    need = canary_instances(bp, primary, weight)
    return SetVariantInstanceCount(ep.name, CANARY, need) if live < need else None


def rollout_scaling(bp: Blueprint, r: RolloutStatus, ep: ObservedEndpoint) -> tuple[VariantScaling, ...]:
    """Both variants' scaling while the endpoint serves the canary config at `r`'s
    weight; none when the spec autoscales nothing."""
    if not bp.scaling:
        return ()
    base = bp.scaling[0]
    low, high = capacity_range(bp)
    primary = primary_instances(r, ep) or low
    canary = canary_instances(bp, primary, r.weight or 0)
    # At least one instance each, whatever the spec's minimum (0 for scale to zero).
    return (
        _retarget(bp.endpoint_name, base, PRIMARY, max(primary, low, 1), max(primary, high)),
        _retarget(bp.endpoint_name, base, CANARY, max(canary, 1), high),
    )


def _retarget(endpoint: str, base: VariantScaling, variant: str, low: int, high: int) -> VariantScaling:
    """`base`'s scaling on `variant` with the range [low, high]: its own variant keeps
    every policy and alarm; another gets the target tracking alone (no wake from zero:
    it never runs at zero during the steps)."""
    resource_id = variant_resource_id(endpoint, variant)
    prefix = owned_prefix(endpoint, base.variant)
    own = variant == base.variant

    def moved(policy: ScalingPolicy) -> ScalingPolicy:
        name = owned_prefix(endpoint, variant) + policy.name.removeprefix(prefix)
        return policy.model_copy(update={"name": name, "resource_id": resource_id})

    target = base.target.model_copy(update={"resource_id": resource_id, "min_capacity": low, "max_capacity": high})
    policies = tuple(moved(p) for p in base.policies if own or isinstance(p, TargetTrackingPolicy))
    return VariantScaling(variant=variant, target=target, policies=policies, alarms=base.alarms if own else ())


def _count(ep: ObservedEndpoint | None, variant: str, current: bool = False) -> int | None:
    for v in ep.variants if ep is not None else ():
        if v.name == variant:
            return v.current_instances if current else v.desired_instances
    return None
