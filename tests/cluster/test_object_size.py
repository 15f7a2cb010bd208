"""The largest ModelEndpoint the schema allows is stored by the real API server.

etcd refuses a request above its limit (1.5 MiB by default; the control plane keeps
the default) with "etcdserver: request is too large", naming no field. The spec's
bounds (maxItems, maxProperties, maxLength, and the CEL rule on map keys) are chosen so
that the largest spec they allow, with its managedFields and a status, fits; this test
builds that spec from the CRD's own schema and creates it.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
import regex
import yaml

from endpoint_operator.api.constants import API_VERSION, KIND
from endpoint_operator.api.crd import build_crd
from endpoint_operator.api.reference import LARGEST_SPEC_KIB
from endpoint_operator.api.spec import validate_spec
from endpoint_operator.api.status import CostStatus, EndpointStatus, ModelEndpointStatus, RolloutStatus
from endpoint_operator.api.time_zones import TIME_ZONES
from cluster.test_crd_validation import install_crd

pytestmark = pytest.mark.cluster

ETCD_REQUEST_LIMIT = 1536 * 1024  # etcd's --max-request-bytes default
DOCUMENTED_SPEC_KIB = LARGEST_SPEC_KIB  # docs/reference.md, "Size"
SPEC_SCHEMA = build_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
ROLE = "arn:aws:iam::111122223333:role/sagemaker-exec"

# Every field set, so that growing each to its bound gives the largest spec.
SEED = {
    "region": "us-east-1", "executionRoleArn": ROLE, "mode": "Auto", "image": "registry.example.com/serve:1",
    "models": [{"name": "m", "modelDataUrl": "s3://example-models/m/model.tar.gz", "image": "registry.example.com/m:1",
                "invocationsPerDay": 1000, "environment": {"K": "v"}}],
    "traffic": {"pattern": "Unpredictable", "maxPayloadMB": 1, "maxProcessingSeconds": 30, "p99LatencyTargetMs": 500,
                "gpu": False},
    "instances": {"type": "ml.m5.large", "min": 1, "max": 2},
    "autoscaling": {"enabled": True, "metric": "Custom", "target": 5, "scaleOutCooldownSeconds": 60,
                    "scaleInCooldownSeconds": 300,
                    "customMetric": {"namespace": "App", "metricName": "Depth", "statistic": "Average",
                                     "dimensions": {"D": "d"}},
                    "schedules": [{"name": "s", "cron": "0 22 * * *", "timeZone": "UTC", "min": 1, "max": 2}]},
    "serverless": {"memorySizeMB": 2048, "maxConcurrency": 20, "provisionedConcurrency": 1},
    "async": {"outputPath": "s3://example-results/out/", "failurePath": "s3://example-results/failed/",
              "successTopicArn": "arn:aws:sns:us-east-1:111122223333:done",
              "errorTopicArn": "arn:aws:sns:us-east-1:111122223333:failed", "kmsKeyId": "k",
              "maxConcurrentInvocationsPerInstance": 2, "scaleToZero": False},
    "multiModel": {"artifactPrefix": "s3://example-models/mme/", "modelCache": True},
    "rollout": {"shadow": {"samplingPercent": 20, "pause": "1h"},
                "steps": [{"weight": w, "pause": "1h"} for w in range(10, 101, 10)],
                "analysis": {"alarms": ["a"], "metrics": [{"name": "ModelLatency", "statistic": "p99", "max": 1,
                                                           "maxRatioToPrimary": 1.5}],
                             "prometheus": [{"name": "kpi", "query": "sum(up)", "max": 1, "min": 0,
                                             "url": "http://prometheus:9090"}], "interval": "30s"},
                "onFailure": "Rollback"},
    "deployment": {"strategy": "BlueGreen", "trafficShifting": "Canary", "canaryPercent": 10, "linearPercent": 25,
                   "batchPercent": 25, "waitSeconds": 300, "terminationWaitSeconds": 0, "alarms": ["a"]},
    "deletionPolicy": "Delete", "endpointName": "e", "tags": {"t": "v"},
}


def longest(seed: str, node: dict[str, Any], fill: str = "") -> str:
    """`seed` grown to the node's maxLength, still matching its pattern."""
    target = node.get("maxLength", len(seed))
    if "enum" in node or len(seed) >= target:
        return seed
    # AWS-derived patterns use \p{...} classes, which only the regex module reads.
    pattern = regex.compile(node.get("pattern", ".*"), regex.ASCII | regex.DOTALL)
    for char in (fill or "a0"):
        for cut in [len(seed), *range(len(seed))]:
            grown = seed[:cut] + char * (target - len(seed)) + seed[cut:]
            if pattern.fullmatch(grown) if pattern.pattern.endswith("$") else pattern.search(grown):
                return grown
    return seed  # a pattern of bounded alternatives (a statistic): already as long as it gets


