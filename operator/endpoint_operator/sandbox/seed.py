"""Model artifacts in the emulator's S3 for the manifests about to be applied.

On AWS the artifacts exist before a ModelEndpoint names them; in the sandbox they
are made up here (a few bytes each), so multi-model copies have a source to copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlparse

import boto3


def artifact_urls(manifests: Iterable[dict]) -> set[str]:
    urls: set[str] = set()
    for manifest in manifests:
        if not manifest or manifest.get("kind") != "ModelEndpoint":
            continue
        for model in (manifest.get("spec") or {}).get("models") or []:
            if model.get("modelDataUrl"):
                urls.add(model["modelDataUrl"])
    return urls


def seed_artifacts(endpoint_url: str, urls: Iterable[str], region: str = "us-east-1") -> int:
    s3 = boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                      aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    buckets: set[str] = set()
    count = 0
    for url in sorted(set(urls)):
        parsed = urlparse(url)
        bucket, key = parsed.netloc, parsed.path.lstrip("/")
        if bucket not in buckets:
            try:
                s3.create_bucket(Bucket=bucket)
            except s3.exceptions.BucketAlreadyOwnedByYou:
                pass
            buckets.add(bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=f"artifact of {url}\n".encode())
        count += 1
    return count


def alarm_names(manifests: Iterable[dict]) -> set[str]:
    names: set[str] = set()
    for manifest in manifests:
        rollout = ((manifest or {}).get("spec") or {}).get("rollout") or {}
        names.update((rollout.get("analysis") or {}).get("alarms") or [])
    return names


def seed_alarms(endpoint_url: str, names: Iterable[str], region: str = "us-east-1") -> int:
    """The CloudWatch alarms rollouts are gated on, in state OK. On AWS they exist
    before a manifest names them (a missing alarm holds a rollout step)."""
    cloudwatch = boto3.client("cloudwatch", endpoint_url=endpoint_url, region_name=region,
                              aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    count = 0
    for name in sorted(set(names)):
        cloudwatch.put_metric_alarm(
            AlarmName=name, Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
            # 0 or 1 per request: the Average is the error rate (1 % here), whatever the traffic.
            Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=0.01,
            ComparisonOperator="GreaterThanOrEqualToThreshold")
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="seeded by the sandbox")
        count += 1
    return count
