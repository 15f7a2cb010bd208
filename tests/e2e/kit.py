"""What end-to-end tests do as a user would: kubectl apply, kubectl wait, read status
and events; and what they check in AWS: the emulator through boto3 and its call log."""

from __future__ import annotations

import contextlib
import copy
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import boto3
import yaml
from botocore.exceptions import ClientError

from endpoint_operator.sandbox.controlplane import repo_root
from endpoint_operator.sandbox.seed import artifact_urls, seed_artifacts

T = TypeVar("T")
EXAMPLES = repo_root() / "examples"


def example(name: str, namespace: str, rename: str | None = None) -> dict[str, Any]:
    doc = yaml.safe_load((EXAMPLES / name).read_text())
    doc["metadata"]["namespace"] = namespace
    if rename:
        doc["metadata"]["name"] = rename
    return doc


def manifest(name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    base = {
        "region": "us-east-1",
        "executionRoleArn": "arn:aws:iam::111122223333:role/sagemaker-exec",
    }
    return {"apiVersion": "serving.endpoint-operator.io/v1alpha1", "kind": "ModelEndpoint",
            "metadata": {"name": name, "namespace": namespace}, "spec": {**base, **spec}}


def apply(control_plane, doc: dict[str, Any], emulator=None, check: bool = True):
    if emulator is not None:
        seed_artifacts(emulator.url, artifact_urls([doc]))
    return control_plane.kubectl("apply", "-f", "-", input=yaml.safe_dump(doc), check=check)


def get(control_plane, namespace: str, name: str) -> dict[str, Any] | None:
    result = control_plane.kubectl("get", "mep", name, "-n", namespace, "-o", "json", check=False)
    return json.loads(result.stdout) if result.returncode == 0 else None


def condition(obj: dict[str, Any] | None, type_: str) -> dict[str, Any] | None:
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c["type"] == type_:
            return c
    return None


def wait_for(probe: Callable[[], T], timeout: float = 60.0, interval: float = 0.2, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last seen: {last!r}")


def wait_condition(control_plane, namespace: str, name: str, type_: str, status: str = "True",
                   timeout: float = 60.0, reason: str | None = None, generation: int | None = None) -> dict:
    def probe():
        obj = get(control_plane, namespace, name)
        c = condition(obj, type_)
        if not c or c["status"] != status or (reason and c["reason"] != reason):
            return None
        if generation is not None and c.get("observedGeneration") != generation:
            return None
        return obj
    return wait_for(probe, timeout, what=f"{type_}={status} on {namespace}/{name} (reason {reason})")


def events(control_plane, namespace: str, name: str) -> list[tuple[str, str, str]]:
    result = control_plane.kubectl(
        "get", "events", "-n", namespace, "--field-selector", f"involvedObject.name={name}", "-o", "json")
    return [(e.get("type"), e.get("reason"), e.get("message")) for e in json.loads(result.stdout)["items"]]


def patch_spec(control_plane, namespace: str, name: str, patch: dict[str, Any]) -> None:
    control_plane.kubectl("patch", "mep", name, "-n", namespace, "--type=merge",
                          "-p", json.dumps({"spec": patch}))


def delete(control_plane, namespace: str, name: str, wait: bool = True, timeout: int = 60) -> None:
    control_plane.kubectl("delete", "mep", name, "-n", namespace, f"--wait={'true' if wait else 'false'}",
                          f"--timeout={timeout}s")


def client(emulator, service: str, region: str = "us-east-1"):
    return boto3.client(service, endpoint_url=emulator.url, region_name=region,
                        aws_access_key_id="sandbox", aws_secret_access_key="sandbox")


def scale_out(emulator, endpoint: str, count: int, variant: str = "primary") -> None:
    """What Application Auto Scaling does on a scale-out: the variant's count set
    through UpdateEndpointWeightsAndCapacities, then InService at that count."""
    sm = client(emulator, "sagemaker")
    sm.update_endpoint_weights_and_capacities(EndpointName=endpoint, DesiredWeightsAndCapacities=[
        {"VariantName": variant, "DesiredInstanceCount": count}])

    def serving() -> bool:
        described = sm.describe_endpoint(EndpointName=endpoint)
        counts = {v["VariantName"]: v.get("CurrentInstanceCount") for v in described["ProductionVariants"]}
        return described["EndpointStatus"] == "InService" and counts.get(variant) == count
    wait_for(serving, timeout=30, what=f"{count} instances")


def owned_resources(emulator, uid: str, region: str = "us-east-1") -> dict[str, list[str]]:
    """Every SageMaker endpoint, config and model tagged with this owner's uid."""
    sm = client(emulator, "sagemaker", region)
    found: dict[str, list[str]] = {"endpoints": [], "configs": [], "models": []}
    listings = [
        ("endpoints", sm.list_endpoints, "Endpoints", "EndpointArn", "EndpointName"),
        ("configs", sm.list_endpoint_configs, "EndpointConfigs", "EndpointConfigArn", "EndpointConfigName"),
        ("models", sm.list_models, "Models", "ModelArn", "ModelName"),
    ]
    for kind, lister, key, arn_key, name_key in listings:
        for item in lister(MaxResults=100).get(key, []):
            try:
                tags = {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=item[arn_key]).get("Tags", [])}
            except ClientError as error:
                # Another test's operator may delete its resource between the listing and this.
                if "Could not find" in error.response["Error"]["Message"]:
                    continue
                raise
            if tags.get("endpoint-operator.io/uid") == uid:
                found[kind].append(item[name_key])
    return found


def s3_keys(emulator, url_prefix: str) -> list[str]:
    bucket, _, prefix = url_prefix.removeprefix("s3://").partition("/")
    s3 = client(emulator, "s3")
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


@contextlib.contextmanager
def watching(sm, endpoint_name: str) -> Iterator[list[str]]:
    """Every status DescribeEndpoint shows while the block runs."""
    seen: list[str] = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            try:
                seen.append(sm.describe_endpoint(EndpointName=endpoint_name)["EndpointStatus"])
            except sm.exceptions.ClientError as error:
                seen.append(error.response["Error"]["Code"])
            stop.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield seen
    finally:
        stop.set()
        watcher.join()
