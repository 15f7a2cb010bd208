"""Canary rollouts of an asynchronous endpoint: the same steps as RealTime's, on two
variants of one config that keeps the endpoint's AsyncInferenceConfig, gated on the
metrics an asynchronous endpoint publishes per variant, and scaled on its backlog."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_plan_kit import bp_of, realtime_spec
from test_plan_rollout import walk

from endpoint_operator.api.resources import ObservedConfig, ObservedEndpoint, ObservedVariant
from endpoint_operator.api.scaling import ObservedScaling, StepScalingPolicy, TargetTrackingPolicy
from endpoint_operator.api.status import EndpointStatus, ModelEndpointStatus, RolloutStatus
from endpoint_operator.plan import rollout as ro
from endpoint_operator.plan import scaling_actions as s
from endpoint_operator.plan.gates import GateReadings
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.reconcile import reconcile
from endpoint_operator.plan.rollout_capacity import rollout_scaling

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
STEPS = [{"weight": 15, "pause": "1h"}, {"weight": 50, "pause": "1h"}, {"weight": 100}]
V7, V8 = "s3://models/recsys/v7/model.tar.gz", "s3://models/recsys/v8/model.tar.gz"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# A Sum compared per request: each variant's failures over its InvocationsProcesssed.
FAILURES = {"name": "InvocationFailures", "statistic": "Sum", "maxRatioToPrimary": 2}


def async_bp(data: str = V7, zero: bool = False, analysis: dict | None = None, **extra):
    settings = {"outputPath": "s3://results/out/", "failurePath": "s3://results/failed/",
                "maxConcurrentInvocationsPerInstance": 4, **({"scaleToZero": True} if zero else {})}
    rollout = {"steps": STEPS, **({"analysis": analysis} if analysis else {})}
    return bp_of(realtime_spec(data=data, mode="Async", instances={"min": 0 if zero else 1, "max": 4},
                               rollout=rollout, **{"async": settings}, **extra))


def test_the_canary_config_keeps_the_async_config_volume_key_and_data_capture():
    capture = {"destination": "s3://captures/recsys/", "samplingPercentage": 20}
    old, new = (async_bp(d, encryption={"volumeKmsKeyId": KEY}, dataCapture=capture) for d in (V7, V8))
    ep = ObservedEndpoint(name=old.endpoint_name, status="InService", config_name=old.config.name,
                          variants=(ObservedVariant(name="primary", weight=1.0, current_instances=2),))
    observed = Observed(endpoint=ep, models=frozenset({old.models[0].name}),
                        configs={old.config.name: ObservedConfig(name=old.config.name, variants=old.config.variants,
                                                                 variant_models=(old.models[0].name,))})
    plan = ro.plan_rollout(new, observed, None, now=T0)
    [create, update] = plan.step.actions
    canary = create.config
    assert update.config_name == canary.name
    assert [(v.name, v.model_name, v.weight) for v in canary.variants] == [
        ("primary", old.models[0].name, 85.0), ("canary", new.models[0].name, 15.0)]
    assert canary.async_config == new.config.async_config and canary.async_config.output_path == "s3://results/out/"
    assert canary.async_config.max_concurrent_invocations_per_instance == 4
    assert canary.kms_key_id == KEY and canary.data_capture == new.config.data_capture
    # The promotion's target is the blueprint's own config: nothing to correct once it serves.
    assert plan.status.to_revision == new.config.name


def test_an_async_model_change_walks_15_50_100_and_ends_on_its_own_config():
    old, new = async_bp(V7), async_bp(V8)
    world_, status = walk(new, lambda now: GateReadings(alarms={}, metrics={}), old=old)
    assert world_.shifts == [50.0, 100.0] and world_.progress == ["1/3", "2/3", "3/3"]
    assert status.rollout.phase == ro.SUCCEEDED
    assert world_.config == new.config.name and world_.configs[new.config.name].async_config is not None


def test_a_failing_gate_rolls_an_async_canary_back_to_the_config_it_served():
    old, new = async_bp(V7), async_bp(V8, analysis={"metrics": [FAILURES], "interval": "30s"})
    reads: list[tuple[str, str]] = []

    def cloudwatch(query, observed):
        # The canary fails one request in five, the primary one in a hundred, from the second step on.
        reads.extend((m.metric, m.variant) for m in query.metrics)
        late = query.since >= T0 + timedelta(minutes=55)
        values = {"m0_canary": 20.0 if late else 1.0, "m0_primary": 1.0,
                  "m0_canary_requests": 100.0, "m0_primary_requests": 100.0}
        return GateReadings(alarms={}, metrics=values)

    world_, status = walk(new, None, cloudwatch=cloudwatch, old=old)
    assert world_.shifts == [50.0, 0.0]
    assert world_.config == old.config.name
    assert status.rollout.phase == ro.ROLLED_BACK
    assert "InvocationFailures per request of the canary" in status.rollout.message and "step 2 of 3" in status.rollout.message
    # An asynchronous endpoint publishes no Invocations: the requests are its InvocationsProcesssed.
    assert ("InvocationsProcesssed", "canary") in reads and ("InvocationsProcesssed", "primary") in reads
    assert not any(metric == "Invocations" for metric, _ in reads)


def at_step(old, new, canary_config, weight: int, primary: int) -> ModelEndpointStatus:
    rollout = RolloutStatus(phase=ro.PROGRESSING, step=1, weight=weight, steps=len(STEPS), step_started_at=T0,
                            from_revision=old.config.name, to_revision=new.config.name,
                            canary_config=canary_config.name, primary_instances=primary)
    return ModelEndpointStatus(observed_generation=2, revision=new.revision, rollout=rollout,
                               endpoint=EndpointStatus(name=new.endpoint_name, status="InService",
                                                       config_name=canary_config.name))


def on_canary(canary_config, weight: int, primary: int, canary: int) -> ObservedEndpoint:
    return ObservedEndpoint(name=async_bp().endpoint_name, status="InService", config_name=canary_config.name,
                            variants=(ObservedVariant(name="primary", weight=float(100 - weight), current_instances=primary,
                                                      desired_instances=primary),
                                      ObservedVariant(name="canary", weight=float(weight), current_instances=canary,
                                                      desired_instances=canary)))


@pytest.mark.parametrize("primary", [0, 3])
def test_scale_to_zero_waits_for_the_promotion_and_both_variants_track_the_endpoints_backlog(primary):
    """The backlog metrics carry EndpointName alone: both variants track the same backlog
    per instance, neither may reach zero while it has weight, and only the primary keeps
    the wake-from-zero step policy and its alarm."""
    old, new = async_bp(V7, zero=True), async_bp(V8, zero=True)
    [base] = new.scaling
    assert base.target.min_capacity == 0 and len(base.alarms) == 1  # the spec's scaling: to zero, woken by the alarm
    config = ro.canary_config(new, old.config.variants[0], primary or 1, 50, 1)
    status = at_step(old, new, config, 50, primary)
    during = {v.variant: v for v in rollout_scaling(new, status.rollout, on_canary(config, 50, primary, 1))}
    assert set(during) == {"primary", "canary"}
    assert during["primary"].target.min_capacity >= 1 and during["canary"].target.min_capacity >= 1
    for variant in during.values():
        [tracking] = [p for p in variant.policies if isinstance(p, TargetTrackingPolicy)]
        metric = tracking.customized_metric
        assert (metric.metric_name, metric.dimensions) == ("ApproximateBacklogSizePerInstance",
                                                          {"EndpointName": new.endpoint_name})
        assert tracking.resource_id.endswith(f"/variant/{variant.variant}")
    assert [type(p) for p in during["canary"].policies] == [TargetTrackingPolicy] and during["canary"].alarms == ()
    assert any(isinstance(p, StepScalingPolicy) for p in during["primary"].policies)
    assert during["primary"].alarms == base.alarms


def test_the_primarys_wake_alarm_is_not_deleted_during_the_steps():
    old, new = async_bp(V7, zero=True), async_bp(V8, zero=True)
    config = ro.canary_config(new, old.config.variants[0], 2, 50, 1)
    [base] = new.scaling
    alarm = base.alarms[0].alarm.model_copy(update={"actions": ("arn:policy/wake",)})
    observed = Observed(endpoint=on_canary(config, 50, 2, 1), models=frozenset({old.models[0].name, new.models[0].name}),
                        configs={c.name: ObservedConfig(name=c.name, variants=c.variants,
                                                        variant_models=tuple(v.model_name for v in c.variants))
                                 for c in (old.config, new.config, config)},
                        scaling=ObservedScaling(alarms=(alarm,)))
    decision = reconcile(new, observed, 3, at_step(old, new, config, 50, 2), now=T0 + timedelta(minutes=1))
    assert not any(isinstance(x, s.DeleteAlarms) for x in decision.actions)
    registered = {x.target.resource_id.rsplit("/", 1)[-1]: x.target.min_capacity
                  for x in decision.actions if isinstance(x, s.RegisterScalableTarget)}
    assert registered == {"primary": 2, "canary": 1}