def largest(seed: Any, node: dict[str, Any], tag: str = "") -> Any:
    """The largest value like `seed` that the schema node allows."""
    # An int-or-string node (a gate threshold) has no type: the seed's own decides.
    kind = node.get("type") or ("string" if isinstance(seed, str) else None)
    if kind == "string":
        return longest(seed, node)
    if kind == "object" and "properties" in node:
        # A time zone is one of a list (a CEL rule), not any string of its maxLength.
        return {key: max(TIME_ZONES, key=len) if key == "timeZone" else largest(value, node["properties"][key], tag)
                for key, value in seed.items()}
    if kind == "object":
        key_length = int(re.search(r"<= (\d+)", node["x-kubernetes-validations"][0]["rule"]).group(1))
        value = largest(next(iter(seed.values())), node["additionalProperties"])
        return {f"K{i}".ljust(key_length, "K"): value for i in range(node["maxProperties"])}
    if kind == "array":
        items = [largest(item, node["items"], tag) for item in seed]
        keys = node.get("x-kubernetes-list-map-keys", [])
        while len(items) < node.get("maxItems", len(items)):
            item = copy.deepcopy(items[-1])
            for key in keys:  # distinct keys of the same length
                item[key] = item[key][:-len(str(len(items)))] + str(len(items))
            items.append(item)
        return items
    return seed


def test_the_largest_spec_fits_etcd(control_plane, namespace):
    install_crd(control_plane)
    spec = largest(SEED, SPEC_SCHEMA)
    validate_spec(spec)  # the Python twin accepts it too
    size = len(json.dumps(spec, separators=(",", ":")))
    assert len(spec["models"]) == SPEC_SCHEMA["properties"]["models"]["maxItems"]
    assert size <= DOCUMENTED_SPEC_KIB * 1024, f"the largest spec is {size / 1024:.0f} KiB: update docs/reference.md"
    assert size > (DOCUMENTED_SPEC_KIB - 32) * 1024, f"the largest spec is {size / 1024:.0f} KiB: update docs/reference.md"

    document = {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": "n" * 253, "namespace": namespace},
                "spec": spec}
    # Server-side apply: the managedFields it records list every field of the spec.
    created = control_plane.kubectl("apply", "--server-side", "-f", "-", input=yaml.safe_dump(document), check=False)
    assert created.returncode == 0, created.stderr[-2000:]
    status = ModelEndpointStatus(
        observed_generation=1, mode="MultiModel", mode_reason="r" * 256,
        endpoint=EndpointStatus(name="e" * 63, status="InService"),
        variants_summary="primary=100", instances="2/2",
        rollout=RolloutStatus(phase="Progressing", step=0, steps=10, progress="1/10", weight=10),
        cost=CostStatus(hourly_usd=2.4, monthly_usd=1752.0, instances=2),
    )
    control_plane.kubectl("patch", "mep", "n" * 253, "-n", namespace, "--subresource=status", "--type=merge",
                          "-p", json.dumps({"status": status.to_wire()}))
    stored = json.loads(control_plane.kubectl("get", "mep", "n" * 253, "-n", namespace, "-o", "json",
                                              "--show-managed-fields").stdout)
    assert stored["spec"] == spec
    assert {m["manager"] for m in stored["metadata"]["managedFields"]} == {"kubectl", "kubectl-patch"}
    stored_size = len(json.dumps(stored, separators=(",", ":")))  # etcd holds compact JSON
    print(f"\nlargest spec {size / 1024:.0f} KiB; stored with managedFields and status {stored_size / 1024:.0f} KiB "
          f"of etcd's {ETCD_REQUEST_LIMIT // 1024} KiB")
    assert stored_size < ETCD_REQUEST_LIMIT
