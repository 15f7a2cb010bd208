"""The case study's layout as inference components: three pinned models and eight that
sleep, on one endpoint. What Application Auto Scaling does (a scale-in to the
registered minimum, a wake-up of +1 copy) is done here through the same API call it
makes, UpdateInferenceComponentRuntimeConfig."""

from __future__ import annotations

import json
import threading

import pytest
from botocore.exceptions import ClientError

from endpoint_operator.plan.migration import slots

from . import kit

COMPONENT_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


def _deployed(control_plane, emulator, namespace) -> tuple[dict, dict, dict[str, dict]]:
    """The example applied and Ready: (document, object, status components by model)."""
    doc = kit.example("inference-components.yaml", namespace)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, doc["metadata"]["name"], "Ready", timeout=90)
    return doc, obj, {c["model"]: c for c in obj["status"]["components"]}


def _copies(sm, name: str) -> int:
    return sm.describe_inference_component(InferenceComponentName=name)["RuntimeConfig"]["CurrentCopyCount"]


def _settled(sm, name: str) -> dict:
    return kit.wait_for(lambda: (lambda d: d if d["InferenceComponentStatus"] == "InService" else None)(
        sm.describe_inference_component(InferenceComponentName=name)), timeout=30, what=f"{name} InService")


def _scale(sm, name: str, copies: int) -> None:
    """What Application Auto Scaling does to a component's DesiredCopyCount."""
    sm.update_inference_component_runtime_config(InferenceComponentName=name, DesiredRuntimeConfig={"CopyCount": copies})
    _settled(sm, name)


