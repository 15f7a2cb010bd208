"""Brownfield: adopting a live endpoint in place, refusing one another object owns,
and retiring a replaced endpoint only once its invocations have stopped."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from endpoint_operator.api import constants
from endpoint_operator.plan.naming import content_hash
from endpoint_operator.sandbox.seed import seed_artifacts

from . import kit
from .test_audit import run_audit

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
ROLE = "arn:aws:iam::111122223333:role/sagemaker-exec"


def legacy_endpoint(emulator, name: str, tags: dict[str, str] | None = None) -> tuple[str, str]:
    """An endpoint made outside the operator, InService: (config, model)."""
    url = f"s3://example-models/legacy/{name}/model.tar.gz"
    seed_artifacts(emulator.url, [url])
    sm = kit.client(emulator, "sagemaker")
    extra = {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]} if tags else {}
    sm.create_model(ModelName=f"{name}-model", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": IMAGE, "ModelDataUrl": url})
    sm.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=[{
        "VariantName": "AllTraffic", "ModelName": f"{name}-model", "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1}])
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config", **extra)
    kit.wait_for(lambda: sm.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService",
                 what=f"{name} InService")
    return f"{name}-config", f"{name}-model"


def spec_for(model_url: str, **extra) -> dict:
    return {"mode": "RealTime", "image": IMAGE, "models": [{"name": "scorer", "modelDataUrl": model_url}],
            "instances": {"type": "ml.m5.large", "min": 1, "max": 1}, **extra}


def unique(prefix: str, namespace: str) -> str:
    return f"{prefix}-{content_hash(namespace)[:10]}"


def test_adopting_a_live_endpoint_creates_nothing_and_it_keeps_serving(operator, control_plane, emulator, namespace):
    name = unique("legacy", namespace)
    config, model = legacy_endpoint(emulator, name)
    sm = kit.client(emulator, "sagemaker")
    start = emulator.client.calls()[-1]["seq"]

    doc = kit.manifest("adopted", namespace, spec_for("s3://example-models/adopted/v2/model.tar.gz",
                                                      endpointName=name, adopt={"collectPrevious": True}))
    kit.apply(control_plane, doc, emulator)
    statuses: set[str] = set()

    def converged():
        statuses.add(sm.describe_endpoint(EndpointName=name)["EndpointStatus"])
        obj = kit.get(control_plane, namespace, "adopted")
        ready = kit.condition(obj, "Ready")
        adoption = (obj or {}).get("status", {}).get("adoption") or {}
        return obj if ready and ready["status"] == "True" and adoption.get("collected") else None

    obj = kit.wait_for(converged, timeout=90, what="the adopted endpoint Ready on the spec")
    calls = [c for c in emulator.client.calls(after=start) if c["params"].get("EndpointName") == name]
    assert "CreateEndpoint" not in {c["operation"] for c in calls}
    assert "DeleteEndpoint" not in {c["operation"] for c in calls}
    assert "UpdateEndpoint" in {c["operation"] for c in calls}
    assert statuses <= {"InService", "Updating"}, statuses  # never gone, never down
    adoption = obj["status"]["adoption"]
    assert (adoption["endpoint"], adoption["previousConfig"], adoption["previousModels"]) == (name, config, [model])
    assert obj["status"]["endpoint"]["name"] == name
    arn = sm.describe_endpoint(EndpointName=name)["EndpointArn"]
    tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}
    assert tags[constants.TAG_UID] == obj["metadata"]["uid"]
    configs = [c["EndpointConfigName"] for c in sm.list_endpoint_configs(NameContains=name)["EndpointConfigs"]]
    assert config not in configs  # collected, as spec.adopt.collectPrevious asked
    assert ("Normal", "Adopted") in {(t, r) for t, r, _ in kit.events(control_plane, namespace, "adopted")}

    kit.delete(control_plane, namespace, "adopted", timeout=90)  # deletionPolicy Delete: it is ours now
    assert name not in [e["EndpointName"] for e in sm.list_endpoints(NameContains=name)["Endpoints"]]


def test_adopting_an_endpoint_another_object_owns_is_refused(operator, control_plane, emulator, namespace):
    name = unique("owned", namespace)
    legacy_endpoint(emulator, name, tags={constants.TAG_NAMESPACE: "team-b", constants.TAG_NAME: "recs",
                                          constants.TAG_UID: "5f1c0e2a-0000-4000-8000-000000000001",
                                          constants.TAG_MANAGED_BY: constants.MANAGED_BY})
    start = emulator.client.calls()[-1]["seq"]
    kit.apply(control_plane, kit.manifest("grabber", namespace, spec_for(
        "s3://example-models/grabber/model.tar.gz", endpointName=name, adopt={})), emulator)
    obj = kit.wait_condition(control_plane, namespace, "grabber", "Ready", "False", reason="AdoptionRefused", timeout=60)
    message = kit.condition(obj, "Ready")["message"]
    assert "team-b/recs" in message and message.startswith("spec.adopt")
    mutations = {c["operation"] for c in emulator.client.calls(after=start)
                 if c["params"].get("EndpointName") == name or name in str(c["params"].get("ResourceArn", ""))}
    assert mutations <= {"DescribeEndpoint", "ListTags", "DescribeEndpointConfig"}, mutations


def test_a_replaced_endpoint_is_deleted_only_after_its_invocations_stop(operator, control_plane, emulator, namespace):
    old = unique("old", namespace)
    legacy_endpoint(emulator, old)
    scaling = kit.client(emulator, "application-autoscaling")
    target = f"endpoint/{old}/variant/AllTraffic"
    scaling.register_scalable_target(ServiceNamespace="sagemaker", ResourceId=target, MinCapacity=1, MaxCapacity=2,
                                     ScalableDimension="sagemaker:variant:DesiredInstanceCount")
    last_call = datetime.now(timezone.utc) - timedelta(seconds=40)
    kit.client(emulator, "cloudwatch").put_metric_data(Namespace="AWS/SageMaker", MetricData=[{
        "MetricName": "Invocations", "Value": 12.0, "Unit": "None", "Timestamp": last_call,
        "Dimensions": [{"Name": "EndpointName", "Value": old}, {"Name": "VariantName", "Value": "AllTraffic"}]}])
    doc = kit.manifest("successor", namespace, spec_for("s3://example-models/successor/model.tar.gz",
                                                        replaces={"endpoints": [old], "idleFor": "1m"}))
    kit.apply(control_plane, doc, emulator)

    def draining():
        obj = kit.get(control_plane, namespace, "successor")
        rows = ((obj or {}).get("status", {}).get("replacement") or {}).get("draining") or []
        return obj if kit.condition(obj, "Ready") and [r for r in rows if r["name"] == old and r.get("lastInvocation")] else None

    obj = kit.wait_for(draining, timeout=60, what=f"{old} listed as draining")
    assert obj["status"]["replacement"]["remaining"] == 1
    header = control_plane.kubectl("get", "mep", "successor", "-n", namespace).stdout.splitlines()[0]
    assert "DRAINING" in header
    sm = kit.client(emulator, "sagemaker")
    assert sm.list_endpoints(NameContains=old)["Endpoints"]  # still serving its callers

    def retired():
        obj = kit.get(control_plane, namespace, "successor")
        replacement = (obj or {}).get("status", {}).get("replacement") or {}
        return obj if replacement.get("retired") == [old] and replacement.get("remaining") == 0 else None

    kit.wait_for(retired, timeout=90, what=f"{old} retired")
    [deleted] = [c for c in emulator.client.calls(operation="DeleteEndpoint") if c["params"].get("EndpointName") == old]
    assert deleted["timestamp"] >= last_call.timestamp() + 60  # not before a whole idle minute
    assert not sm.list_endpoints(NameContains=old)["Endpoints"]
    assert not scaling.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=[target])["ScalableTargets"]
    reasons = [(r, m) for _, r, m in kit.events(control_plane, namespace, "successor") if r == "RetiredEndpoint"]
    assert reasons and old in reasons[0][1]


def test_an_adopted_endpoint_kept_by_retain_is_no_orphan_and_what_it_ran_on_stays(operator, control_plane, emulator,
                                                                                     namespace):
    name = unique("kept", namespace)
    config, model = legacy_endpoint(emulator, name)
    doc = kit.manifest("keeper", namespace, spec_for("s3://example-models/keeper/model.tar.gz", endpointName=name,
                                                     adopt={}, deletionPolicy="Retain"))
    kit.apply(control_plane, doc, emulator)
    kit.wait_condition(control_plane, namespace, "keeper", "Ready", timeout=90)
    kit.delete(control_plane, namespace, "keeper", timeout=90)

    sm = kit.client(emulator, "sagemaker")
    assert sm.describe_endpoint(EndpointName=name)["EndpointStatus"] == "InService"
    assert sm.describe_endpoint_config(EndpointConfigName=config)  # not collected: the spec did not ask
    assert sm.describe_model(ModelName=model)
    audit = run_audit(control_plane, emulator, "--all", "--output", "json")
    rows = [r for r in json.loads(audit.stdout) if name in r["name"]]
    assert {r["verdict"] for r in rows} == {"retained"}, rows
    assert config not in {r["name"] for r in rows}  # never the operator's: not in its audit
