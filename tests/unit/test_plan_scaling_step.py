"""Scaling through reconcile and finalize: what is planned, and in which order."""

from __future__ import annotations

from dataclasses import replace

from test_plan_kit import OWNER, bp_of, built, conditions_by_type, endpoint, realtime_spec, status_of

from endpoint_operator.api.resources import ObservedConfig, ObservedVariant
from endpoint_operator.api.scaling import ObservedPolicy, ObservedScaling, ScalableTarget
from endpoint_operator.api.spec import DeletionPolicy, ModelEndpointSpec
from endpoint_operator.plan import actions as a
from endpoint_operator.plan import scaling_actions as s
from endpoint_operator.plan.finalize import finalize
from endpoint_operator.plan.reconcile import reconcile

SPEC = realtime_spec(instances={"min": 1, "max": 4})


def scaled_world(bp, ep=None, scaling: ObservedScaling | None = None, serving=None):
    """Everything of `bp` exists; `serving` (a blueprint) is the config the endpoint
    runs, described with its variants as the gateway does."""
    world = built(*([bp, serving] if serving else [bp]), ep=ep)
    configs = dict(world.configs)
    for b in (bp, serving) if serving else (bp,):
        configs[b.config.name] = ObservedConfig(name=b.config.name, variant_models=tuple(v.model_name for v in b.config.variants),
                                                variants=b.config.variants)
    return replace(world, configs=configs, scaling=scaling)


def converged(bp) -> ObservedScaling:
    """Scaling exactly as `bp` wants it (no alarms)."""
    [want] = bp.scaling
    return ObservedScaling(
        targets=(want.target,),
        policies=tuple(ObservedPolicy(name=p.name, resource_id=p.resource_id, arn=f"arn:policy/{p.name}", policy=p) for p in want.policies),
        schedules=want.schedules,
    )


def kinds(decision) -> list[str]:
    return [type(x).__name__ for x in decision.actions]


def test_a_serving_endpoint_without_scaling_gets_target_then_policy():
    bp = bp_of(SPEC)
    decision = reconcile(bp, scaled_world(bp, endpoint(bp), ObservedScaling()), 1, status_of(bp))
    assert kinds(decision) == ["RegisterScalableTarget", "PutScalingPolicy"]
    register, put = decision.actions
    assert (register.target.min_capacity, register.target.max_capacity) == (1, 4)
    assert register.tags == bp.tags
    assert put.policy.predefined_metric == "SageMakerVariantConcurrentRequestsPerModelHighResolution"
    assert conditions_by_type(decision)["Ready"] == ("True", "EndpointInService")
    assert conditions_by_type(decision)["Progressing"] == ("True", "ConfiguringAutoscaling")


def test_converged_scaling_plans_nothing_and_shows_in_status():
    bp = bp_of(SPEC)
    ep = endpoint(bp, variants=(ObservedVariant(name="primary", weight=1.0, current_instances=3, desired_instances=3),))
    decision = reconcile(bp, scaled_world(bp, ep, converged(bp)), 1, status_of(bp))
    assert decision.actions == ()
    assert conditions_by_type(decision)["Progressing"] == ("False", "Reconciled")
    [variant] = decision.status.variants
    assert (variant.min_instances, variant.max_instances, variant.current_instances, variant.desired_instances) == (1, 4, 3, 3)
    assert variant.policies == [f"{bp.endpoint_name}-primary-target-tracking"]
    assert decision.status.instances == "3/3"


def test_a_range_change_moves_the_target_in_place_and_keeps_the_config():
    before, after = bp_of(SPEC), bp_of(realtime_spec(instances={"min": 2, "max": 8}))
    assert after.config.name == before.config.name  # the count is not the config's identity
    decision = reconcile(after, scaled_world(after, endpoint(after), converged(before)), 2, status_of(before))
    assert kinds(decision) == ["RegisterScalableTarget"]
    assert (decision.actions[0].target.min_capacity, decision.actions[0].target.max_capacity) == (2, 8)


def test_an_instance_type_change_deregisters_before_the_update_and_counts_start_from_the_spec():
    old = bp_of(SPEC)
    new = bp_of(realtime_spec(instances={"type": "ml.c5.xlarge", "min": 1, "max": 4}))
    ep = endpoint(new, config=old.config.name)
    decision = reconcile(new, scaled_world(new, ep, converged(old), serving=old), 2, status_of(old))
    assert kinds(decision) == ["DeregisterScalableTarget", "UpdateEndpoint"]
    assert decision.actions[0].resource_id == f"endpoint/{new.endpoint_name}/variant/primary"
    assert decision.actions[1].retain_instance_counts is False


