"""Autoscaling end to end: targets and policies on the 10-second metric, ranges moved
in place, the deregister -> update -> register order of an instance type change,
counts the autoscaler set kept across other updates, and nothing left on delete."""

from __future__ import annotations

from typing import Any

from . import kit

DIMENSION = "sagemaker:variant:DesiredInstanceCount"
HIGH_RESOLUTION = "SageMakerVariantConcurrentRequestsPerModelHighResolution"


def scaled(namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    base = {
        "mode": "RealTime",
        "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7",
        "models": [{"name": "scorer", "modelDataUrl": f"s3://example-models/{name}/v1/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 3},
        "autoscaling": {"target": 8, "scaleOutCooldownSeconds": 30},
    }
    return kit.manifest(name, namespace, {**base, **spec})


def target(emulator, endpoint: str, variant: str = "primary") -> dict[str, Any] | None:
    found = kit.client(emulator, "application-autoscaling").describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[f"endpoint/{endpoint}/variant/{variant}"])["ScalableTargets"]
    return found[0] if found else None


def policies(emulator, endpoint: str) -> list[dict[str, Any]]:
    return kit.client(emulator, "application-autoscaling").describe_scaling_policies(
        ServiceNamespace="sagemaker", ResourceId=f"endpoint/{endpoint}/variant/primary")["ScalingPolicies"]


def endpoint_calls(emulator, endpoint: str, after: int = 0) -> list[tuple[str, str]]:
    """(service, operation) of this endpoint's mutations, in arrival order."""
    out = []
    for call in emulator.client.calls(after=after):
        params = call.get("params") or {}
        about = params.get("EndpointName") or params.get("ResourceId") or ""
        if call["status"] < 400 and (about == endpoint or about.startswith(f"endpoint/{endpoint}/")) \
                and not call["operation"].startswith(("Describe", "List")):
            out.append((call["service"], call["operation"]))
    return out


def last_seq(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0


def wait_range(emulator, endpoint: str, low: int, high: int) -> dict[str, Any]:
    return kit.wait_for(lambda: (t := target(emulator, endpoint)) and (t["MinCapacity"], t["MaxCapacity"]) == (low, high) and t,
                        timeout=60, what=f"target {endpoint} at {low}-{high}")


def test_target_and_policy_on_the_high_resolution_metric_and_a_range_moved_in_place(operator, control_plane, emulator, namespace):
    kit.apply(control_plane, scaled(namespace, "surge"), emulator)
    obj = kit.wait_condition(control_plane, namespace, "surge", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]

    wait_range(emulator, endpoint, 1, 3)
    [policy] = kit.wait_for(lambda: policies(emulator, endpoint), timeout=30, what="the scaling policy")
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == HIGH_RESOLUTION
    assert (config["TargetValue"], config["ScaleOutCooldown"], config["ScaleInCooldown"]) == (8.0, 30, 300)
    assert policy["PolicyName"] == f"{endpoint}-primary-target-tracking"

    def variant_status():
        current = kit.get(control_plane, namespace, "surge")
        variants = current["status"].get("variants") or []
        return variants and variants[0].get("policies") and variants[0]
    variant = kit.wait_for(variant_status, timeout=30, what="the variant's scaling in status")
    assert (variant["minInstances"], variant["maxInstances"]) == (1, 3)
    assert variant["policies"] == [policy["PolicyName"]]
    assert variant["currentInstances"] == variant["desiredInstances"] == 1
    printed = control_plane.kubectl("get", "mep", "surge", "-n", namespace, "--no-headers",
                                    "-o", "custom-columns=INSTANCES:.status.instances").stdout.strip()
    assert printed == "1/1"

    sm = kit.client(emulator, "sagemaker")
    config_before = sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
    mark = last_seq(emulator)
    kit.patch_spec(control_plane, namespace, "surge", {"instances": {"type": "ml.m5.large", "min": 2, "max": 5}})

    wait_range(emulator, endpoint, 2, 5)
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == config_before
    calls = endpoint_calls(emulator, endpoint, after=mark)
    assert ("application-autoscaling", "RegisterScalableTarget") in calls
    assert not {("application-autoscaling", "DeregisterScalableTarget"), ("sagemaker", "UpdateEndpoint")} & set(calls), calls


def test_an_instance_type_change_deregisters_updates_and_registers_again_in_that_order(operator, control_plane, emulator, namespace):
    kit.apply(control_plane, scaled(namespace, "resize"), emulator)
    obj = kit.wait_condition(control_plane, namespace, "resize", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    wait_range(emulator, endpoint, 1, 3)
    kit.wait_for(lambda: policies(emulator, endpoint), timeout=30, what="the scaling policy")
    mark = last_seq(emulator)

    kit.patch_spec(control_plane, namespace, "resize", {"instances": {"type": "ml.c5.xlarge", "min": 1, "max": 3}})

    sm = kit.client(emulator, "sagemaker")

    def serving_new_type():
        config = sm.describe_endpoint_config(EndpointConfigName=sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"])
        return config["ProductionVariants"][0]["InstanceType"] == "ml.c5.xlarge" and target(emulator, endpoint) and policies(emulator, endpoint)
    kit.wait_for(serving_new_type, timeout=90, what="the new instance type with its target registered again")

    calls = [op for service, op in endpoint_calls(emulator, endpoint, after=mark)
             if op in ("DeregisterScalableTarget", "UpdateEndpoint", "RegisterScalableTarget", "PutScalingPolicy")]
    assert calls[:4] == ["DeregisterScalableTarget", "UpdateEndpoint", "RegisterScalableTarget", "PutScalingPolicy"], calls
    kit.wait_condition(control_plane, namespace, "resize", "Ready", generation=2, timeout=30)


def test_an_unrelated_update_keeps_the_count_the_autoscaler_set(operator, control_plane, emulator, namespace):
    kit.apply(control_plane, scaled(namespace, "steady"), emulator)
    obj = kit.wait_condition(control_plane, namespace, "steady", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    wait_range(emulator, endpoint, 1, 3)
    sm = kit.client(emulator, "sagemaker")

    kit.scale_out(emulator, endpoint, 3)
    old_config = sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]

    new_url = "s3://example-models/steady/v2/model.tar.gz"
    kit.seed_artifacts(emulator.url, [new_url])
    kit.patch_spec(control_plane, namespace, "steady", {"models": [{"name": "scorer", "modelDataUrl": new_url}]})

    def updated():
        d = sm.describe_endpoint(EndpointName=endpoint)
        return d["EndpointStatus"] == "InService" and d["EndpointConfigName"] != old_config and d
    after = kit.wait_for(updated, timeout=90, what="the endpoint on the new config")
    [variant] = after["ProductionVariants"]
    assert (variant["CurrentInstanceCount"], variant["DesiredInstanceCount"]) == (3, 3)
    new_config = sm.describe_endpoint_config(EndpointConfigName=after["EndpointConfigName"])
    assert new_config["ProductionVariants"][0]["InitialInstanceCount"] == 1  # the spec's minimum, not used
    assert target(emulator, endpoint)["MinCapacity"] == 1  # never deregistered
    updates = [c for c in emulator.client.calls(service="sagemaker", operation="UpdateEndpoint")
               if c["params"].get("EndpointName") == endpoint]
    assert [u["params"].get("RetainAllVariantProperties") for u in updates] == [True]


def test_lowering_max_below_the_running_count_brings_the_count_down(operator, control_plane, emulator, namespace):
    kit.apply(control_plane, scaled(namespace, "shrink"), emulator)
    obj = kit.wait_condition(control_plane, namespace, "shrink", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    wait_range(emulator, endpoint, 1, 3)
    sm = kit.client(emulator, "sagemaker")
    kit.scale_out(emulator, endpoint, 3)

    kit.patch_spec(control_plane, namespace, "shrink", {"instances": {"type": "ml.m5.large", "min": 1, "max": 2}})

    wait_range(emulator, endpoint, 1, 2)
    kit.wait_for(lambda: (d := sm.describe_endpoint(EndpointName=endpoint))["EndpointStatus"] == "InService"
                 and d["ProductionVariants"][0]["CurrentInstanceCount"] == 2, timeout=60, what="2 instances")

    def settled():
        current = kit.get(control_plane, namespace, "shrink")
        variants = (current.get("status") or {}).get("variants") or []
        ready = kit.condition(current, "Ready")
        return variants and variants[0].get("currentInstances") == 2 and ready and ready["status"] == "True" and current
    current = kit.wait_for(settled, timeout=60, what="status at 2 instances and Ready")
    assert kit.condition(current, "Progressing")["reason"] != "ScalingIntoRange"


def test_delete_leaves_no_target_policy_schedule_or_alarm(operator, control_plane, emulator, namespace):
    doc = scaled(namespace, "nightly", autoscaling={
        "schedules": [{"name": "night", "cron": "0 22 * * *", "timeZone": "Europe/Berlin", "min": 1, "max": 1},
                      {"name": "morning", "cron": "0 6 * * 1-5", "timeZone": "Europe/Berlin", "min": 2}]})
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "nightly", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    resource_id = f"endpoint/{endpoint}/variant/primary"
    aas = kit.client(emulator, "application-autoscaling")
    cw = kit.client(emulator, "cloudwatch")

    def schedules():
        return aas.describe_scheduled_actions(ServiceNamespace="sagemaker", ResourceId=resource_id)["ScheduledActions"]
    found = kit.wait_for(lambda: len(schedules()) == 2 and schedules(), timeout=30, what="both scheduled actions")
    assert {(s["Schedule"], s["Timezone"]) for s in found} == {
        ("cron(0 22 * * ? *)", "Europe/Berlin"), ("cron(0 6 ? * MON-FRI *)", "Europe/Berlin")}
    assert kit.wait_for(lambda: policies(emulator, endpoint), timeout=30, what="the policy")
    alarms = [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"] if resource_id in a["AlarmName"]]
    assert alarms, "target tracking made no alarms"

    kit.delete(control_plane, namespace, "nightly", timeout=90)

    assert target(emulator, endpoint) is None
    assert policies(emulator, endpoint) == []
    assert schedules() == []
    assert [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"] if endpoint in a["AlarmName"]] == []
    assert kit.owned_resources(emulator, obj["metadata"]["uid"]) == {"endpoints": [], "configs": [], "models": []}
