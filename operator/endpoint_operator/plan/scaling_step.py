"""Desired scaling x observed scaling -> actions, in the order SageMaker requires.

- While the endpoint serves the desired config: register targets (or move their range
  in place), put policies, scheduled actions and alarms that differ, remove the ones
  no longer desired; a variant with no autoscaler gets the spec's fixed count.
- Before an UpdateEndpoint: deregister the target of every variant whose instance type
  changes or that goes away (SageMaker refuses the update otherwise); it is
  registered again once the endpoint is InService on the new config. Counts the
  autoscaler set are kept across the update when no target had to go.
- Nothing while SageMaker is working on the endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..api.resources import EndpointConfig, ObservedConfig, ObservedEndpoint
from ..api.scaling import ObservedScaling, variant_of
from ..api.status import VariantStatus
from .actions import Action, UpdateEndpoint
from .scaling import VariantScaling, alarm_name, owned_prefix
from .scaling_actions import (
    DeleteAlarms,
    DeleteScalingPolicy,
    DeleteScheduledAction,
    DeregisterScalableTarget,
    PutMetricAlarm,
    PutScalingPolicy,
    PutScheduledAction,
    RegisterScalableTarget,
    SetVariantInstanceCount,
)


@dataclass(frozen=True)
class ScalingPlan:
    endpoint_actions: tuple[Action, ...]  # the endpoint step's actions, with deregistrations before an update
    actions: tuple[Action, ...]  # scaling to converge, after the endpoint's


def plan_scaling(
    endpoint_name: str,
    desired: Sequence[VariantScaling],
    config: EndpointConfig,
    observed: ObservedScaling | None,
    ep: ObservedEndpoint | None,
    serving_config: ObservedConfig | None,
    endpoint_actions: tuple[Action, ...],
    serving: bool,
    tags: dict[str, str],
) -> ScalingPlan:
    """`observed` None: scaling was not observed, so nothing is planned for it."""
    if observed is None:
        return ScalingPlan(endpoint_actions, ())
    wrapped = tuple(
        step
        for action in endpoint_actions
        for step in (_around_update(action, config, observed, serving_config) if isinstance(action, UpdateEndpoint) else (action,))
    )
    actions: tuple[Action, ...] = ()
    if serving and ep is not None and not endpoint_actions:
        actions = (converge(endpoint_name, desired, observed, tags) + _fixed_counts(endpoint_name, desired, config, observed, ep)
                   + _into_range(endpoint_name, desired, observed, ep))
    return ScalingPlan(wrapped, actions)


def converge(endpoint_name: str, desired: Sequence[VariantScaling], observed: ObservedScaling, tags: dict[str, str]) -> tuple[Action, ...]:
    """Actions that make the observed scaling the desired one (the endpoint serves)."""
    wanted = {d.target.resource_id: d for d in desired}
    targets = {t.resource_id: t for t in observed.targets}
    actions: list[Action] = []
    for resource_id in sorted(set(targets) - set(wanted)):
        actions.append(DeregisterScalableTarget(resource_id, "autoscaling is no longer wanted for this variant"))
    for resource_id, scaling in wanted.items():
        if targets.get(resource_id) != scaling.target:
            actions.append(RegisterScalableTarget(scaling.target, tags))
        actions += _policies(endpoint_name, scaling, observed)
        actions += _schedules(endpoint_name, scaling, observed)
        actions += _alarms(scaling, observed, tags)
    keep = {pa.alarm.name for d in desired for pa in d.alarms}
    stale = tuple(sorted(a.name for a in observed.alarms if a.name not in keep))
    if stale:
        actions.append(DeleteAlarms(stale))
    return tuple(actions)


def removal(observed: ObservedScaling | None) -> tuple[Action, ...]:
    """Everything observed goes: a deregistration removes a target's policies and
    scheduled actions with it (and target tracking's own alarms with those)."""
    if observed is None:
        return ()
    actions: list[Action] = [DeregisterScalableTarget(t.resource_id, "the endpoint is being deleted")
                             for t in sorted(observed.targets, key=lambda t: t.resource_id)]
    if observed.alarms:
        actions.append(DeleteAlarms(tuple(sorted(a.name for a in observed.alarms))))
    return tuple(actions)


def scaling_status(variants: list[VariantStatus] | None, observed: ObservedScaling | None) -> list[VariantStatus] | None:
    """Variants' status with their target's range and policy names."""
    if not variants or observed is None:
        return variants
    targets = {variant_of(t.resource_id): t for t in observed.targets}
    policies: dict[str, list[str]] = {}
    for p in observed.policies:
        policies.setdefault(variant_of(p.resource_id), []).append(p.name)
    out = []
    for v in variants:
        target = targets.get(v.name)
        if target is None:
            out.append(v)
            continue
        out.append(v.model_copy(update={
            "min_instances": target.min_capacity,
            "max_instances": target.max_capacity,
            "policies": sorted(policies.get(v.name, [])) or None,
        }))
    return out


# ---- around an update -----------------------------------------------------------------------

def _around_update(update: UpdateEndpoint, config: EndpointConfig, observed: ObservedScaling,
                   serving: ObservedConfig | None) -> tuple[Action, ...]:
    new_types = {v.name: v.instance_type for v in config.variants}
    old_types = {v.name: v.instance_type for v in serving.variants} if serving is not None and serving.variants else None
    deregister: list[Action] = []
    refleet = False  # a variant that stays gets a new instance type: its count starts over
    for target in sorted(observed.targets, key=lambda t: t.resource_id):
        variant = variant_of(target.resource_id)
        if variant not in new_types:
            why = f"variant {variant} is not in config {config.name}"
        elif old_types is None:
            why, refleet = "the serving config's instance types are unknown", True
        elif old_types.get(variant) != new_types[variant]:
            why, refleet = f"instance type {old_types.get(variant)} -> {new_types[variant]}", True
        else:
            continue
        deregister.append(DeregisterScalableTarget(target.resource_id, why))
    # Variants that stay on their instance type keep the counts the autoscaler set (a
    # variant that goes, such as a promoted canary, does not change that); a config
    # whose staying variants change type starts at its own counts (the spec's minimum).
    retain = bool(observed.targets) and not refleet
    return (*deregister, UpdateEndpoint(update.name, update.config_name, retain_instance_counts=retain,
                                        deployment=update.deployment))


# ---- while serving ----------------------------------------------------------------------------

def _policies(endpoint_name: str, scaling: VariantScaling, observed: ObservedScaling) -> list[Action]:
    resource_id = scaling.target.resource_id
    have = {p.name: p for p in observed.policies if p.resource_id == resource_id}
    actions: list[Action] = [PutScalingPolicy(p) for p in scaling.policies if have.get(p.name) is None or have[p.name].policy != p]
    wanted = {p.name for p in scaling.policies}
    prefix = owned_prefix(endpoint_name, scaling.variant)
    actions += [DeleteScalingPolicy(resource_id, name) for name in sorted(have) if name not in wanted and name.startswith(prefix)]
    return actions


def _schedules(endpoint_name: str, scaling: VariantScaling, observed: ObservedScaling) -> list[Action]:
    resource_id = scaling.target.resource_id
    have = {s.name: s for s in observed.schedules if s.resource_id == resource_id}
    actions: list[Action] = [PutScheduledAction(s) for s in scaling.schedules if have.get(s.name) != s]
    wanted = {s.name for s in scaling.schedules}
    prefix = owned_prefix(endpoint_name, scaling.variant)
    actions += [DeleteScheduledAction(resource_id, name) for name in sorted(have) if name not in wanted and name.startswith(prefix)]
    return actions


def _alarms(scaling: VariantScaling, observed: ObservedScaling, tags: dict[str, str]) -> list[Action]:
    """An alarm's action is its policy's ARN: put once the policy is observed (a
    policy put in this pass is seen by the next)."""
    arns = {p.name: p.arn for p in observed.policies if p.resource_id == scaling.target.resource_id}
    have = {a.name: a for a in observed.alarms}
    actions: list[Action] = []
    for wanted in scaling.alarms:
        arn = arns.get(wanted.policy)
        if arn is None:
            continue
        alarm = wanted.alarm.model_copy(update={"actions": (arn,)})
        if have.get(alarm.name) != alarm:
            actions.append(PutMetricAlarm(alarm, tags))
    return actions


def _fixed_counts(endpoint_name: str, desired: Sequence[VariantScaling], config: EndpointConfig,
                  observed: ObservedScaling, ep: ObservedEndpoint) -> tuple[Action, ...]:
    """A variant nobody autoscales runs the config's count; the config's name leaves the
    count out, so a changed count is set here, without a new fleet."""
    scaled = {d.variant for d in desired} | {variant_of(t.resource_id) for t in observed.targets}
    running = {v.name: v for v in ep.variants}
    actions: list[Action] = []
    for variant in config.variants:
        live = running.get(variant.name)
        count = variant.initial_instance_count
        if variant.name in scaled or live is None or count is None or live.desired_instances is None:
            continue
        if live.desired_instances != count:
            actions.append(SetVariantInstanceCount(endpoint_name, variant.name, count))
    return tuple(actions)


def _into_range(endpoint_name: str, desired: Sequence[VariantScaling], observed: ObservedScaling,
                ep: ObservedEndpoint) -> tuple[Action, ...]:
    """A registered target moves the count into its range when it is registered; one
    that stayed outside (the endpoint was busy then) is moved here, inside the range,
    so the autoscaler has nothing to undo."""
    registered = set(observed.targets)
    running = {v.name: v for v in ep.variants}
    actions: list[Action] = []
    for scaling in desired:
        live = running.get(scaling.variant)
        if scaling.target not in registered or live is None or live.desired_instances is None:
            continue
        low, high = scaling.target.min_capacity, scaling.target.max_capacity
        if not low <= live.desired_instances <= high:
            actions.append(SetVariantInstanceCount(endpoint_name, scaling.variant, min(max(live.desired_instances, low), high)))
    return tuple(actions[:1])  # one capacity change at a time: each is an endpoint update


def out_of_range(desired: Sequence[VariantScaling], config: EndpointConfig, ep: ObservedEndpoint | None) -> str | None:
    """What says a variant of the desired config runs a count outside its range (the
    spec's min/max, or its fixed count): a lowered instances.max, say, until
    Application Auto Scaling (or the fixed count's update) has moved it in."""
    if ep is None or ep.config_name != config.name or ep.status not in ("InService", "Updating"):
        return None  # a fleet being created or deleted has no count to judge yet
    ranges = {d.variant: (d.target.min_capacity, d.target.max_capacity) for d in desired}
    for variant in config.variants:
        if variant.name not in ranges and variant.initial_instance_count is not None:
            ranges[variant.name] = (variant.initial_instance_count, variant.initial_instance_count)
    moving = []
    for live in ep.variants:
        bounds = ranges.get(live.name)
        count = live.current_instances
        if bounds is None or count is None or bounds[0] <= count <= bounds[1]:
            continue
        low, high = bounds
        wanted = f"{low}-{high}" if low != high else f"{low}"
        moving.append(f"variant {live.name} runs {count} instances, outside spec.instances ({wanted}); "
                      f"scaling it to {min(max(count, low), high)}")
    return f"Endpoint {ep.name}: " + "; ".join(moving) if moving else None


def known_alarm_names(endpoint_name: str, variants: Sequence[str]) -> set[str]:
    """The alarm names the operator may have given these variants."""
    return {alarm_name(endpoint_name, v) for v in variants}