def test_an_unrelated_change_keeps_the_autoscalers_counts_and_the_target():
    old = bp_of(SPEC)
    new = bp_of(realtime_spec(data="s3://models/recsys/v8/model.tar.gz", instances={"min": 1, "max": 4}))
    ep = endpoint(new, config=old.config.name)
    decision = reconcile(new, scaled_world(new, ep, converged(old), serving=old), 2, status_of(old))
    updates = [x for x in decision.actions if isinstance(x, a.UpdateEndpoint)]
    assert [u.retain_instance_counts for u in updates] == [True]
    assert not any(isinstance(x, s.DeregisterScalableTarget) for x in decision.actions)


def test_after_the_update_lands_the_target_is_registered_again():
    new = bp_of(realtime_spec(instances={"type": "ml.c5.xlarge", "min": 1, "max": 4}))
    decision = reconcile(new, scaled_world(new, endpoint(new), ObservedScaling()), 2, status_of(new))
    assert kinds(decision)[:2] == ["RegisterScalableTarget", "PutScalingPolicy"]


def test_nothing_is_planned_for_scaling_while_sagemaker_works():
    bp = bp_of(SPEC)
    decision = reconcile(bp, scaled_world(bp, endpoint(bp, status="Updating"), ObservedScaling()), 1, status_of(bp, "Updating"))
    assert decision.actions == ()


def test_scaling_that_was_not_observed_plans_nothing():
    bp = bp_of(SPEC)
    assert reconcile(bp, scaled_world(bp, endpoint(bp), None), 1, status_of(bp)).actions == ()


def test_disabling_autoscaling_deregisters_and_the_fixed_count_is_set_without_a_new_fleet():
    before = bp_of(SPEC)
    after = bp_of(realtime_spec(instances={"min": 2, "max": 4}, autoscaling={"enabled": False}))
    ep = endpoint(after, variants=(ObservedVariant(name="primary", weight=1.0, current_instances=3, desired_instances=3),))
    decision = reconcile(after, scaled_world(after, ep, converged(before)), 2, status_of(before))
    assert kinds(decision) == ["DeregisterScalableTarget"]
    # Once no target remains, the count follows the spec.
    decision = reconcile(after, scaled_world(after, ep, ObservedScaling()), 2, status_of(after))
    assert decision.actions == (s.SetVariantInstanceCount(after.endpoint_name, "primary", 2),)


def test_a_stale_policy_of_ours_goes_and_a_foreign_one_stays():
    bp = bp_of(SPEC)
    observed = converged(bp)
    rid = observed.targets[0].resource_id
    extra = (ObservedPolicy(name=f"{bp.endpoint_name}-primary-old", resource_id=rid, arn="arn:old"),
             ObservedPolicy(name="someone-elses", resource_id=rid, arn="arn:other"))
    observed = observed.model_copy(update={"policies": observed.policies + extra})
    decision = reconcile(bp, scaled_world(bp, endpoint(bp), observed), 1, status_of(bp))
    assert decision.actions == (s.DeleteScalingPolicy(rid, f"{bp.endpoint_name}-primary-old"),)


