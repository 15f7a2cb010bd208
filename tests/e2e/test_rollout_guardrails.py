"""Changes that are not a model change go by SageMaker's deployment guardrails
(spec.deployment): an instance-type change by blue/green with a canary, rolled back
by an alarm; an environment change rolled out in batches. status.endpoint.deployment
shows the step SageMaker is at."""

from __future__ import annotations

from . import kit
from .test_rollout import IMAGE, alarm, model_url


def guarded(name: str, namespace: str, instances: int, deployment: dict) -> dict:
    return kit.manifest(name, namespace, {
        "mode": "RealTime",
        "image": IMAGE,
        "models": [{"name": name, "modelDataUrl": model_url(name, 1)}],
        "instances": {"type": "ml.m5.large", "min": instances, "max": instances},
        "deployment": deployment,
    })


def deployment_configs(emulator, endpoint: str) -> list[dict]:
    return [c["params"].get("DeploymentConfig") for c in emulator.client.calls(service="sagemaker", operation="UpdateEndpoint")
            if c["params"]["EndpointName"] == endpoint and c["status"] < 400]


def stage_of(control_plane, namespace: str, name: str) -> str:
    return (((kit.get(control_plane, namespace, name) or {}).get("status") or {}).get("endpoint") or {}).get("deployment") or ""


def serving_instance_type(emulator, endpoint: str) -> str:
    sm = kit.client(emulator, "sagemaker")
    config = sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    return sm.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["InstanceType"]


def test_an_instance_type_change_goes_blue_green_and_an_alarm_rolls_it_back(operator, control_plane, emulator, namespace):
    name = f"{namespace}-bg-5xx"
    alarm(emulator, name)
    doc = guarded("bluegreen", namespace, 2, {"strategy": "BlueGreen", "trafficShifting": "Canary", "canaryPercent": 50,
                                               "waitSeconds": 600, "alarms": [name]})
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "bluegreen", "Ready", timeout=90)
    endpoint, old_config = obj["status"]["endpoint"]["name"], obj["status"]["endpoint"]["configName"]

    kit.patch_spec(control_plane, namespace, "bluegreen", {"instances": {"type": "ml.m5.xlarge", "min": 2, "max": 2}})
    # The operator shows the guardrail's step: half the new fleet takes traffic, baking.
    kit.wait_for(lambda: stage_of(control_plane, namespace, "bluegreen").startswith("Baking: Canary: 1 of 2"), timeout=60,
                 what="the canary's baking period in status.endpoint.deployment")
    [sent] = deployment_configs(emulator, endpoint)
    assert sent == {"BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": {
                        "Type": "CANARY", "WaitIntervalInSeconds": 600, "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 50}},
                        "TerminationWaitInSeconds": 0},
                    "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": name}]}}
    assert serving_instance_type(emulator, endpoint) == "ml.m5.large"

    alarm(emulator, name, "ALARM")
    obj = kit.wait_condition(control_plane, namespace, "bluegreen", "Degraded", reason="UpdateFailed", timeout=60)
    assert f"alarm {name} went into ALARM" in kit.condition(obj, "Degraded")["message"]
    assert obj["status"]["endpoint"]["configName"] == old_config
    assert serving_instance_type(emulator, endpoint) == "ml.m5.large"
    assert "deployment" not in obj["status"]["endpoint"]


def test_an_environment_change_rolls_out_in_batches(operator, control_plane, emulator, namespace):
    doc = guarded("batches", namespace, 4, {"strategy": "Rolling", "batchPercent": 50, "waitSeconds": 3})
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "batches", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]

    models = [{**doc["spec"]["models"][0], "environment": {"LOG_LEVEL": "debug"}}]
    kit.patch_spec(control_plane, namespace, "batches", {"models": models})
    kit.wait_for(lambda: "Rolling batch 1 of 2: 2 of 4 instances new" in stage_of(control_plane, namespace, "batches"),
                 timeout=60, what="the first batch in status.endpoint.deployment")
    obj = kit.wait_condition(control_plane, namespace, "batches", "Ready", generation=2, timeout=90)
    assert deployment_configs(emulator, endpoint) == [
        {"RollingUpdatePolicy": {"MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50}, "WaitIntervalInSeconds": 3}}]
    sm = kit.client(emulator, "sagemaker")
    config = sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    model = sm.describe_endpoint_config(EndpointConfigName=config)["ProductionVariants"][0]["ModelName"]
    assert sm.describe_model(ModelName=model)["PrimaryContainer"]["Environment"] == {"LOG_LEVEL": "debug"}
