"""Desired scaling: targets, policies, schedules and the async scale-to-zero set."""

from __future__ import annotations

import pytest

from endpoint_operator.api.resources import ProductionVariant
from endpoint_operator.api.scaling import CustomizedMetric, StepScalingPolicy, TargetTrackingPolicy
from endpoint_operator.api.spec import AutoscalingSpec, InstancesSpec, Mode
from endpoint_operator.plan.errors import PlanError
from endpoint_operator.plan.scaling import (
    HIGH_RESOLUTION_METRIC,
    INVOCATIONS_METRIC,
    autoscaled,
    aws_cron,
    desired_scaling,
    variant_scaling,
)

from test_plan_kit import bp_of, realtime_spec

VARIANT = ProductionVariant(name="primary", model_name="m", instance_type="ml.m5.large", initial_instance_count=1)


def test_a_realtime_variant_tracks_the_high_resolution_metric_by_default():
    bp = bp_of(realtime_spec(instances={"min": 1, "max": 4}))
    [scaling] = desired_scaling(realtime_spec(instances={"min": 1, "max": 4}), Mode.REAL_TIME, bp.endpoint_name, bp.config)
    assert scaling.target.resource_id == f"endpoint/{bp.endpoint_name}/variant/primary"
    assert (scaling.target.min_capacity, scaling.target.max_capacity) == (1, 4)
    [policy] = scaling.policies
    assert isinstance(policy, TargetTrackingPolicy)
    assert policy.predefined_metric == HIGH_RESOLUTION_METRIC
    assert (policy.target_value, policy.scale_out_cooldown, policy.scale_in_cooldown) == (5.0, 60, 300)
    assert policy.name == f"{bp.endpoint_name}-primary-target-tracking"
    assert scaling.alarms == ()


@pytest.mark.parametrize("autoscaling, metric, custom", [
    ({"metric": "InvocationsPerInstance", "target": 70}, INVOCATIONS_METRIC, None),
    ({"metric": "Custom", "target": 10, "customMetric": {"namespace": "App", "metricName": "Queue", "dimensions": {"q": "a"}}},
     None, CustomizedMetric(namespace="App", metric_name="Queue", dimensions={"q": "a"})),
], ids=["invocations", "custom"])
def test_the_spec_chooses_the_metric(autoscaling, metric, custom):
    spec = realtime_spec(autoscaling=autoscaling)
    bp = bp_of(spec)
    [scaling] = desired_scaling(spec, Mode.REAL_TIME, bp.endpoint_name, bp.config)
    [policy] = scaling.policies
    assert (policy.predefined_metric, policy.customized_metric) == (metric, custom)


@pytest.mark.parametrize("autoscaling, target", [
    ({}, 5.0),  # ConcurrentRequestsPerModelHighResolution: requests in flight per model copy
    ({"metric": "InvocationsPerInstance"}, 70.0),  # requests per instance per minute: AWS's own example
    ({"metric": "InvocationsPerInstance", "target": 120}, 120.0),
], ids=["concurrency", "invocations-per-minute", "explicit"])
def test_each_metric_has_its_own_default_target(autoscaling, target):
    spec = realtime_spec(autoscaling=autoscaling)
    bp = bp_of(spec)
    [scaling] = desired_scaling(spec, Mode.REAL_TIME, bp.endpoint_name, bp.config)
    [policy] = scaling.policies
    assert policy.target_value == target


@pytest.mark.parametrize("extra, expected", [
    ({"instances": {"min": 2, "max": 2}}, False),
    ({"instances": {"min": 1, "max": 3}}, True),
    ({"instances": {"min": 2, "max": 2}, "autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * * *", "min": 1}]}}, True),
    ({"instances": {"min": 1, "max": 3}, "autoscaling": {"enabled": False}}, False),
], ids=["fixed-count", "range", "fixed-with-schedule", "disabled"])
def test_only_something_to_scale_gets_a_target(extra, expected):
    spec = realtime_spec(**extra)
    assert autoscaled(spec, Mode.REAL_TIME) is expected
    bp = bp_of(spec)
    assert bool(desired_scaling(spec, Mode.REAL_TIME, bp.endpoint_name, bp.config)) is expected


def test_scale_to_zero_tracks_the_backlog_and_wakes_on_an_alarm():
    scaling = variant_scaling("jobs", VARIANT, InstancesSpec(type="ml.m5.large", min=0, max=3),
                              AutoscalingSpec(target=2), scale_to_zero=True)
    assert (scaling.target.min_capacity, scaling.target.max_capacity) == (0, 3)
    tracking, wake = scaling.policies
    assert isinstance(tracking, TargetTrackingPolicy) and isinstance(wake, StepScalingPolicy)
    assert tracking.predefined_metric is None
    assert tracking.customized_metric == CustomizedMetric(
        namespace="AWS/SageMaker", metric_name="ApproximateBacklogSizePerInstance", dimensions={"EndpointName": "jobs"})
    assert tracking.target_value == 2.0
    assert [(s.lower_bound, s.adjustment) for s in wake.steps] == [(0.0, 1)]
    [alarm] = scaling.alarms
    assert alarm.policy == wake.name
    assert (alarm.alarm.metric_name, alarm.alarm.dimensions, alarm.alarm.threshold) == (
        "HasBacklogWithoutCapacity", {"EndpointName": "jobs"}, 1.0)
    assert alarm.alarm.comparison == "GreaterThanOrEqualToThreshold"
    assert alarm.alarm.name == "jobs-primary-has-backlog-without-capacity"


def test_without_scale_to_zero_the_same_variant_keeps_its_floor():
    scaling = variant_scaling("jobs", VARIANT, InstancesSpec(type="ml.m5.large", min=1, max=3), None)
    assert scaling.target.min_capacity == 1
    assert len(scaling.policies) == 1 and scaling.alarms == ()


