"""Canary steps on a multi-model endpoint, end to end: a changed artifact walks the
steps with its metric gates judged on the emulator's per-variant metrics, callers keep
their TargetModel throughout (the primary serves the old folder, the canary the new),
and once promoted S3 holds the new folder alone.

The steps' pauses are minutes of virtual time: the emulator runs its clock 60 times
faster and the operator (one of this module's own) follows it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

from . import kit
from .test_traffic_scaling import sandbox  # noqa: F401 (an emulator and an operator that follows its clock)

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311"
SCALE = 60
OLD_URL = "s3://example-models/recsys/home/v7/model.tar.gz"


def manifest(namespace: str, name: str, home: str) -> dict[str, Any]:
    return kit.manifest(name, namespace, {
        "mode": "MultiModel",
        "image": IMAGE,
        "models": [{"name": "home", "modelDataUrl": home},
                   {"name": "search", "modelDataUrl": "s3://example-models/recsys/search/v4/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 1},
        "multiModel": {"artifactPrefix": f"s3://example-models/endpoint-operator/{namespace}/{name}/"},
        "rollout": {
            "steps": [{"weight": 15, "pause": "2m"}, {"weight": 50, "pause": "2m"}, {"weight": 100}],
            # Judged on what each variant publishes: its error rate and its latency, which on a
            # multi-model variant includes the calls that waited for a model to load.
            "analysis": {"interval": "30s", "metrics": [
                {"name": "Invocation5XXErrors", "max": "2%"},
                {"name": "ModelLatency", "max": "1s"}]},
        },
        "deletionPolicy": "Delete",
    })


def digest(emulator, url: str) -> str:
    bucket, key = url.removeprefix("s3://").split("/", 1)
    return hashlib.sha256(kit.client(emulator, "s3").get_object(Bucket=bucket, Key=key)["Body"].read()).hexdigest()


def serving(control_plane, sandbox, namespace: str, name: str) -> tuple[dict[str, Any], str, str]:
    """A multi-model endpoint Ready on the first artifact: its manifest, endpoint and prefix."""
    doc = manifest(namespace, name, OLD_URL)
    kit.apply(control_plane, doc, sandbox)
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)
    return doc, obj["status"]["endpoint"]["name"], doc["spec"]["multiModel"]["artifactPrefix"]


def test_a_changed_artifact_walks_the_canary_steps_while_target_model_calls_keep_succeeding(
        control_plane, sandbox, namespace):
    name = "mme-canary"
    new_url = "s3://example-models/recsys/home/v8/model.tar.gz"
    doc, endpoint, prefix = serving(control_plane, sandbox, namespace, name)
    [old_folder] = {k.rsplit("/", 2)[-2] for k in kit.s3_keys(sandbox, prefix)}
    sandbox.client.constant_load(endpoint, 10, default={"serviceRate": 20},
                                 multiModel={"models": {"home.tar.gz": 1, "search.tar.gz": 1}})

    kit.seed_artifacts(sandbox.url, [new_url])
    old, new = digest(sandbox, OLD_URL), digest(sandbox, new_url)
    kit.patch_spec(control_plane, namespace, name, {"models": [{"name": "home", "modelDataUrl": new_url},
                                                               doc["spec"]["models"][1]]})
    sandbox.client.set_time_scale(SCALE)
    runtime = kit.client(sandbox, "sagemaker-runtime")
    served: dict[str, set[str]] = {"primary": set(), "canary": set()}
    failures: list[str] = []
    folders_seen: list[set[str]] = []

    def call(target: str, variant: str | None = None) -> dict[str, Any] | None:
        extra = {"TargetVariant": variant} if variant else {}
        try:
            answer = runtime.invoke_endpoint(EndpointName=endpoint, TargetModel=target, ContentType="application/json",
                                             Body=b"{}", **extra)
        except ClientError as error:
            failures.append(f"{target} {variant}: {error}")
            return None
        invoked = answer["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-invoked-production-variant")
        if variant and invoked != variant:
            return None  # that variant is not (or no longer) on the endpoint
        return json.loads(answer["Body"].read())

    def promoted() -> bool:
        for target in ("home.tar.gz", "search.tar.gz"):
            call(target)  # as callers do: no variant named, SageMaker routes by weight
        rollout = ((kit.get(control_plane, namespace, name) or {}).get("status") or {}).get("rollout") or {}
        if rollout.get("phase") in ("Progressing", "AwaitingPromotion"):
            for variant in ("primary", "canary"):
                answer = call("home.tar.gz", variant)
                if answer is not None:
                    served[variant].add(answer["sha256"])
            folders_seen.append({k.rsplit("/", 2)[-2] for k in kit.s3_keys(sandbox, prefix)})
        return rollout.get("phase") == "Succeeded"

    try:
        kit.wait_for(promoted, timeout=120, interval=0.1, what="the rollout to succeed")
    except AssertionError:
        print(json.dumps((kit.get(control_plane, namespace, name) or {}).get("status"), indent=1, default=str))
        print(failures[:5])
        raise
    sandbox.client.clear_traffic(endpoint)
    sandbox.client.set_time_scale(1)

    assert failures == []
    # While the steps held, the primary answered from the old folder, the canary from the new one.
    assert served == {"primary": {old}, "canary": {new}}
    assert folders_seen and all(len(seen) == 2 and old_folder in seen for seen in folders_seen)
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", generation=2, timeout=60)
    rollout = obj["status"]["rollout"]
    assert rollout["phase"] == "Succeeded" and rollout["progress"] == "3/3"
    shifts = [c["params"]["DesiredWeightsAndCapacities"] for c in sandbox.client.calls(
        service="sagemaker", operation="UpdateEndpointWeightsAndCapacities")
        if c["params"]["EndpointName"] == endpoint and c["status"] < 400]
    assert [next(r["DesiredWeight"] for r in rows if r["VariantName"] == "canary") for rows in shifts
            if any("DesiredWeight" in r for r in rows)] == [50.0, 100.0]
    # The new folder alone is left under the prefix, and callers get the new artifact.
    keys = kit.wait_for(lambda: (lambda ks: ks if len(ks) == 2 else None)(kit.s3_keys(sandbox, prefix)), timeout=30,
                        what="the old folder to be collected")
    [new_folder] = {k.rsplit("/", 2)[-2] for k in keys}
    assert new_folder != old_folder and [k.rsplit("/", 1)[-1] for k in keys] == ["home.tar.gz", "search.tar.gz"]
    assert call("home.tar.gz")["sha256"] == new


def test_a_failing_canary_rolls_back_and_s3_keeps_the_old_folder_alone(control_plane, sandbox, namespace):
    name = "mme-rollback"
    new_url = "s3://example-models/recsys/home/v9/model.tar.gz"
    doc, endpoint, prefix = serving(control_plane, sandbox, namespace, name)
    before = kit.s3_keys(sandbox, prefix)
    # The new model answers one call in five with a 5xx: its error rate gate fails at the first step.
    sandbox.client.constant_load(endpoint, 10, default={"serviceRate": 20}, variants={"canary": {"errorRate": 0.2}},
                                 multiModel={"models": {"home.tar.gz": 1, "search.tar.gz": 1}})
    kit.seed_artifacts(sandbox.url, [new_url])
    kit.patch_spec(control_plane, namespace, name, {"models": [{"name": "home", "modelDataUrl": new_url},
                                                               doc["spec"]["models"][1]]})
    sandbox.client.set_time_scale(SCALE)
    try:
        def rolled_back():
            rollout = ((kit.get(control_plane, namespace, name) or {}).get("status") or {}).get("rollout") or {}
            return rollout if rollout.get("phase") == "RolledBack" else None
        rollout = kit.wait_for(rolled_back, timeout=90, interval=0.2, what="the rollout to roll back")
    finally:
        sandbox.client.clear_traffic(endpoint)
        sandbox.client.set_time_scale(1)

    assert "Invocation5XXErrors" in rollout["message"] and rollout["progress"] == "1/3"
    # Back on the old config, and the new folder is gone: S3 holds what it held before the change.
    kit.wait_for(lambda: kit.s3_keys(sandbox, prefix) == before, timeout=30, what="the new folder to be collected")
    sm = kit.client(sandbox, "sagemaker")
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == rollout["fromRevision"]
    runtime = kit.client(sandbox, "sagemaker-runtime")
    answer = runtime.invoke_endpoint(EndpointName=endpoint, TargetModel="home.tar.gz", ContentType="application/json",
                                     Body=b"{}")
    assert json.loads(answer["Body"].read())["sha256"] == digest(sandbox, OLD_URL)
