"""Application Auto Scaling acts in the emulator: alarms are evaluated on the data points
put with PutMetricData, policies change the instance count through an endpoint update,
cooldowns hold, scheduled actions fire, and step scaling wakes an async endpoint from zero.

The virtual clock runs fast (a time scale), so minutes of AWS time pass in a second or two.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from .helpers import single_variant_endpoint, wait_for, wait_for_status

pytestmark = pytest.mark.emulator

ENDPOINT = "scaled"
RID = f"endpoint/{ENDPOINT}/variant/primary"
DIMENSIONS = [{"Name": "EndpointName", "Value": ENDPOINT}, {"Name": "VariantName", "Value": "primary"}]
HIGH_RESOLUTION = "SageMakerVariantConcurrentRequestsPerModelHighResolution"


@pytest.fixture
def endpoint(aws):
    single_variant_endpoint(aws.sagemaker, ENDPOINT, instances=1)
    wait_for_status(aws.sagemaker, ENDPOINT, "InService")
    return ENDPOINT


def virtual_now(aws) -> datetime:
    return datetime.fromtimestamp(aws.emulator.clock()["now"], tz=timezone.utc)


def publish(aws, metric: str, value: float, seconds: int, every: int = 10, dimensions=None, start=None) -> None:
    """`value` every `every` virtual seconds, from now (or `start`) for `seconds` ahead."""
    first = start or virtual_now(aws)
    points = [{"MetricName": metric, "Dimensions": dimensions or DIMENSIONS, "Value": value,
               "Timestamp": first + timedelta(seconds=offset)} for offset in range(0, seconds, every)]
    for batch in range(0, len(points), 500):
        aws.cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=points[batch:batch + 500])


def variant(aws) -> dict:
    return aws.sagemaker.describe_endpoint(EndpointName=ENDPOINT)["ProductionVariants"][0]


def track(aws, target: float = 5.0, low: int = 1, high: int = 8, out_cooldown: int = 60, in_cooldown: int = 300,
          metric: str = HIGH_RESOLUTION) -> dict:
    aws.autoscaling.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=RID,
                                             ScalableDimension="sagemaker:variant:DesiredInstanceCount",
                                             MinCapacity=low, MaxCapacity=high)
    return aws.autoscaling.put_scaling_policy(
        PolicyName="tracking", ServiceNamespace="sagemaker", ResourceId=RID,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount", PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": target, "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
            "ScaleOutCooldown": out_cooldown, "ScaleInCooldown": in_cooldown})


def activities(aws) -> list[dict]:
    return aws.autoscaling.describe_scaling_activities(ServiceNamespace="sagemaker", ResourceId=RID)["ScalingActivities"]


def test_load_above_the_target_scales_out_through_an_endpoint_update(aws, endpoint):
    aws.emulator.set_instance_start_time(120)
    policy = track(aws, target=5.0)
    high = next(a["AlarmName"] for a in policy["Alarms"] if "AlarmHigh" in a["AlarmName"])
    aws.emulator.set_time_scale(60)
    publish(aws, "ConcurrentRequestsPerModel", 15.0, seconds=600)
    # 15 requests in flight on one instance against a target of 5: three instances.
    updating = wait_for(lambda: aws.sagemaker.describe_endpoint(EndpointName=ENDPOINT),
                        lambda d: d["ProductionVariants"][0]["DesiredInstanceCount"] == 3, timeout=20)
    assert updating["EndpointStatus"] == "Updating"
    assert updating["ProductionVariants"][0]["CurrentInstanceCount"] == 1  # the instances are starting
    alarm = aws.cloudwatch.describe_alarms(AlarmNames=[high])["MetricAlarms"][0]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["Period"] == 10
    done = wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 3, timeout=20)
    assert done["DesiredInstanceCount"] == 3
    assert aws.sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointStatus"] == "InService"
    activity = wait_for(lambda: activities(aws), lambda rows: rows and rows[0]["StatusCode"] == "Successful")[0]
    assert activity["Description"] == "Setting desired instance count to 3."
    assert high in activity["Cause"]


def test_a_scale_out_during_its_cooldown_happens_only_when_it_is_larger(aws, endpoint):
    aws.emulator.set_instance_start_time(10)
    track(aws, target=5.0, out_cooldown=600)
    aws.emulator.set_time_scale(60)
    start = virtual_now(aws)
    publish(aws, "ConcurrentRequestsPerModel", 10.0, seconds=300, start=start)
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 2, timeout=20)
    # Still 10 on the metric (the new instance has not taken load in this feed): within the
    # cooldown, the capacity added counts, so no second scale-out.
    wait_for(lambda: virtual_now(aws), lambda now: now > start + timedelta(seconds=240), timeout=20)
    assert [a["Description"] for a in activities(aws)] == ["Setting desired instance count to 2."]
    # A larger load within the cooldown is a larger scale-out: it goes ahead.
    publish(aws, "ConcurrentRequestsPerModel", 20.0, seconds=300, start=start + timedelta(seconds=300))
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 4, timeout=20)
    assert [a["Description"] for a in activities(aws)] == ["Setting desired instance count to 4.", "Setting desired instance count to 2."], [(a["Description"], a["Cause"], a["StartTime"]) for a in activities(aws)]


def test_low_load_scales_in_after_fifteen_minutes_and_the_cooldown_spaces_scale_ins(aws, endpoint):
    aws.emulator.set_instance_start_time(10)
    aws.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=ENDPOINT, DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 4}])
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 4)
    policy = track(aws, target=5.0, in_cooldown=1200)
    low = next(a["AlarmName"] for a in policy["Alarms"] if "AlarmLow" in a["AlarmName"])
    aws.emulator.set_time_scale(200)
    start = virtual_now(aws)
    publish(aws, "ConcurrentRequestsPerModel", 2.0, seconds=3600, start=start)
    # 2 in flight per instance on 4 against a target of 5: ceil(4 x 2 / 5) = 2 instances.
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 2, timeout=30)
    first = activities(aws)[0]
    # The scale-in alarm wants 15 periods of 60 s with data, the first one the minute the feed began in.
    assert first["StartTime"] >= start.replace(second=0, microsecond=0) + timedelta(minutes=15)
    assert aws.cloudwatch.describe_alarms(AlarmNames=[low])["MetricAlarms"][0]["StateValue"] == "ALARM"
    # The metric stays low, but a second scale-in waits for the 20-minute cooldown.
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 1, timeout=60)
    second = activities(aws)[0]
    assert second["StartTime"] >= first["EndTime"] + timedelta(seconds=1200)


def test_a_scheduled_action_sets_the_range_and_moves_the_count_into_it(aws, endpoint):
    aws.emulator.set_instance_start_time(30)
    track(aws, low=1, high=8)
    now = virtual_now(aws)
    # In Berlin's time zone, two minutes from now: cron(minute hour * * ? *).
    berlin = (now + timedelta(minutes=2)).astimezone(ZoneInfo("Europe/Berlin"))
    aws.autoscaling.put_scheduled_action(
        ServiceNamespace="sagemaker", ScheduledActionName="business-hours", ResourceId=RID,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        Schedule=f"cron({berlin.minute} {berlin.hour} * * ? *)", Timezone="Europe/Berlin",
        ScalableTargetAction={"MinCapacity": 3, "MaxCapacity": 6})
    aws.emulator.set_time_scale(60)
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 3, timeout=20)
    target = aws.autoscaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[RID])
    assert (target["ScalableTargets"][0]["MinCapacity"], target["ScalableTargets"][0]["MaxCapacity"]) == (3, 6)
    activity = activities(aws)[0]
    assert activity["Cause"] == "scheduled action name business-hours was triggered"
    assert activity["StartTime"] >= berlin.replace(second=0, microsecond=0)


def test_an_at_schedule_runs_once_and_lowers_the_maximum(aws, endpoint):
    aws.emulator.set_instance_start_time(5)
    aws.sagemaker.update_endpoint_weights_and_capacities(
        EndpointName=ENDPOINT, DesiredWeightsAndCapacities=[{"VariantName": "primary", "DesiredInstanceCount": 5}])
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 5)
    track(aws, low=1, high=8)
    when = (virtual_now(aws) + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S")
    aws.autoscaling.put_scheduled_action(
        ServiceNamespace="sagemaker", ScheduledActionName="night", ResourceId=RID,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount", Schedule=f"at({when})",
        ScalableTargetAction={"MaxCapacity": 2})
    aws.emulator.set_time_scale(60)
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 2, timeout=20)
    assert [a["Cause"] for a in activities(aws)] == ["scheduled action name night was triggered"]


def test_step_scaling_wakes_an_async_endpoint_from_zero_and_tracking_returns_it_to_zero(aws, endpoint):
    aws.emulator.set_instance_start_time(60)
    aws.autoscaling.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=RID,
                                             ScalableDimension="sagemaker:variant:DesiredInstanceCount",
                                             MinCapacity=0, MaxCapacity=4)
    backlog = [{"Name": "EndpointName", "Value": ENDPOINT}]
    aws.autoscaling.put_scaling_policy(
        PolicyName="backlog", ServiceNamespace="sagemaker", ResourceId=RID,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount", PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 5.0, "ScaleInCooldown": 60, "ScaleOutCooldown": 60,
            "CustomizedMetricSpecification": {"MetricName": "ApproximateBacklogSizePerInstance",
                                              "Namespace": "AWS/SageMaker", "Dimensions": backlog,
                                              "Statistic": "Average"}})
    wake = aws.autoscaling.put_scaling_policy(
        PolicyName="wake", ServiceNamespace="sagemaker", ResourceId=RID,
        ScalableDimension="sagemaker:variant:DesiredInstanceCount", PolicyType="StepScaling",
        StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity", "Cooldown": 60,
                                        "MetricAggregationType": "Average",
                                        "StepAdjustments": [{"MetricIntervalLowerBound": 0.0, "ScalingAdjustment": 1}]})
    # Developer guide, "Autoscale an asynchronous endpoint": the wake-up alarm on HasBacklogWithoutCapacity.
    aws.cloudwatch.put_metric_alarm(
        AlarmName="wake", Namespace="AWS/SageMaker", MetricName="HasBacklogWithoutCapacity", Dimensions=backlog,
        Statistic="Average", Period=60, EvaluationPeriods=2, Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold", TreatMissingData="missing",
        AlarmActions=[wake["PolicyARN"]])
    aws.emulator.set_time_scale(300)
    start = virtual_now(aws)
    quiet = timedelta(seconds=1200)
    publish(aws, "ApproximateBacklogSizePerInstance", 0.0, seconds=1200, every=60, dimensions=backlog, start=start)
    publish(aws, "HasBacklogWithoutCapacity", 0.0, seconds=1200, every=60, dimensions=backlog, start=start)
    wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 0, timeout=30)
    assert aws.sagemaker.describe_endpoint(EndpointName=ENDPOINT)["EndpointStatus"] == "InService"
    # Requests arrive with no instance: the backlog has no capacity; the step policy adds one.
    aws.emulator.set_time_scale(60)
    busy = max(virtual_now(aws), start + quiet)
    publish(aws, "HasBacklogWithoutCapacity", 1.0, seconds=600, every=60, dimensions=backlog, start=busy)
    publish(aws, "ApproximateBacklogSizePerInstance", 3.0, seconds=600, every=60, dimensions=backlog, start=busy)
    woken = wait_for(lambda: variant(aws), lambda v: v["CurrentInstanceCount"] == 1, timeout=30)
    assert woken["DesiredInstanceCount"] == 1
    assert aws.cloudwatch.describe_alarms(AlarmNames=["wake"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    assert "triggered policy wake" in activities(aws)[0]["Cause"]
