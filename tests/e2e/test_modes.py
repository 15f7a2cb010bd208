"""Serverless and asynchronous endpoints, and a change of mode, end to end."""

from __future__ import annotations

import copy
import threading

from endpoint_operator.plan.migration import slots

from . import kit


def _config(emulator, status: dict) -> tuple[dict, dict]:
    sm = kit.client(emulator, "sagemaker")
    endpoint = sm.describe_endpoint(EndpointName=status["endpoint"]["name"])
    return endpoint, sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])


def test_serverless_example_is_ready_and_changes_concurrency_in_place(operator, control_plane, emulator, namespace):
    doc = kit.example("serverless.yaml", namespace)
    name = doc["metadata"]["name"]
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)

    assert (obj["status"]["mode"], obj["status"]["modeReason"]) == ("Serverless", "set in spec.mode")
    endpoint, config = _config(emulator, obj["status"])
    [variant] = config["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 3072, "MaxConcurrency": 10}
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant

    kit.patch_spec(control_plane, namespace, name, {"serverless": {"memorySizeMB": 3072, "maxConcurrency": 25}})

    def in_place():
        described = kit.client(emulator, "sagemaker").describe_endpoint(EndpointName=endpoint["EndpointName"])
        current = described["ProductionVariants"][0].get("CurrentServerlessConfig", {})
        return described["EndpointStatus"] == "InService" and current.get("MaxConcurrency") == 25 and described
    after = kit.wait_for(in_place, timeout=60, what="max concurrency 25 on the running variant")
    assert after["EndpointConfigName"] == endpoint["EndpointConfigName"]  # no new config, no new fleet
    kit.wait_condition(control_plane, namespace, name, "Ready", generation=2, timeout=60)
    reasons = {reason for _, reason, _ in kit.events(control_plane, namespace, name)}
    assert "UpdateServerlessConcurrency" in reasons and "UpdateEndpoint" not in reasons


def test_async_example_is_ready_with_its_configuration(operator, control_plane, emulator, namespace):
    doc = kit.example("async.yaml", namespace)
    name = doc["metadata"]["name"]
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)

    assert obj["status"]["mode"] == "Async"
    _, config = _config(emulator, obj["status"])
    spec = doc["spec"]["async"]
    assert config["AsyncInferenceConfig"] == {
        "OutputConfig": {
            "S3OutputPath": spec["outputPath"],
            "S3FailurePath": spec["failurePath"],
            "NotificationConfig": {"SuccessTopic": spec["successTopicArn"], "ErrorTopic": spec["errorTopicArn"]},
        },
        "ClientConfig": {"MaxConcurrentInvocationsPerInstance": 2},
    }
    [variant] = config["ProductionVariants"]
    assert (variant["InstanceType"], variant["InitialInstanceCount"]) == ("ml.g4dn.xlarge", 1)  # min 0 starts with one


def test_async_scale_to_zero_is_built_and_deleted_with_the_endpoint(operator, control_plane, emulator, namespace):
    doc = kit.example("async.yaml", namespace, rename="nightly-extraction")
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "nightly-extraction", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    resource_id = f"endpoint/{endpoint}/variant/primary"
    scaling = kit.client(emulator, "application-autoscaling")
    cloudwatch = kit.client(emulator, "cloudwatch")

    def targets():
        return scaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[resource_id])["ScalableTargets"]

    def policies():
        return scaling.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=resource_id)["ScalingPolicies"]

    def alarms():
        return [a for a in cloudwatch.describe_alarms(AlarmNamePrefix=endpoint)["MetricAlarms"]
                if a["MetricName"] == "HasBacklogWithoutCapacity"]

    kit.wait_for(lambda: targets() and len(policies()) == 2 and alarms(), timeout=60,
                 what="the scalable target, both policies and the alarm")
    [target] = targets()
    assert (target["MinCapacity"], target["MaxCapacity"]) == (0, 4)
    kinds = {p["PolicyType"]: p for p in policies()}
    assert set(kinds) == {"TargetTrackingScaling", "StepScaling"}
    tracked = kinds["TargetTrackingScaling"]["TargetTrackingScalingPolicyConfiguration"]["CustomizedMetricSpecification"]
    assert tracked["MetricName"] == "ApproximateBacklogSizePerInstance"
    [alarm] = alarms()
    assert kinds["StepScaling"]["PolicyARN"] in alarm["AlarmActions"]

    kit.delete(control_plane, namespace, "nightly-extraction", timeout=90)

    assert not targets() and not policies() and not alarms()
    assert kit.owned_resources(emulator, obj["metadata"]["uid"]) == {"endpoints": [], "configs": [], "models": []}


