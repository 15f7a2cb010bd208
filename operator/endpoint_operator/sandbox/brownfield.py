"""A brownfield account in the emulator: what `assess` is for.

Eleven one-model real-time endpoints, each on one always-on ml.g4dn.xlarge with no
autoscaling, serving three use cases:

- recommendations: three models on AWS's Triton container, each above 800 calls a day;
- text classification: seven models on the same Triton container, far below 800;
- document parsing: one model whose requests carry documents over 4 MB and run for
  tens of seconds, also far below 800 calls a day.

GPU utilization idles at 12-14 % off-peak. Fourteen days of hourly CloudWatch data
points (what SageMaker publishes: Invocations and ModelLatency in AWS/SageMaker,
instance utilization in /aws/sagemaker/Endpoints) are written with PutMetricData,
so the history exists whatever traffic the emulator itself generates.

CloudWatch records no payload sizes: what the team knows of them is in HINTS, the
file `assess --hints` reads.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .emulator import AwsClients
from .seed import seed_artifacts

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-exec"
INSTANCE_TYPE = "ml.g4dn.xlarge"
TRITON = f"785573368785.dkr.ecr.{REGION}.amazonaws.com/sagemaker-tritonserver:24.03-py3"
PYTORCH = f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"
BUCKET = "acme-ml-models"
USE_CASE_TAG = "use-case"
DAYS = 14
BATCH = 500  # data points per PutMetricData ("up to 1000 different metrics" per request)


@dataclass(frozen=True)
class SeededEndpoint:
    name: str
    use_case: str
    image: str
    calls_per_day: int
    p99_ms: float
    busy_gpu: float  # GPU utilization % added at the busiest hour over the off-peak idle
    business_hours_only: bool = False


ENDPOINTS = (
    SeededEndpoint("recs-ranker", "recommendations", TRITON, 52_000, 45, 26),
    SeededEndpoint("recs-retrieval", "recommendations", TRITON, 31_000, 38, 22),
    SeededEndpoint("recs-reranker", "recommendations", TRITON, 12_000, 52, 14),
    SeededEndpoint("text-intent", "text-classification", TRITON, 310, 60, 2),
    SeededEndpoint("text-sentiment", "text-classification", TRITON, 240, 55, 2),
    SeededEndpoint("text-topic", "text-classification", TRITON, 150, 70, 1),
    SeededEndpoint("text-language", "text-classification", TRITON, 120, 30, 1),
    SeededEndpoint("text-toxicity", "text-classification", TRITON, 90, 65, 1),
    SeededEndpoint("text-pii", "text-classification", TRITON, 60, 80, 1),
    SeededEndpoint("text-spam", "text-classification", TRITON, 40, 45, 1),
    SeededEndpoint("docparse-contracts", "document-parsing", PYTORCH, 140, 38_000, 30, business_hours_only=True),
)

# What the team declares beside the metrics (payloads are not in CloudWatch).
HINTS: dict[str, dict[str, Any]] = {
    "docparse-contracts": {"maxPayloadMB": 5.5},
}


def artifact_url(name: str) -> str:
    return f"s3://{BUCKET}/{name}/model.tar.gz"


def seed_brownfield(aws: AwsClients, now: datetime | None = None, days: int = DAYS,
                    endpoints: tuple[SeededEndpoint, ...] = ENDPOINTS) -> list[str]:
    """Creates the endpoints (with their models and configs) and their metric history
    up to `now`; returns the endpoint names. The endpoints become InService on the
    emulator's transition delay."""
    now = now or datetime.now(timezone.utc)
    seed_artifacts(aws.url, [artifact_url(e.name) for e in endpoints], region=aws.region)
    for e in endpoints:
        _create(aws, e)
    _put_history(aws, endpoints, now, days)
    return [e.name for e in endpoints]