def async_spec() -> ModelEndpointSpec:
    return ModelEndpointSpec.model_validate({
        "region": "us-east-1", "executionRoleArn": "arn:aws:iam::111122223333:role/x", "mode": "Async",
        "image": "img:1", "models": [{"name": "jobs", "modelDataUrl": "s3://models/jobs/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 0, "max": 3},
        "async": {"outputPath": "s3://out/results/", "scaleToZero": True},
    })


def test_the_wake_alarm_is_put_once_its_policy_exists_and_points_at_its_arn():
    bp = bp_of(async_spec())
    [want] = bp.scaling
    wake = want.policies[1]
    only_target = ObservedScaling(targets=(want.target,), policies=(
        ObservedPolicy(name=want.policies[0].name, resource_id=wake.resource_id, arn="arn:tracking", policy=want.policies[0]),))
    decision = reconcile(bp, scaled_world(bp, endpoint(bp), only_target), 1, status_of(bp))
    assert kinds(decision) == ["PutScalingPolicy"]  # the step policy; its alarm waits for its ARN
    with_wake = only_target.model_copy(update={"policies": only_target.policies + (
        ObservedPolicy(name=wake.name, resource_id=wake.resource_id, arn="arn:wake", policy=wake),)})
    decision = reconcile(bp, scaled_world(bp, endpoint(bp), with_wake), 1, status_of(bp))
    [put] = decision.actions
    assert isinstance(put, s.PutMetricAlarm) and put.alarm.actions == ("arn:wake",)
    assert put.alarm.metric_name == "HasBacklogWithoutCapacity"


def test_deletion_removes_scaling_before_the_endpoint():
    bp = bp_of(SPEC)
    observed = converged(bp)
    world = scaled_world(bp, endpoint(bp), observed)
    decision = finalize(bp.endpoint_name, world, DeletionPolicy.DELETE, None, 3, owner=OWNER)
    assert kinds(decision) == ["DeregisterScalableTarget", "DeleteEndpoint"]


def test_deletion_removes_alarms_left_after_the_endpoint_went():
    bp = bp_of(async_spec())
    [want] = bp.scaling
    left = ObservedScaling(alarms=(want.alarms[0].alarm,))
    world = replace(scaled_world(bp, None, left), models=frozenset(), configs={})
    decision = finalize(bp.endpoint_name, world, DeletionPolicy.DELETE, None, 3, owner=OWNER)
    assert decision.actions == (s.DeleteAlarms((want.alarms[0].alarm.name,)),)


def test_retain_keeps_scaling_too():
    bp = bp_of(SPEC)
    world = scaled_world(bp, endpoint(bp), converged(bp))
    assert finalize(bp.endpoint_name, world, DeletionPolicy.RETAIN, None, 3, owner=OWNER).actions == ()


def test_a_target_of_a_removed_variant_goes_before_the_update():
    old = bp_of(SPEC)
    new = bp_of(realtime_spec(instances={"min": 1, "max": 4}))
    ghost = ScalableTarget(resource_id=f"endpoint/{new.endpoint_name}/variant/canary", min_capacity=1, max_capacity=2)
    observed = converged(old).model_copy(update={"targets": converged(old).targets + (ghost,)})
    stale = bp_of(realtime_spec(data="s3://models/recsys/v0/model.tar.gz", instances={"min": 1, "max": 4}))
    ep = endpoint(new, config=stale.config.name)
    decision = reconcile(new, scaled_world(new, ep, observed, serving=stale), 2, status_of(stale))
    assert kinds(decision)[-2:] == ["DeregisterScalableTarget", "UpdateEndpoint"]
    assert decision.actions[-2].resource_id == ghost.resource_id
    # The variant that stays keeps its instance type, so it keeps the autoscaler's count
    # (a promoted canary's target goes the same way, and the primary must not start over).
    assert decision.actions[-1].retain_instance_counts is True


def test_a_lowered_max_moves_the_target_and_says_so_until_the_count_is_in_range():
    """instances.max 4 -> 2 with 4 instances running: the target's range moves (AWS then
    scales the variant into it, as an endpoint update), and Progressing says why the
    count is changing until it is inside the range."""
    old, bp = bp_of(SPEC), bp_of(realtime_spec(instances={"min": 1, "max": 2}))
    four = (ObservedVariant(name="primary", weight=1.0, current_instances=4, desired_instances=4),)
    decision = reconcile(bp, scaled_world(bp, endpoint(bp, variants=four), converged(old)), 2, status_of(bp))
    assert [(x.target.min_capacity, x.target.max_capacity) for x in decision.actions
            if isinstance(x, s.RegisterScalableTarget)] == [(1, 2)]
    progressing = next(c for c in decision.conditions if c.type == "Progressing")
    assert (progressing.status, progressing.reason) == ("True", "ScalingIntoRange")
    assert "runs 4 instances" in progressing.message and "scaling it to 2" in progressing.message

    updating = endpoint(bp, status="Updating", variants=(four[0].model_copy(update={"desired_instances": 2}),))
    during = reconcile(bp, scaled_world(bp, updating, converged(bp)), 2, status_of(bp))
    assert conditions_by_type(during)["Progressing"] == ("True", "ScalingIntoRange")

    two = (ObservedVariant(name="primary", weight=1.0, current_instances=2, desired_instances=2),)
    after = reconcile(bp, scaled_world(bp, endpoint(bp, variants=two), converged(bp)), 2, status_of(bp))
    assert after.actions == ()
    assert conditions_by_type(after)["Progressing"][1] != "ScalingIntoRange"
    assert conditions_by_type(after)["Ready"][0] == "True"


def test_a_count_left_outside_a_registered_range_is_moved_into_it():
    """The range was registered while the endpoint was busy, so nothing moved the count."""
    bp = bp_of(realtime_spec(instances={"min": 1, "max": 2}))
    four = (ObservedVariant(name="primary", weight=1.0, current_instances=4, desired_instances=4),)
    decision = reconcile(bp, scaled_world(bp, endpoint(bp, variants=four), converged(bp)), 2, status_of(bp))
    assert decision.actions == (s.SetVariantInstanceCount(bp.endpoint_name, "primary", 2),)
