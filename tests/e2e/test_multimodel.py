"""A multi-model endpoint: models live under one S3 prefix; adding or removing one is
an S3 change, never a new fleet."""

from __future__ import annotations

import hashlib
import json

from . import kit


def test_models_are_placed_under_one_prefix_and_added_without_an_update(operator, control_plane, emulator, namespace):
    doc = kit.example("multimodel.yaml", namespace)
    name = doc["metadata"]["name"]
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)

    sm = kit.client(emulator, "sagemaker")
    endpoint = sm.describe_endpoint(EndpointName=obj["status"]["endpoint"]["name"])
    config = sm.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    [variant] = config["ProductionVariants"]
    container = sm.describe_model(ModelName=variant["ModelName"])["PrimaryContainer"]
    assert container["Mode"] == "MultiModel"
    prefix = container["ModelDataUrl"]
    names = [m["name"] for m in doc["spec"]["models"]]
    assert len(names) >= 5
    assert [k.rsplit("/", 1)[-1] for k in kit.s3_keys(emulator, prefix)] == sorted(f"{n}.tar.gz" for n in names)

    # One more model: a copy under the prefix, the same config, no UpdateEndpoint.
    extra = {"name": "fraud-v2", "modelDataUrl": "s3://example-models/fraud/v2/model.tar.gz"}
    kit.seed_artifacts(emulator.url, [extra["modelDataUrl"]])
    kit.patch_spec(control_plane, namespace, name, {"models": [*doc["spec"]["models"], extra]})
    kit.wait_condition(control_plane, namespace, name, "Ready", generation=2, timeout=60)
    kit.wait_for(lambda: f"{extra['name']}.tar.gz" in [k.rsplit("/", 1)[-1] for k in kit.s3_keys(emulator, prefix)],
                 timeout=30, what="the new model's artifact under the prefix")
    assert sm.describe_endpoint(EndpointName=endpoint["EndpointName"])["EndpointConfigName"] == endpoint["EndpointConfigName"]

    # One model fewer: its artifact goes, the fleet stays.
    kept = doc["spec"]["models"][1:]
    kit.patch_spec(control_plane, namespace, name, {"models": kept})
    kit.wait_for(lambda: [k.rsplit("/", 1)[-1] for k in kit.s3_keys(emulator, prefix)] == sorted(f"{m['name']}.tar.gz" for m in kept),
                 timeout=60, what="the removed model's artifact to be deleted")
    assert sm.describe_endpoint(EndpointName=endpoint["EndpointName"])["EndpointConfigName"] == endpoint["EndpointConfigName"]


def _own_example(namespace: str) -> dict:
    """The example on an artifact prefix of its own: the example names one fixed prefix,
    and an endpoint collects every folder under its prefix that it does not serve."""
    doc = kit.example("multimodel.yaml", namespace)
    doc["spec"].pop("deployment")  # the guardrails' baking is not what this file tests
    doc["spec"]["multiModel"]["artifactPrefix"] = f"s3://example-models/endpoint-operator/{namespace}/recommendations/"
    return doc


def _served_digest(runtime, endpoint: str, target: str) -> str:
    answer = runtime.invoke_endpoint(EndpointName=endpoint, TargetModel=target, ContentType="application/json", Body=b"{}")
    return json.loads(answer["Body"].read())["sha256"]