def _create(aws: AwsClients, e: SeededEndpoint) -> None:
    sagemaker = aws.sagemaker
    tags = [{"Key": USE_CASE_TAG, "Value": e.use_case}, {"Key": "team", "Value": "ml-platform"}]
    sagemaker.create_model(ModelName=f"{e.name}-model", ExecutionRoleArn=ROLE,
                           PrimaryContainer={"Image": e.image, "ModelDataUrl": artifact_url(e.name)}, Tags=tags)
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{e.name}-config", Tags=tags,
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": f"{e.name}-model",
                             "InstanceType": INSTANCE_TYPE, "InitialInstanceCount": 1}])
    sagemaker.create_endpoint(EndpointName=e.name, EndpointConfigName=f"{e.name}-config", Tags=tags)


def daily_shape(hour: int, weekday: int, business_hours_only: bool) -> float:
    """The share of a day's calls in one UTC hour: a day peak at 14:00, a quieter weekend;
    business-hours traffic only between 08:00 and 18:00 on weekdays."""
    if business_hours_only:
        return 0.1 if weekday < 5 and 8 <= hour < 18 else 0.0
    weight = 0.35 + math.exp(-((hour - 14) ** 2) / 18)
    return weight * (0.7 if weekday >= 5 else 1.0)


def peak_share(hour: int, weekday: int, business_hours_only: bool) -> float:
    """How close an hour is to the day's peak, 0 to 1: what drives utilization above idle."""
    if business_hours_only:
        return 1.0 if daily_shape(hour, weekday, True) else 0.0
    return math.exp(-((hour - 14) ** 2) / 18) * (0.7 if weekday >= 5 else 1.0)


def _put_history(aws: AwsClients, endpoints: tuple[SeededEndpoint, ...], now: datetime, days: int) -> None:
    end = now.replace(minute=0, second=0, microsecond=0)
    hours = [end - timedelta(hours=h) for h in range(days * 24, 0, -1)]
    norm = sum(daily_shape(h, 1, False) for h in range(24))
    points: list[dict[str, Any]] = []
    for e in endpoints:
        rng = random.Random(e.name)  # the same history on every run
        for start in hours:
            shape = daily_shape(start.hour, start.weekday(), e.business_hours_only)
            expected = e.calls_per_day * (shape if e.business_hours_only else shape / norm)
            calls = _poisson(rng, expected)
            busy = peak_share(start.hour, start.weekday(), e.business_hours_only)
            gpu = 12 + 2 * rng.random() + e.busy_gpu * busy  # 12-14 % off-peak, more towards the peak
            when = start + timedelta(minutes=30)
            dims = [{"Name": "EndpointName", "Value": e.name}, {"Name": "VariantName", "Value": "AllTraffic"}]
            if calls:
                latency_us = e.p99_ms * 1000 * (0.8 + 0.4 * rng.random())
                points += [_point("AWS/SageMaker", p, dims, when) for p in (
                    {"MetricName": "Invocations", "Value": float(calls), "Unit": "None"},
                    {"MetricName": "ModelLatency", "Value": round(latency_us, 1), "Unit": "Microseconds"},
                )]
            points += [_point("/aws/sagemaker/Endpoints", p, dims, when) for p in (
                {"MetricName": "GPUUtilization", "Value": round(gpu, 2), "Unit": "Percent"},
                {"MetricName": "CPUUtilization", "Value": round(18 + 30 * busy + 4 * rng.random(), 2), "Unit": "Percent"},
                {"MetricName": "MemoryUtilization", "Value": round(31 + 3 * rng.random(), 2), "Unit": "Percent"},
            )]
    by_namespace: dict[str, list[dict[str, Any]]] = {}
    for namespace, point in points:
        by_namespace.setdefault(namespace, []).append(point)
    cloudwatch = aws.client("cloudwatch")
    for namespace, data in by_namespace.items():
        for first in range(0, len(data), BATCH):
            cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[first:first + BATCH])


def _point(namespace: str, point: dict[str, Any], dims: list[dict[str, str]], when: datetime) -> tuple[str, dict]:
    return namespace, {**point, "Dimensions": dims, "Timestamp": when}


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's for small means, a normal approximation above)."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