def _last_call(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0


def _invoke(emulator, endpoint: str, component: str) -> dict:
    runtime = kit.client(emulator, "sagemaker-runtime")
    answer = runtime.invoke_endpoint(EndpointName=endpoint, InferenceComponentName=component,
                                     ContentType="application/json", Body=b"{}")
    return json.loads(answer["Body"].read())


def test_pinned_components_keep_their_copies_through_scale_in_and_a_sleeping_one_wakes(
        operator, control_plane, emulator, namespace):
    doc, obj, components = _deployed(control_plane, emulator, namespace)
    name, endpoint = doc["metadata"]["name"], obj["status"]["endpoint"]["name"]
    assert obj["status"]["pinned"] == "3/11"
    table = control_plane.kubectl("get", "mep", name, "-n", namespace).stdout
    header, row = table.splitlines()
    assert row[header.index("PINNED"):].split()[0] == "3/11", table  # empty columns print as blanks
    pinned = [m["name"] for m in doc["spec"]["models"] if m["component"].get("copies", {}).get("min", 0) >= 1]
    sleepers = [m["name"] for m in doc["spec"]["models"] if m["name"] not in pinned]
    assert len(pinned) == 3 and len(sleepers) == 8
    assert {m: c["status"] for m, c in components.items()} == {m: "InService" for m in pinned + sleepers}

    sm, aas = kit.client(emulator, "sagemaker"), kit.client(emulator, "application-autoscaling")
    targets = {t["ResourceId"]: (t["MinCapacity"], t["MaxCapacity"]) for t in aas.describe_scalable_targets(
        ServiceNamespace="sagemaker", ScalableDimension=COMPONENT_DIMENSION)["ScalableTargets"]}
    for model in pinned:
        assert targets[f"inference-component/{components[model]['name']}"][0] == 1
    for model in sleepers:
        assert targets[f"inference-component/{components[model]['name']}"] == (0, 1)

    # Idle: Application Auto Scaling takes every component to its registered minimum.
    for model in pinned + sleepers:
        _scale(sm, components[model]["name"], targets[f"inference-component/{components[model]['name']}"][0])
    for model in pinned:
        assert _copies(sm, components[model]["name"]) == 1
        assert _invoke(emulator, endpoint, components[model]["name"])["copies"] == 1  # answers at once
    for model in sleepers:
        assert _copies(sm, components[model]["name"]) == 0
    cold = components[sleepers[0]]["name"]
    kit.wait_for(lambda: {c["model"]: c.get("currentCopies") for c in
                          kit.get(control_plane, namespace, name)["status"]["components"]}.get(sleepers[0]) == 0,
                 timeout=30, what="status to show the sleeping component at 0 copies")
    scaled_in = kit.get(control_plane, namespace, name)
    assert kit.condition(scaled_in, "Ready")["status"] == "True"
    # status.cost counts the instances managed scaling keeps for the pinned copies (3 GPUs: one instance).
    running = sm.describe_endpoint(EndpointName=endpoint)["ProductionVariants"][0]["CurrentInstanceCount"]
    assert running == 1
    kit.wait_for(lambda: kit.get(control_plane, namespace, name)["status"]["cost"]["instances"] == running,
                 timeout=30, what="status.cost to count the instances left after the scale-in")

    # A request to the sleeping model fails and is counted; the operator's alarm on that
    # count triggers its step policy, which adds one copy.
    with pytest.raises(ClientError):
        _invoke(emulator, endpoint, cold)
    cloudwatch = kit.client(emulator, "cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[f"{cold}-no-capacity"])["MetricAlarms"]
    assert (alarm["MetricName"], alarm["Dimensions"]) == (
        "NoCapacityInvocationFailures", [{"Name": "InferenceComponentName", "Value": cold}])
    [wake] = [p for p in aas.describe_scaling_policies(ServiceNamespace="sagemaker", ResourceId=f"inference-component/{cold}")
              ["ScalingPolicies"] if p["PolicyType"] == "StepScaling"]
    assert alarm["AlarmActions"] == [wake["PolicyARN"]]
    assert wake["StepScalingPolicyConfiguration"]["StepAdjustments"][0]["ScalingAdjustment"] == 1
    _scale(sm, cold, 1)
    assert _invoke(emulator, endpoint, cold)["copies"] == 1


def test_an_image_change_rolls_one_component_while_the_others_serve(operator, control_plane, emulator, namespace):
    doc, obj, components = _deployed(control_plane, emulator, namespace)
    name, endpoint = doc["metadata"]["name"], obj["status"]["endpoint"]["name"]
    sm = kit.client(emulator, "sagemaker")
    changed, other = components["recsys-home"]["name"], components["recsys-search"]["name"]
    log_start = _last_call(emulator)

    new_image = doc["spec"]["image"].replace("2.3.0", "2.4.0")
    models = [dict(m, image=new_image) if m["name"] == "recsys-home" else m for m in doc["spec"]["models"]]
    kit.patch_spec(control_plane, namespace, name, {"models": models})
    kit.wait_for(lambda: sm.describe_inference_component(InferenceComponentName=changed)
                 ["InferenceComponentStatus"] == "Updating", timeout=30, what="the rolling update to start")
    assert _invoke(emulator, endpoint, other)["image"] == doc["spec"]["image"]  # the others keep serving
    assert _invoke(emulator, endpoint, changed)["image"] == doc["spec"]["image"]  # old copies until the new ones

    kit.wait_condition(control_plane, namespace, name, "Ready", generation=2, timeout=60)
    assert _invoke(emulator, endpoint, changed)["image"] == new_image
    calls = emulator.client.calls(service="sagemaker", after=log_start)
    updates = [c for c in calls if c["operation"] == "UpdateInferenceComponent"]
    assert [c["params"]["InferenceComponentName"] for c in updates] == [changed]
    assert "RollingUpdatePolicy" in updates[0]["params"]["DeploymentConfig"]
    assert not [c for c in calls if c["operation"] in ("UpdateEndpoint", "CreateEndpoint", "DeleteInferenceComponent")]


def test_deletion_removes_targets_then_components_then_the_endpoint(operator, control_plane, emulator, namespace):
    doc, obj, components = _deployed(control_plane, emulator, namespace)
    name, endpoint = doc["metadata"]["name"], obj["status"]["endpoint"]["name"]
    log_start = _last_call(emulator)

    kit.delete(control_plane, namespace, name)

    sm, aas = kit.client(emulator, "sagemaker"), kit.client(emulator, "application-autoscaling")
    assert sm.list_inference_components(EndpointNameEquals=endpoint)["InferenceComponents"] == []
    assert kit.owned_resources(emulator, obj["metadata"]["uid"]) == {"endpoints": [], "configs": [], "models": []}
    ids = [f"inference-component/{c['name']}" for c in components.values()]
    assert aas.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=ids,
                                         ScalableDimension=COMPONENT_DIMENSION)["ScalableTargets"] == []
    alarms = kit.client(emulator, "cloudwatch").describe_alarms(AlarmNamePrefix=endpoint)["MetricAlarms"]
    assert alarms == []
    calls = emulator.client.calls(after=log_start)
    order = [(c["operation"], c["params"].get("ResourceId") or c["params"].get("InferenceComponentName")
              or c["params"].get("EndpointName")) for c in calls if c["status"] < 400 and c["operation"] in (
                  "DeregisterScalableTarget", "DeleteInferenceComponent", "DeleteEndpoint")]
    deleted_endpoint = order.index(("DeleteEndpoint", endpoint))
    for component in components.values():
        deregistered = order.index(("DeregisterScalableTarget", f"inference-component/{component['name']}"))
        deleted = order.index(("DeleteInferenceComponent", component["name"]))
        assert deregistered < deleted < deleted_endpoint


SKLEARN = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
MODELS = [{"name": n, "modelDataUrl": f"s3://example-models/{n}/v1/model.tar.gz"} for n in ("ranker", "scorer")]
COMPONENT = {"memoryMB": 2048, "cpuCores": 1, "copies": {"min": 1, "max": 1}}


def _serves(sm, endpoint: str) -> bool:
    """InService, and for an endpoint of components every component too."""
    try:
        described = sm.describe_endpoint(EndpointName=endpoint)
    except ClientError:
        return False
    if described["EndpointStatus"] != "InService":
        return False
    config = sm.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    if all(v.get("ModelName") for v in config["ProductionVariants"]):
        return True
    hosted = sm.list_inference_components(EndpointNameEquals=endpoint)["InferenceComponents"]
    return bool(hosted) and all(c["InferenceComponentStatus"] == "InService" for c in hosted)


def test_multi_model_to_inference_components_and_back_always_serves(operator, control_plane, emulator, namespace):
    spec = {"mode": "MultiModel", "image": SKLEARN, "models": MODELS,
            "instances": {"type": "ml.c5.xlarge", "min": 1, "max": 1}}
    kit.apply(control_plane, kit.manifest("moving", namespace, spec), emulator)
    obj = kit.wait_condition(control_plane, namespace, "moving", "Ready", timeout=90)
    names = list(slots(obj["status"]["endpoint"]["name"]))
    sm = kit.client(emulator, "sagemaker")
    gaps: list[str] = []
    samples = 0
    stop = threading.Event()

    def watch():
        nonlocal samples
        while not stop.is_set():
            samples += 1
            if not any(_serves(sm, n) for n in names):
                gaps.append(f"sample {samples}")
            stop.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        kit.patch_spec(control_plane, namespace, "moving", {
            "mode": "InferenceComponents", "models": [dict(m, component=COMPONENT) for m in MODELS]})
        obj = kit.wait_condition(control_plane, namespace, "moving", "Ready", generation=2, timeout=90)
        assert (obj["status"]["mode"], obj["status"]["endpoint"]["name"]) == ("InferenceComponents", names[1])
        kit.wait_for(lambda: "migration" not in kit.get(control_plane, namespace, "moving")["status"], timeout=60,
                     what="the multi-model endpoint to be retired")
        assert kit.owned_resources(emulator, obj["metadata"]["uid"])["endpoints"] == [names[1]]

        kit.patch_spec(control_plane, namespace, "moving", {"mode": "MultiModel", "models": MODELS})
        obj = kit.wait_condition(control_plane, namespace, "moving", "Ready", generation=3, timeout=90)
        assert (obj["status"]["mode"], obj["status"]["endpoint"]["name"]) == ("MultiModel", names[0])
        kit.wait_for(lambda: "migration" not in kit.get(control_plane, namespace, "moving")["status"], timeout=60,
                     what="the inference-component endpoint to be retired")
    finally:
        stop.set()
        watcher.join()

    assert samples > 10 and not gaps, f"no endpoint served at {gaps[:3]}"
    assert sm.list_inference_components(EndpointNameEquals=names[1])["InferenceComponents"] == []
    assert kit.owned_resources(emulator, obj["metadata"]["uid"])["endpoints"] == [names[0]]


def test_retain_keeps_the_components_serving_and_marks_them_released(operator, control_plane, emulator, namespace):
    spec = {"mode": "InferenceComponents", "image": SKLEARN, "deletionPolicy": "Retain",
            "models": [dict(m, component=COMPONENT) for m in MODELS],
            "instances": {"type": "ml.c5.xlarge", "min": 1, "max": 2}}
    kit.apply(control_plane, kit.manifest("kept", namespace, spec), emulator)
    obj = kit.wait_condition(control_plane, namespace, "kept", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]

    kit.delete(control_plane, namespace, "kept")

    sm = kit.client(emulator, "sagemaker")
    hosted = sm.list_inference_components(EndpointNameEquals=endpoint)["InferenceComponents"]
    assert sorted(c["InferenceComponentName"] for c in hosted) == sorted(c["name"] for c in obj["status"]["components"])
    assert all(c["InferenceComponentStatus"] == "InService" for c in hosted)
    for component in hosted:
        tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=component["InferenceComponentArn"])["Tags"]}
        assert "endpoint-operator.io/retained" in tags