@pytest.mark.parametrize("cron, aws", [
    ("0 22 * * *", "cron(0 22 * * ? *)"),
    ("0 6 * * 1-5", "cron(0 6 ? * MON-FRI *)"),
    ("30 1 * * 0,6", "cron(30 1 ? * SUN,SAT *)"),
    ("0 0 1 * *", "cron(0 0 1 * ? *)"),
    ("*/15 * * * 7", "cron(*/15 * ? * SUN *)"),
    ("0 9 * * MON", "cron(0 9 ? * MON *)"),
    # the nth weekday: AWS numbers weekdays 1-7 from Sunday ("3#2 is the second Tuesday")
    ("0 9 * * 2#2", "cron(0 9 ? * 3#2 *)"),
    ("0 9 * * TUE#2", "cron(0 9 ? * 3#2 *)"),
    ("0 9 * * 0#1", "cron(0 9 ? * 1#1 *)"),
    ("0 9 * * 7#5", "cron(0 9 ? * 1#5 *)"),
    ("0 9 * * 6#3", "cron(0 9 ? * 7#3 *)"),
    ("30 6 1,15 * ?", "cron(30 6 1,15 * ? *)"),
    ("30 6 ? * ?", "cron(30 6 * * ? *)"),
])
def test_unix_cron_becomes_the_aws_form(cron, aws):
    assert aws_cron(cron) == aws


@pytest.mark.parametrize("cron", ["0 0 1 * 1", "0 0 * *", "0 0 * * 9"])
def test_cron_aws_cannot_express_is_refused(cron):
    with pytest.raises(PlanError) as caught:
        aws_cron(cron, "spec.autoscaling.schedules[0].cron")
    assert caught.value.field == "spec.autoscaling.schedules[0].cron"


def test_schedules_become_scheduled_actions_with_their_time_zone():
    spec = realtime_spec(instances={"min": 2, "max": 6}, autoscaling={
        "schedules": [{"name": "night", "cron": "0 22 * * *", "timeZone": "Europe/Berlin", "min": 1, "max": 2}]})
    bp = bp_of(spec)
    [scaling] = desired_scaling(spec, Mode.REAL_TIME, bp.endpoint_name, bp.config)
    [action] = scaling.schedules
    assert action.name == f"{bp.endpoint_name}-primary-night"
    assert (action.schedule, action.timezone, action.min_capacity, action.max_capacity) == (
        "cron(0 22 * * ? *)", "Europe/Berlin", 1, 2)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "America", "Etc"])
def test_an_unknown_time_zone_is_a_plan_error_naming_the_field(zone):
    """A spec that never met the API server's rule (built in Python, as a stale
    object might be): the planner refuses it, it does not raise."""
    spec = realtime_spec(autoscaling={"schedules": [{"name": "night", "cron": "0 22 * * *", "min": 1}]})
    schedule = spec.autoscaling.schedules[0].model_copy(update={"time_zone": zone})
    spec = spec.model_copy(update={"autoscaling": spec.autoscaling.model_copy(update={"schedules": [schedule]})})
    with pytest.raises(PlanError) as caught:
        bp = bp_of(spec)
        desired_scaling(spec, Mode.REAL_TIME, bp.endpoint_name, bp.config)
    assert caught.value.field == "spec.autoscaling.schedules[0].timeZone"


# ---- async endpoints scale on their backlog ------------------------------------------------

OUT = {"outputPath": "s3://results/out/"}
BACKLOG = CustomizedMetric(namespace="AWS/SageMaker", metric_name="ApproximateBacklogSizePerInstance",
                           dimensions={"EndpointName": "ml-recs"})


def test_an_async_endpoint_without_scale_to_zero_tracks_its_backlog():
    """Asynchronous endpoints publish no concurrency or invocation metrics: a policy on
    them would never fire."""
    spec = realtime_spec(mode="Async", instances={"min": 1, "max": 3}, **{"async": OUT})
    bp = bp_of(spec)
    [scaling] = bp.scaling
    assert (scaling.target.min_capacity, scaling.target.max_capacity) == (1, 3)
    [tracking] = scaling.policies
    assert tracking.predefined_metric is None
    assert tracking.customized_metric == BACKLOG.model_copy(update={"dimensions": {"EndpointName": bp.endpoint_name}})


def test_mode_auto_resolving_to_async_refuses_a_metric_async_endpoints_do_not_publish():
    spec = realtime_spec(mode="Auto", traffic={"maxPayloadMB": 200}, autoscaling={"metric": "InvocationsPerInstance"},
                         **{"async": OUT})
    with pytest.raises(PlanError) as refused:
        bp_of(spec)
    assert refused.value.field == "spec.autoscaling.metric"
    assert "InvocationsPerInstance" in refused.value.message and "asynchronous" in refused.value.message


def test_mode_auto_resolving_to_realtime_refuses_the_backlog_metric():
    spec = realtime_spec(mode="Auto", autoscaling={"metric": "ApproximateBacklogSizePerInstance"})
    with pytest.raises(PlanError) as refused:
        bp_of(spec)
    assert refused.value.field == "spec.autoscaling.metric"


def test_an_async_endpoint_may_track_a_custom_metric():
    spec = realtime_spec(mode="Async", **{"async": OUT}, autoscaling={
        "metric": "Custom", "target": 10, "customMetric": {"namespace": "App", "metricName": "Queue"}})
    [scaling] = bp_of(spec).scaling
    [tracking] = scaling.policies
    assert tracking.customized_metric == CustomizedMetric(namespace="App", metric_name="Queue")
