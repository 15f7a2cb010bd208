"""A real-time endpoint, end to end: apply, wait Ready, change the model, delete."""

from __future__ import annotations


from . import kit


def test_example_becomes_ready_and_matches_the_manifest(operator, control_plane, emulator, namespace):
    doc = kit.example("realtime.yaml", namespace)
    name = doc["metadata"]["name"]
    kit.apply(control_plane, doc, emulator)

    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)

    status = obj["status"]
    assert status["observedGeneration"] == obj["metadata"]["generation"]
    assert kit.condition(obj, "Ready")["observedGeneration"] == obj["metadata"]["generation"]
    assert kit.condition(obj, "Degraded")["status"] == "False"
    sm = kit.client(emulator, "sagemaker")
    endpoint = sm.describe_endpoint(EndpointName=status["endpoint"]["name"])
    assert endpoint["EndpointStatus"] == "InService"
    assert status["endpoint"]["arn"] == endpoint["EndpointArn"]
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    [variant] = config["ProductionVariants"]
    spec = doc["spec"]
    assert variant["InstanceType"] == spec["instances"]["type"]
    assert variant["InitialInstanceCount"] == spec["instances"].get("min", 1)
    model = sm.describe_model(ModelName=variant["ModelName"])
    assert model["PrimaryContainer"]["ModelDataUrl"] == spec["models"][0]["modelDataUrl"]
    assert model["ExecutionRoleArn"] == spec["executionRoleArn"]
    owned = kit.owned_resources(emulator, obj["metadata"]["uid"])
    assert owned["endpoints"] == [endpoint["EndpointName"]]
    assert owned["configs"] == [config["EndpointConfigName"]]
    assert owned["models"] == [variant["ModelName"]]
    reasons = {reason for _, reason, _ in kit.events(control_plane, namespace, name)}
    assert {"CreateModel", "CreateEndpointConfig", "CreateEndpoint"} <= reasons


def test_a_model_change_updates_in_place_and_collects_the_old_config(operator, control_plane, emulator, namespace):
    doc = kit.example("realtime.yaml", namespace, rename="churn")
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "churn", "Ready", timeout=90)
    endpoint_name = obj["status"]["endpoint"]["name"]
    sm = kit.client(emulator, "sagemaker")
    before = sm.describe_endpoint(EndpointName=endpoint_name)
    old_config = before["EndpointConfigName"]
    old_model = sm.describe_endpoint_config(EndpointConfigName=old_config)["ProductionVariants"][0]["ModelName"]

    # Watch the endpoint the whole time: it must serve throughout the update.
    with kit.watching(sm, endpoint_name) as seen:
        new_url = doc["spec"]["models"][0]["modelDataUrl"].replace("model.tar.gz", "v2/model.tar.gz")
        models = [{**doc["spec"]["models"][0], "modelDataUrl": new_url}]
        kit.seed_artifacts(emulator.url, [new_url])
        kit.patch_spec(control_plane, namespace, "churn", {"models": models})
        obj = kit.wait_condition(control_plane, namespace, "churn", "Ready", generation=2, timeout=90)
        # Collected once the endpoint serves the new config.
        kit.wait_for(lambda: len(kit.owned_resources(emulator, obj["metadata"]["uid"])["configs"]) == 1,
                     timeout=30, what="the superseded config to be collected")

    after = sm.describe_endpoint(EndpointName=endpoint_name)
    assert after["EndpointConfigName"] != old_config
    new_model = sm.describe_endpoint_config(EndpointConfigName=after["EndpointConfigName"])["ProductionVariants"][0]["ModelName"]
    assert sm.describe_model(ModelName=new_model)["PrimaryContainer"]["ModelDataUrl"] == new_url
    owned = kit.owned_resources(emulator, obj["metadata"]["uid"])
    assert old_config not in owned["configs"] and old_model not in owned["models"]
    assert "Updating" in seen, seen
    assert set(seen) <= {"InService", "Updating"}, f"the endpoint stopped serving: {sorted(set(seen))}"


def test_delete_policy_delete_leaves_nothing_behind(operator, control_plane, emulator, namespace):
    doc = kit.example("realtime.yaml", namespace, rename="short-lived")
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "short-lived", "Ready", timeout=90)
    uid = obj["metadata"]["uid"]
    assert kit.owned_resources(emulator, uid)["endpoints"]

    kit.delete(control_plane, namespace, "short-lived", timeout=90)

    assert kit.get(control_plane, namespace, "short-lived") is None
    assert kit.owned_resources(emulator, uid) == {"endpoints": [], "configs": [], "models": []}


def test_delete_policy_retain_keeps_the_endpoint_serving(operator, control_plane, emulator, namespace):
    doc = kit.example("realtime.yaml", namespace, rename="keeper")
    doc["spec"]["deletionPolicy"] = "Retain"
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "keeper", "Ready", timeout=90)
    uid = obj["metadata"]["uid"]
    before = kit.owned_resources(emulator, uid)

    kit.delete(control_plane, namespace, "keeper", timeout=60)

    assert kit.owned_resources(emulator, uid) == before
    sm = kit.client(emulator, "sagemaker")
    assert sm.describe_endpoint(EndpointName=obj["status"]["endpoint"]["name"])["EndpointStatus"] == "InService"


def test_an_endpoint_deleted_out_of_band_is_recreated(operator, control_plane, emulator, namespace):
    doc = kit.example("realtime.yaml", namespace, rename="drifty")
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "drifty", "Ready", timeout=90)
    endpoint_name = obj["status"]["endpoint"]["name"]
    sm = kit.client(emulator, "sagemaker")

    sm.delete_endpoint(EndpointName=endpoint_name)

    kit.wait_for(lambda: any(r == "DriftCorrected" for _, r, _ in kit.events(control_plane, namespace, "drifty")),
                 timeout=60, what="a DriftCorrected event")
    kit.wait_for(lambda: _status(sm, endpoint_name) == "InService", timeout=90, what="the endpoint to serve again")
    kit.wait_condition(control_plane, namespace, "drifty", "Ready", timeout=30)


def _status(sm, endpoint_name: str) -> str:
    try:
        return sm.describe_endpoint(EndpointName=endpoint_name)["EndpointStatus"]
    except sm.exceptions.ClientError as error:
        return error.response["Error"]["Code"]