def test_auto_takes_a_declared_scale_to_zero_and_says_when_its_resolution_contradicts_it(
        operator, control_plane, emulator, namespace):
    doc = kit.example("async.yaml", namespace, rename="auto-zero")
    doc["spec"]["mode"] = "Auto"  # payloads of 200 MB: Auto resolves to Async
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "auto-zero", "Ready", timeout=90)
    assert obj["status"]["mode"] == "Async"
    endpoint = obj["status"]["endpoint"]["name"]
    scaling = kit.client(emulator, "application-autoscaling")
    kit.wait_for(lambda: [(t["MinCapacity"], t["MaxCapacity"]) for t in scaling.describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[f"endpoint/{endpoint}/variant/primary"])["ScalableTargets"]] == [(0, 4)],
                 timeout=60, what="a scalable target of 0-4 instances")

    # Traffic that real-time serves: Auto would resolve to RealTime, which cannot scale to zero.
    kit.patch_spec(control_plane, namespace, "auto-zero", {"traffic": {"maxPayloadMB": 1, "maxProcessingSeconds": 30}})
    obj = kit.wait_condition(control_plane, namespace, "auto-zero", "Degraded", reason="ModeContradictsSpec", timeout=60)
    message = kit.condition(obj, "Degraded")["message"]
    assert message.startswith("spec.instances.min:") and "Auto resolved to RealTime" in message, message
    assert kit.condition(obj, "Ready")["status"] == "False"
    # Nothing was rebuilt: the async endpoint still serves.
    sm = kit.client(emulator, "sagemaker")
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"


REALTIME_TRAFFIC = {"pattern": "Steady", "maxPayloadMB": 1}
SPORADIC_TRAFFIC = {"pattern": "Sporadic", "maxPayloadMB": 1}


def test_realtime_to_serverless_and_back_always_serves(operator, control_plane, emulator, namespace):
    """Edits of the traffic hints change what Auto picks; SageMaker cannot update a
    real-time endpoint to serverless, so each move builds the other endpoint first."""
    spec = kit.example("realtime.yaml", namespace)["spec"]
    spec = {**copy.deepcopy(spec), "mode": "Auto", "traffic": REALTIME_TRAFFIC, "autoscaling": None}
    spec["instances"] = {"type": "ml.m5.large", "min": 1, "max": 1}
    spec = {k: v for k, v in spec.items() if v is not None}
    doc = kit.manifest("shifting", namespace, spec)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "shifting", "Ready", timeout=90)
    assert obj["status"]["mode"] == "RealTime"
    names = list(slots(obj["status"]["endpoint"]["name"]))
    sm = kit.client(emulator, "sagemaker")

    # Watch both endpoint names the whole time: one must serve at every moment.
    gaps: list[dict[str, str]] = []
    samples = 0
    stop = threading.Event()

    def watch():
        nonlocal samples
        while not stop.is_set():
            seen = {}
            for endpoint in names:
                try:
                    seen[endpoint] = sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"]
                except sm.exceptions.ClientError as error:
                    seen[endpoint] = error.response["Error"]["Code"]
            samples += 1
            if "InService" not in seen.values():
                gaps.append(seen)
            stop.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        kit.patch_spec(control_plane, namespace, "shifting", {"traffic": SPORADIC_TRAFFIC})
        obj = kit.wait_condition(control_plane, namespace, "shifting", "Ready", generation=2, timeout=90)
        assert (obj["status"]["mode"], obj["status"]["endpoint"]["name"]) == ("Serverless", names[1])
        kit.wait_for(lambda: "migration" not in kit.get(control_plane, namespace, "shifting")["status"], timeout=60,
                     what="the real-time endpoint to be retired")
        assert kit.owned_resources(emulator, obj["metadata"]["uid"])["endpoints"] == [names[1]]

        kit.patch_spec(control_plane, namespace, "shifting", {"traffic": REALTIME_TRAFFIC})
        obj = kit.wait_condition(control_plane, namespace, "shifting", "Ready", generation=3, timeout=90)
        assert (obj["status"]["mode"], obj["status"]["endpoint"]["name"]) == ("RealTime", names[0])
        kit.wait_for(lambda: "migration" not in kit.get(control_plane, namespace, "shifting")["status"], timeout=60,
                     what="the serverless endpoint to be retired")
    finally:
        stop.set()
        watcher.join()

    assert samples > 10 and not gaps, f"no endpoint served at some moment: {gaps[:3]}"
    owned = kit.owned_resources(emulator, obj["metadata"]["uid"])
    assert owned["endpoints"] == [names[0]] and len(owned["configs"]) == 1 and len(owned["models"]) == 1
    messages = [(reason, message) for _, reason, message in kit.events(control_plane, namespace, "shifting")]
    moves = [m for r, m in messages if r == "MigratingMode"]
    assert any("RealTime -> Serverless" in m for m in moves) and any("Serverless -> RealTime" in m for m in moves)
    assert sum(r == "MigratedMode" for r, _ in messages) == 2
    _, config = _config(emulator, obj["status"])
    assert config["ProductionVariants"][0]["InstanceType"] == "ml.m5.large"
