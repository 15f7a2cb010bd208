"""Deployment guardrails, which moto lacks: UpdateEndpoint with a DeploymentConfig
walks its stages (a canary or batches, each with a baking period), reports them in
PendingDeploymentSummary, and an auto-rollback alarm in ALARM rolls it back."""

import pytest
from botocore.exceptions import ClientError

from .helpers import create_config, create_model, wait_for, wait_for_status

pytestmark = pytest.mark.emulator

PERCENT = "CAPACITY_PERCENT"


def canary(wait: int, alarm: str) -> dict:
    return {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {
                "Type": "CANARY", "CanarySize": {"Type": PERCENT, "Value": 50}, "WaitIntervalInSeconds": wait}},
            "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": alarm}]}}


def alarm(aws, name: str, state: str) -> None:
    aws.cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
                                    Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=0.01,
                                    ComparisonOperator="GreaterThanThreshold")
    aws.cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason="set by the test")


def serving(aws, endpoint: str, old: str, new: str) -> None:
    create_model(aws.sagemaker, f"{old}-m")
    create_config(aws.sagemaker, old, {"primary": (f"{old}-m", 2, 1.0)})
    create_config(aws.sagemaker, new, {"primary": (f"{old}-m", 2, 1.0)})
    aws.sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=old)
    wait_for_status(aws.sagemaker, endpoint, "InService")


def stage(aws, endpoint: str) -> str | None:
    found = aws.sagemaker.describe_endpoint(EndpointName=endpoint)
    pending = found.get("PendingDeploymentSummary")
    if found["EndpointStatus"] != "Updating" or not pending:
        return None
    [status] = pending["ProductionVariants"][0]["VariantStatus"]
    return f"{status['Status']}: {status.get('StatusMessage', '')}"


def test_a_blue_green_canary_bakes_then_serves_the_new_config(aws):
    alarm(aws, "bg-ok", "OK")
    serving(aws, "bg", "bg-old", "bg-new")
    aws.sagemaker.update_endpoint(EndpointName="bg", EndpointConfigName="bg-new", DeploymentConfig=canary(1, "bg-ok"))
    seen = wait_for(lambda: stage(aws, "bg"), lambda s: s is not None and s.startswith("Baking: Canary"))
    assert seen == "Baking: Canary: 1 of 2 new instances take traffic (step 2 of 3)"
    done = wait_for_status(aws.sagemaker, "bg", "InService")
    assert done["EndpointConfigName"] == "bg-new" and "FailureReason" not in done
    assert done["LastDeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["Type"] == "CANARY"


def test_an_alarm_during_the_baking_period_rolls_the_deployment_back(aws):
    alarm(aws, "bg-5xx", "OK")
    serving(aws, "bgr", "bgr-old", "bgr-new")
    aws.sagemaker.update_endpoint(EndpointName="bgr", EndpointConfigName="bgr-new", DeploymentConfig=canary(60, "bg-5xx"))
    wait_for(lambda: stage(aws, "bgr"), lambda s: s is not None and s.startswith("Baking"))
    alarm(aws, "bg-5xx", "ALARM")
    done = wait_for_status(aws.sagemaker, "bgr", "InService")
    assert done["EndpointConfigName"] == "bgr-old"
    assert done["FailureReason"] == "Deployment rolled back: alarm bg-5xx went into ALARM during the deployment"


def test_a_rolling_deployment_replaces_the_fleet_in_batches(aws):
    serving(aws, "roll", "roll-old", "roll-new")
    aws.sagemaker.update_endpoint(EndpointName="roll", EndpointConfigName="roll-new", DeploymentConfig={
        "RollingUpdatePolicy": {"MaximumBatchSize": {"Type": PERCENT, "Value": 50}, "WaitIntervalInSeconds": 1}})
    first = wait_for(lambda: stage(aws, "roll"), lambda s: s is not None and "batch 1 of 2: 1 of 2" in s)
    second = wait_for(lambda: stage(aws, "roll"), lambda s: s is not None and "batch 2 of 2: 2 of 2" in s)
    assert first.startswith("Baking") and second.startswith("Baking")
    assert wait_for_status(aws.sagemaker, "roll", "InService")["EndpointConfigName"] == "roll-new"


def test_guardrails_keep_the_exclusions_aws_lists(aws):
    serving(aws, "ex", "ex-old", "ex-new")
    create_config(aws.sagemaker, "ex-renamed", {"other": ("ex-old-m", 2, 1.0)})
    with pytest.raises(ClientError) as raised:
        aws.sagemaker.update_endpoint(EndpointName="ex", EndpointConfigName="ex-renamed", DeploymentConfig=canary(1, "x"))
    assert "same variant names" in raised.value.response["Error"]["Message"]
    create_config(aws.sagemaker, "ex-two", {"primary": ("ex-old-m", 1, 1.0), "canary": ("ex-old-m", 1, 1.0)})
    with pytest.raises(ClientError):
        aws.sagemaker.update_endpoint(EndpointName="ex", EndpointConfigName="ex-two", DeploymentConfig={
            "RollingUpdatePolicy": {"MaximumBatchSize": {"Type": PERCENT, "Value": 50}, "WaitIntervalInSeconds": 1}})
