"""Weights move traffic, not capacity: the canary gets the instances its next weight
needs in a call before the weight moves, the primary keeps the count it had when the
rollout started until the promotion, and both variants are autoscaled meanwhile."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from test_plan_kit import bp_of, realtime_spec

from endpoint_operator.api.resources import ObservedConfig, ObservedEndpoint, ObservedVariant
from endpoint_operator.api.scaling import ObservedPolicy, ObservedScaling, ScalableTarget
from endpoint_operator.api.status import EndpointStatus, ModelEndpointStatus, RolloutStatus
from endpoint_operator.plan import actions as a
from endpoint_operator.plan import rollout as ro
from endpoint_operator.plan import scaling_actions as s
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.reconcile import reconcile

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
STEPS = [{"weight": 15, "pause": "1h"}, {"weight": 50, "pause": "1h"}, {"weight": 100}]
V8 = "s3://models/recsys/v8/model.tar.gz"


def pair(low: int = 1, high: int = 8, steps=STEPS):
    old = bp_of(realtime_spec(instances={"min": low, "max": high}, rollout={"steps": steps}))
    new = bp_of(realtime_spec(data=V8, instances={"min": low, "max": high}, rollout={"steps": steps}))
    return old, new


OLD, NEW = pair()
PRIMARY_AT = 4  # the autoscaler had the primary at 4 when the model changed
K = ro.canary_config(NEW, OLD.config.variants[0], PRIMARY_AT, 15, 1)


def endpoint(config, canary: int | None = None, canary_instances: int = 1, primary_instances: int = PRIMARY_AT,
             status: str = "InService") -> ObservedEndpoint:
    variants = [ObservedVariant(name="primary", weight=float(100 - (canary or 0)),
                                current_instances=primary_instances, desired_instances=primary_instances)]
    if canary is not None:
        variants.append(ObservedVariant(name="canary", weight=float(canary), current_instances=canary_instances,
                                        desired_instances=canary_instances))
    return ObservedEndpoint(name=OLD.endpoint_name, arn="arn:aws:sagemaker:us-east-1:1:endpoint/x", status=status,
                            config_name=config.name, variants=tuple(variants))


def world(ep, scaling: ObservedScaling | None = None, configs=(OLD.config, NEW.config, K)) -> Observed:
    described = {c.name: ObservedConfig(name=c.name, variant_models=tuple(v.model_name for v in c.variants), variants=c.variants)
                 for c in configs}
    return Observed(endpoint=ep, models=frozenset(v.model_name for c in configs for v in c.variants),
                    configs=described, scaling=scaling)


def at(phase, step, weight, canary=K, primary=PRIMARY_AT) -> ModelEndpointStatus:
    rollout = RolloutStatus(phase=phase, step=step, weight=weight, steps=len(STEPS), step_started_at=T0,
                            from_revision=OLD.config.name, to_revision=NEW.config.name, canary_config=canary.name,
                            primary_instances=primary)
    return ModelEndpointStatus(observed_generation=2, revision=NEW.revision, rollout=rollout,
                               endpoint=EndpointStatus(name=OLD.endpoint_name, status="InService", config_name=canary.name))


def calls(plan) -> list[str]:
    out = []
    for action in plan.step.actions:
        match action:
            case a.ShiftTraffic(weights=w):
                out.append(f"weight canary {dict(w)['canary']:g}")
            case s.SetVariantInstanceCount(variant=v, count=n):
                out.append(f"instances {v} {n}")
            case a.CreateEndpointConfig() | a.UpdateEndpoint():
                out.append(type(action).__name__)
    return out


def test_the_canary_config_starts_the_canary_with_what_its_first_weight_needs():
    _, new = pair()
    plan = ro.plan_rollout(new, world(endpoint(OLD.config), configs=(OLD.config, NEW.config)), None, now=T0)
    [create, update] = plan.step.actions
    variants = {v.name: v.initial_instance_count for v in create.config.variants}
    assert variants == {"primary": 4, "canary": 1}  # ceil(4 x 15 %)
    assert plan.status.primary_instances == 4

    halves = pair(steps=[{"weight": 50}, {"weight": 100}])[1]
    plan = ro.plan_rollout(halves, world(endpoint(OLD.config), configs=(OLD.config, halves.config)), None, now=T0)
    assert {v.name: v.initial_instance_count for v in plan.step.actions[0].config.variants} == {"primary": 4, "canary": 2}


# (id, observed canary weight and instances, previous step, now) -> (calls, step, weight)
STEP_CALLS = [
    ("capacity-before-50", 15, 1, at(ro.PROGRESSING, 0, 15), T0 + timedelta(hours=1), ["instances canary 2"], 1, 50),
    ("then-the-weight", 15, 2, at(ro.PROGRESSING, 1, 50), T0 + timedelta(minutes=1), ["weight canary 50"], 1, 50),
    ("capacity-before-100", 50, 2, at(ro.PROGRESSING, 1, 50), T0 + timedelta(hours=1), ["instances canary 4"], 2, 100),
    ("then-100", 50, 4, at(ro.PROGRESSING, 2, 100), T0 + timedelta(minutes=1), ["weight canary 100"], 2, 100),
    ("enough-already-shifts-at-once", 15, 3, at(ro.PROGRESSING, 0, 15), T0 + timedelta(hours=1), ["weight canary 50"], 1, 50),
    ("rollback-needs-no-capacity", 100, 4, at(ro.ROLLING_BACK, 2, 100), T0, ["weight canary 0"], 2, 100),
]


@pytest.mark.parametrize("id, weight, instances, previous, now, expected, step, at_weight", STEP_CALLS,
                         ids=[row[0] for row in STEP_CALLS])
def test_the_canary_gets_its_instances_in_a_call_before_its_weight(id, weight, instances, previous, now, expected, step, at_weight):
    plan = ro.plan_rollout(NEW, world(endpoint(K, canary=weight, canary_instances=instances)), previous, now=now)
    assert calls(plan) == expected
    # Written ahead: the status that goes out before the call names the step it enacts.
    assert (plan.status.step, plan.status.weight) == (step, at_weight)
    assert plan.status.primary_instances == PRIMARY_AT


def test_the_canary_never_exceeds_instances_max():
    old, new = pair(high=5)
    config = ro.canary_config(new, old.config.variants[0], 10, 15, 2)
    status = at(ro.PROGRESSING, 1, 50, canary=config, primary=10)
    observed = world(endpoint(config, canary=50, canary_instances=5, primary_instances=10),
                     configs=(old.config, new.config, config))
    plan = ro.plan_rollout(new, observed, status.model_copy(update={"rollout": status.rollout.model_copy(
        update={"from_revision": old.config.name, "to_revision": new.config.name})}), now=T0 + timedelta(hours=1))
    assert calls(plan) == ["weight canary 100"]  # ceil(10 x 100 %) capped at 5, which it has


def test_during_a_rollout_both_variants_are_autoscaled_and_the_primary_keeps_its_count():
    """Before the rollout only the blueprint's variant had a target, 1-8: Application
    Auto Scaling would scale the primary in as its traffic leaves."""
    before = ObservedScaling(targets=(ScalableTarget(resource_id=f"endpoint/{OLD.endpoint_name}/variant/primary",
                                                     min_capacity=1, max_capacity=8),))
    decision = reconcile(NEW, world(endpoint(K, canary=50, canary_instances=2), before), 3,
                         at(ro.PROGRESSING, 1, 50), now=T0 + timedelta(minutes=1))
    registered = {x.target.resource_id.rsplit("/", 1)[-1]: (x.target.min_capacity, x.target.max_capacity)
                  for x in decision.actions if isinstance(x, s.RegisterScalableTarget)}
    assert registered == {"primary": (4, 8), "canary": (2, 8)}
    policies = {x.policy.resource_id.rsplit("/", 1)[-1]: x.policy.name for x in decision.actions if isinstance(x, s.PutScalingPolicy)}
    assert policies == {"primary": f"{NEW.endpoint_name}-primary-target-tracking",
                        "canary": f"{NEW.endpoint_name}-canary-target-tracking"}
    assert not any(isinstance(x, (a.ShiftTraffic, a.UpdateEndpoint)) for x in decision.actions)


def test_promotion_drops_the_canary_target_before_the_update_and_keeps_the_primary_count():
    during = NEW.scaling[0]
    targets = tuple(ScalableTarget(resource_id=f"endpoint/{NEW.endpoint_name}/variant/{v}", min_capacity=low, max_capacity=8)
                    for v, low in (("primary", 4), ("canary", 4)))
    observed = world(endpoint(K, canary=100, canary_instances=4), ObservedScaling(targets=targets))
    decision = reconcile(NEW, observed, 3, at(ro.PROGRESSING, 2, 100), now=T0 + timedelta(minutes=1), command="promote")
    kinds = [(type(x).__name__, getattr(x, "resource_id", "")) for x in decision.actions]
    assert kinds[0] == ("DeregisterScalableTarget", f"endpoint/{NEW.endpoint_name}/variant/canary")
    [update] = [x for x in decision.actions if isinstance(x, a.UpdateEndpoint)]
    assert update.config_name == NEW.config.name and update.retain_instance_counts
    assert during.target.min_capacity == 1  # the spec's range returns once the new model serves alone