def _digest_of(emulator, url: str) -> str:
    bucket, key = url.removeprefix("s3://").split("/", 1)
    return hashlib.sha256(kit.client(emulator, "s3").get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest()


def _serving(control_plane, emulator, namespace):
    """The example on an endpoint of its own, Ready, its first model served as seeded:
    the document, the endpoint's name, a runtime client and the first model."""
    doc = _own_example(namespace)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, doc["metadata"]["name"], "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    runtime = kit.client(emulator, "sagemaker-runtime")
    first = doc["spec"]["models"][0]
    assert _served_digest(runtime, endpoint, f"{first['name']}.tar.gz") == _digest_of(emulator, first["modelDataUrl"])
    return doc, endpoint, runtime, first


def test_a_changed_model_artifact_reaches_callers_under_the_same_target_model(operator, control_plane, emulator, namespace):
    doc, endpoint, runtime, first = _serving(control_plane, emulator, namespace)
    name = doc["metadata"]["name"]
    target = f"{first['name']}.tar.gz"

    # A new version of the first model: callers keep TargetModel and get the new one,
    # not the old version the instances had loaded.
    new_url = first["modelDataUrl"].replace("/v7/", "/v8/")
    kit.seed_artifacts(emulator.url, [new_url])
    models = [{**first, "modelDataUrl": new_url}, *doc["spec"]["models"][1:]]
    kit.patch_spec(control_plane, namespace, name, {"models": models})
    kit.wait_condition(control_plane, namespace, name, "Ready", generation=2, timeout=90)
    assert _served_digest(runtime, endpoint, target) == _digest_of(emulator, new_url)

    # Nothing of the old version is left under the prefix once the new fleet serves.
    prefix = doc["spec"]["multiModel"]["artifactPrefix"]
    kit.wait_for(lambda: len(kit.s3_keys(emulator, prefix)) == len(models), timeout=60,
                 what="the superseded artifact folder to be collected")


def test_a_model_removed_and_added_back_with_another_artifact_is_not_served_stale(operator, control_plane, emulator, namespace):
    doc, endpoint, runtime, first = _serving(control_plane, emulator, namespace)
    name, rest = doc["metadata"]["name"], doc["spec"]["models"][1:]
    target = f"{first['name']}.tar.gz"

    # Removed: an S3 delete, the fleet stays and may still hold the model it loaded.
    kit.patch_spec(control_plane, namespace, name, {"models": rest})
    kit.wait_condition(control_plane, namespace, name, "Ready", generation=2, timeout=60)
    # Back under the same name with another artifact: callers get that one.
    new_url = first["modelDataUrl"].replace("/v7/", "/v8/")
    kit.seed_artifacts(emulator.url, [new_url])
    kit.patch_spec(control_plane, namespace, name, {"models": [{**first, "modelDataUrl": new_url}, *rest]})
    kit.wait_condition(control_plane, namespace, name, "Ready", generation=3, timeout=90)
    assert _served_digest(runtime, endpoint, target) == _digest_of(emulator, new_url)
def multimodel_manifest(name: str, namespace: str) -> dict:
    return kit.manifest(name, namespace, {
        "mode": "MultiModel",
        "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311",
        "models": [{"name": "home", "modelDataUrl": "s3://example-models/recsys/home/v7/model.tar.gz"},
                   {"name": "search", "modelDataUrl": "s3://example-models/recsys/search/v4/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 1},
        "deletionPolicy": "Delete",
    })


def artifact_prefix(emulator, endpoint: str) -> str:
    """Where SageMaker's multi-model container loads the models from."""
    sm = kit.client(emulator, "sagemaker")
    config = sm.describe_endpoint_config(EndpointConfigName=sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"])
    [variant] = config["ProductionVariants"]
    return sm.describe_model(ModelName=variant["ModelName"])["PrimaryContainer"]["ModelDataUrl"]


def test_artifacts_of_a_multi_model_past_are_collected_once_it_serves_as_realtime(
        operator, control_plane, emulator, namespace):
    doc = multimodel_manifest("shrinks", namespace)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "shrinks", "Ready", timeout=90)
    prefix = artifact_prefix(emulator, obj["status"]["endpoint"]["name"])
    assert len(kit.s3_keys(emulator, prefix)) == 2

    kit.patch_spec(control_plane, namespace, "shrinks", {"mode": "RealTime", "models": doc["spec"]["models"][:1]})
    obj = kit.wait_condition(control_plane, namespace, "shrinks", "Ready", generation=2, timeout=90)
    assert obj["status"]["mode"] == "RealTime"
    kit.wait_for(lambda: not kit.s3_keys(emulator, prefix), timeout=60,
                 what=f"the multi-model artifacts under {prefix} to be deleted")
    kit.wait_for(lambda: "artifactPrefix" not in (kit.get(control_plane, namespace, "shrinks")["status"]),
                 timeout=30, what="status.artifactPrefix to be cleared once collected")


def test_deleting_an_object_that_left_multi_model_deletes_its_artifacts(operator, control_plane, emulator, namespace):
    doc = multimodel_manifest("leaves", namespace)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "leaves", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    prefix = artifact_prefix(emulator, endpoint)
    # The move to RealTime fails and SageMaker rolls back: the multi-model endpoint still
    # serves from the prefix, so nothing under it may go yet.
    emulator.client.fail_next(endpoint, "the new model did not load", operation="update", rollback=True)
    kit.patch_spec(control_plane, namespace, "leaves", {"mode": "RealTime", "models": doc["spec"]["models"][:1]})
    obj = kit.wait_condition(control_plane, namespace, "leaves", "Degraded", reason="UpdateFailed", timeout=90)
    assert len(kit.s3_keys(emulator, prefix)) == 2

    kit.delete(control_plane, namespace, "leaves", timeout=120)
    assert kit.s3_keys(emulator, prefix) == []
    assert kit.owned_resources(emulator, obj["metadata"]["uid"]) == {"endpoints": [], "configs": [], "models": []}


def test_deleting_an_object_whose_prefix_moved_deletes_the_artifacts_under_both(
        operator, control_plane, emulator, namespace):
    doc = multimodel_manifest("moves", namespace)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, "moves", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    old = obj["status"]["artifactPrefix"]
    assert len(kit.s3_keys(emulator, old)) == 2
    # The move to the new prefix fails and SageMaker rolls back: the endpoint still serves
    # from the old prefix, so status keeps it recorded beside the spec's new one.
    moved = f"s3://example-models/moved/{namespace}/moves/"
    emulator.client.fail_next(endpoint, "the new model did not load", operation="update", rollback=True)
    kit.patch_spec(control_plane, namespace, "moves", {"multiModel": {"artifactPrefix": moved}})
    kit.wait_condition(control_plane, namespace, "moves", "Degraded", reason="UpdateFailed", timeout=90)
    assert len(kit.s3_keys(emulator, moved)) == 2 and len(kit.s3_keys(emulator, old)) == 2

    kit.delete(control_plane, namespace, "moves", timeout=120)
    assert kit.s3_keys(emulator, old) == [] and kit.s3_keys(emulator, moved) == []
    assert kit.owned_resources(emulator, obj["metadata"]["uid"]) == {"endpoints": [], "configs": [], "models": []}
