"""The demo's traffic: load on the sandbox's endpoints, Application Auto Scaling adding
instances on SageMaker's 10-second metric, and a canary that fails its requests rolled
back by its gate. The emulator's clock runs DEMO_TIME_SCALE times faster than real time
and the operator follows it, so minutes of traffic pass in seconds."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from .emulator import Emulator
from .emulator.boto import emulator_client
from .demo_rollout import change_model, follow_rollout

DEMO_TIME_SCALE = 30  # virtual seconds per real second
SERVICE_RATE = 10.0  # requests per second one instance serves
INSTANCE_START_SECONDS = 60  # virtual seconds an added instance takes to serve


def endpoint_of(control_plane, doc: dict[str, Any]) -> str:
    name, namespace = doc["metadata"]["name"], doc["metadata"].get("namespace", "default")
    got = control_plane.kubectl("get", "mep", name, "-n", namespace, "-o", "json")
    return json.loads(got.stdout)["status"]["endpoint"]["name"]


def steady_load(emulator: Emulator, endpoint: str, rate: float, **settings: Any) -> None:
    emulator.client.constant_load(endpoint, rate, default={"serviceRate": SERVICE_RATE}, **settings)


def scale_on_a_step(control_plane, emulator: Emulator, doc: dict[str, Any], before: float = 10,
                    after: float = 18, minutes: int = 5, timeout: float = 120) -> bool:
    """A step in load on an autoscaled endpoint; prints the instances as they change."""
    name = doc["metadata"]["name"]
    endpoint = endpoint_of(control_plane, doc)
    client = emulator.client
    client.set_instance_start_time(INSTANCE_START_SECONDS)
    step_at = _virtual_now(emulator) + timedelta(seconds=60)
    client.step_load(endpoint, before=before, after=after, at=60, default={"serviceRate": SERVICE_RATE})
    say(f"{name}: {before:g} requests/s, then {after:g} from {step_at:%H:%M:%S} (virtual time, "
        f"{DEMO_TIME_SCALE}x); one instance serves {SERVICE_RATE:g}/s")
    sagemaker = emulator_client(emulator.url, "sagemaker")
    scaling = emulator_client(emulator.url, "application-autoscaling")
    end = step_at + timedelta(minutes=minutes)
    seen: tuple[Any, ...] | None = None
    grew = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = _virtual_now(emulator)
        [variant] = sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]
        counts = (variant.get("CurrentInstanceCount"), variant.get("DesiredInstanceCount"))
        if counts != seen:
            if seen is not None:
                rows = scaling.describe_scaling_activities(
                    ServiceNamespace="sagemaker", ResourceId=f"endpoint/{endpoint}/variant/primary")["ScalingActivities"]
                why = f" ({rows[0]['Cause']})" if rows and counts[0] != counts[1] else ""
                say(f"{name}: +{(now - step_at).total_seconds():.0f}s instances {counts[0]} of {counts[1]} wanted{why}")
                grew = grew or counts[0] > seen[0]
            seen = counts
        if now >= end:
            break
        time.sleep(0.1)
    p99 = _p99_per_minute(emulator, endpoint, step_at - timedelta(minutes=1), end)
    if p99:
        say(f"{name}: p99 per minute from the step on: " + ", ".join(f"{v:.2f}s" for v in p99))
    client.clear_traffic(endpoint)
    return grew


def bad_canary(control_plane, emulator: Emulator, doc: dict[str, Any], timeout: float = 120) -> bool:
    """A new model whose requests fail one in five: its gate rolls it back at the first step."""
    name, namespace = doc["metadata"]["name"], doc["metadata"].get("namespace", "default")
    steady_load(emulator, endpoint_of(control_plane, doc), 5,
                variants={"canary": {"serviceRate": SERVICE_RATE, "errorRate": 0.2}})
    change_model(control_plane, emulator.url, doc, "model-faulty.tar.gz", ", which fails 20 % of its requests")
    status = follow_rollout(control_plane, doc, timeout, ends=("RolledBack",))
    if status is None:
        return False
    degraded = next((c for c in status.get("conditions") or [] if c["type"] == "Degraded"), {})
    say(f"{namespace}/{name}: rolled back: {degraded.get('message')}")
    return True


def _virtual_now(emulator: Emulator) -> datetime:
    return datetime.fromtimestamp(emulator.client.clock()["now"], tz=timezone.utc)


def _p99_per_minute(emulator: Emulator, endpoint: str, start: datetime, end: datetime) -> list[float]:
    cloudwatch = emulator_client(emulator.url, "cloudwatch")
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "p99", "MetricStat": {"Metric": {
            "Namespace": "AWS/SageMaker", "MetricName": "ModelLatency",
            "Dimensions": [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "primary"}]},
            "Period": 60, "Stat": "p99"}}], StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    return [v / 1e6 for v in answer["MetricDataResults"][0]["Values"]]


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)
