"""AutoScalingGateway and CloudWatchGateway against the emulator, and what the
emulator adds to moto for SageMaker variants."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError

from endpoint_operator.api.scaling import (
    CustomizedMetric,
    MetricAlarm,
    ScalableTarget,
    ScheduledAction,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
)
from endpoint_operator.aws import ClientFactory, LimiterRegistry, NotFound
from endpoint_operator.aws.autoscaling import AutoScalingGateway
from endpoint_operator.aws.cloudwatch import CloudWatchGateway

from .helpers import create_config, create_model, single_variant_endpoint, wait_for_status

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
RID = "endpoint/scaled/variant/primary"


@pytest.fixture
def gateways(aws):
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    clients = ClientFactory(session, endpoint_url=aws.url)
    limiters = LimiterRegistry()
    return AutoScalingGateway(clients, limiters, REGION), CloudWatchGateway(clients, limiters, REGION)


@pytest.fixture
def endpoint(aws):
    single_variant_endpoint(aws.sagemaker, "scaled")
    wait_for_status(aws.sagemaker, "scaled", "InService")
    return "scaled"


TRACKING = TargetTrackingPolicy(
    name="scaled-primary-target-tracking", resource_id=RID, target_value=5.0,
    predefined_metric="SageMakerVariantConcurrentRequestsPerModelHighResolution",
    scale_in_cooldown=300, scale_out_cooldown=60,
)
WAKE = StepScalingPolicy(name="scaled-primary-wake-from-zero", resource_id=RID,
                         steps=(StepAdjustment(lower_bound=0.0, adjustment=1),), cooldown=60)


def test_target_policies_and_schedules_round_trip_in_the_planners_shapes(gateways, endpoint):
    scaling, _ = gateways
    target = ScalableTarget(resource_id=RID, min_capacity=1, max_capacity=4)
    scaling.register_target(target, {"owner": "me"})
    backlog = TRACKING.model_copy(update={"name": "scaled-primary-backlog", "predefined_metric": None,
                                          "customized_metric": CustomizedMetric(
                                              namespace="AWS/SageMaker", metric_name="ApproximateBacklogSizePerInstance",
                                              dimensions={"EndpointName": "scaled"})})
    for policy in (TRACKING, backlog, WAKE):
        assert scaling.put_policy(policy).startswith("arn:")
    night = ScheduledAction(name="scaled-primary-night", resource_id=RID, schedule="cron(0 22 * * ? *)",
                            timezone="Europe/Berlin", min_capacity=1, max_capacity=2)
    scaling.put_scheduled_action(night)

    assert scaling.scalable_targets([RID, "endpoint/other/variant/primary"]) == [target]
    assert sorted((p.policy for p in scaling.policies(RID)), key=lambda p: p.name) == sorted(
        [TRACKING, backlog, WAKE], key=lambda p: p.name)
    assert scaling.scheduled_actions(RID) == [night]

    scaling.register_target(target.model_copy(update={"max_capacity": 8}))
    assert scaling.scalable_targets([RID])[0].max_capacity == 8


def test_deregistering_removes_policies_schedules_and_tracking_alarms(aws, gateways, endpoint):
    scaling, _ = gateways
    scaling.register_target(ScalableTarget(resource_id=RID, min_capacity=1, max_capacity=4))
    scaling.put_policy(TRACKING)
    scaling.put_scheduled_action(ScheduledAction(name="n", resource_id=RID, schedule="cron(0 22 * * ? *)", min_capacity=1))
    cw = aws.client("cloudwatch")
    tracking_alarms = [a["AlarmName"] for a in cw.describe_alarms(AlarmNamePrefix="TargetTracking-")["MetricAlarms"]]
    assert len(tracking_alarms) == 2 and all(RID in name for name in tracking_alarms)

    scaling.deregister_target(RID)

    assert scaling.scalable_targets([RID]) == []
    assert scaling.policies(RID) == [] and scaling.scheduled_actions(RID) == []
    assert cw.describe_alarms(AlarmNamePrefix="TargetTracking-")["MetricAlarms"] == []
    with pytest.raises(NotFound):
        scaling.deregister_target(RID)
    with pytest.raises(NotFound):
        scaling.delete_policy(RID, TRACKING.name)


def test_invocations_per_instance_is_tracked_per_minute(aws, gateways, endpoint):
    """1/instances per request, summed over 60 s: a target of 70 means 70 requests per
    instance per minute, and the alarm that scales out compares that Sum."""
    scaling, _ = gateways
    scaling.register_target(ScalableTarget(resource_id=RID, min_capacity=1, max_capacity=4))
    scaling.put_policy(TRACKING.model_copy(update={
        "predefined_metric": "SageMakerVariantInvocationsPerInstance", "target_value": 70.0}))
    alarms = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix="TargetTracking-")["MetricAlarms"]
    [high] = [a for a in alarms if "AlarmHigh" in a["AlarmName"]]
    assert (high["MetricName"], high["Statistic"], high["Period"], high["Threshold"]) == (
        "InvocationsPerInstance", "Sum", 60, 70.0)
def test_backlog_tracking_alarms_watch_the_metric_an_async_endpoint_publishes(aws, gateways, endpoint):
    """ApproximateBacklogSizePerInstance is published per endpoint (dimension
    EndpointName alone): alarms that also named the variant would never see a datapoint."""
    scaling, _ = gateways
    scaling.register_target(ScalableTarget(resource_id=RID, min_capacity=1, max_capacity=4))
    scaling.put_policy(TRACKING.model_copy(update={"predefined_metric": None, "customized_metric": CustomizedMetric(
        namespace="AWS/SageMaker", metric_name="ApproximateBacklogSizePerInstance", dimensions={"EndpointName": "scaled"})}))
    alarms = aws.client("cloudwatch").describe_alarms(AlarmNamePrefix="TargetTracking-")["MetricAlarms"]
    assert len(alarms) == 2
    assert {(a["MetricName"], tuple((d["Name"], d["Value"]) for d in a["Dimensions"])) for a in alarms} == {
        ("ApproximateBacklogSizePerInstance", (("EndpointName", "scaled"),))}


def test_a_variant_that_does_not_exist_cannot_be_registered(aws, gateways):
    scaling, _ = gateways
    with pytest.raises(Exception) as caught:
        scaling.register_target(ScalableTarget(resource_id="endpoint/nope/variant/primary", min_capacity=1, max_capacity=2))
    assert "does not exist" in str(caught.value)


def test_an_update_that_changes_a_registered_variants_instance_type_is_refused(aws, gateways, endpoint):
    scaling, _ = gateways
    sm = aws.sagemaker
    scaling.register_target(ScalableTarget(resource_id=RID, min_capacity=1, max_capacity=4))
    create_model(sm, "bigger-model")
    sm.create_endpoint_config(EndpointConfigName="bigger", ProductionVariants=[
        {"VariantName": "primary", "ModelName": "bigger-model", "InstanceType": "ml.c5.xlarge", "InitialInstanceCount": 1}])
    with pytest.raises(ClientError) as caught:
        sm.update_endpoint(EndpointName=endpoint, EndpointConfigName="bigger")
    assert "deregister" in caught.value.response["Error"]["Message"]
    # Same instance type, another model: allowed, as on AWS.
    create_config(sm, "same-type", {"primary": ("bigger-model", 1, 1.0)})
    sm.update_endpoint(EndpointName=endpoint, EndpointConfigName="same-type")
    wait_for_status(sm, endpoint, "InService")
    scaling.deregister_target(RID)
    sm.update_endpoint(EndpointName=endpoint, EndpointConfigName="bigger")
    wait_for_status(sm, endpoint, "InService")


def test_retained_counts_survive_an_update_but_weights_come_from_the_config(aws, endpoint):
    sm = aws.sagemaker
    sm.update_endpoint_weights_and_capacities(EndpointName=endpoint, DesiredWeightsAndCapacities=[
        {"VariantName": "primary", "DesiredInstanceCount": 5, "DesiredWeight": 3.0}])
    wait_for_status(sm, endpoint, "InService")
    create_model(sm, "next-model")
    create_config(sm, "next", {"primary": ("next-model", 1, 1.0)})
    sm.update_endpoint(EndpointName=endpoint, EndpointConfigName="next", RetainAllVariantProperties=True,
                       ExcludeRetainedVariantProperties=[{"VariantPropertyType": "DesiredWeight"}])
    [variant] = wait_for_status(sm, endpoint, "InService")["ProductionVariants"]
    assert (variant["CurrentInstanceCount"], variant["CurrentWeight"]) == (5, 1.0)


def test_alarms_put_described_and_deleted(gateways):
    _, cloudwatch = gateways
    alarm = MetricAlarm(name="scaled-primary-has-backlog-without-capacity", namespace="AWS/SageMaker",
                        metric_name="HasBacklogWithoutCapacity", dimensions={"EndpointName": "scaled"},
                        period=60, evaluation_periods=2, threshold=1.0, actions=("arn:aws:autoscaling:policy",))
    cloudwatch.put_metric_alarm(alarm, {"endpoint-operator.io/uid": "u1"})
    assert cloudwatch.metric_alarms("scaled-") == [alarm]
    assert cloudwatch.metric_alarms("other-") == []
    cloudwatch.delete_alarms([alarm.name, "never-existed"])
    assert cloudwatch.metric_alarms("scaled-") == []
