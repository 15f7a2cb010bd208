"""Traffic end to end: the emulator serves load and publishes SageMaker's metrics, its
Application Auto Scaling acts on them, and the operator follows the emulator's virtual
clock, so minutes and hours of AWS time pass in seconds.

These tests run an emulator and an operator of their own (the session operator stands
down meanwhile): a time scale is one clock for everything in an emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from endpoint_operator.sandbox.emulator import Emulator
from endpoint_operator.sandbox.operator_process import OperatorProcess

from . import kit
from .conftest import FAST_ARGS
from .standby import session_operator_stood_down

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7"
SERVICE_RATE = 10.0  # requests per second one instance serves


@pytest.fixture(scope="module")
def sandbox(operator, control_plane, crd, tmp_path_factory) -> Iterator[Emulator]:
    """An emulator and an operator that follows its clock."""
    log_path = Path(tmp_path_factory.mktemp("traffic-operator")) / "operator.log"
    with session_operator_stood_down(operator), Emulator(delay_seconds=0.3) as emulator:
        process = OperatorProcess(control_plane.kubeconfig, emulator.url, log_path,
                                  extra_args=[*FAST_ARGS, "--follow-emulator-clock"])
        process.start()
        try:
            yield emulator
        finally:
            process.stop()


@pytest.fixture
def clock(sandbox) -> Iterator[Any]:
    """The emulator's control API, at real time before and after each test."""
    sandbox.client.set_time_scale(1)
    yield sandbox.client
    sandbox.client.clear_traffic()
    sandbox.client.set_time_scale(1)


def virtual_now(emulator) -> datetime:
    return datetime.fromtimestamp(emulator.client.clock()["now"], tz=timezone.utc)


def wait_virtual(emulator, moment: datetime, timeout: float = 60) -> None:
    kit.wait_for(lambda: virtual_now(emulator) >= moment, timeout=timeout, interval=0.1,
                 what=f"the virtual clock at {moment.isoformat()}")


def realtime(namespace: str, name: str, autoscaling: dict[str, Any], low: int = 1, high: int = 8) -> dict[str, Any]:
    return kit.manifest(name, namespace, {
        "mode": "RealTime", "image": IMAGE,
        "models": [{"name": "scorer", "modelDataUrl": f"s3://example-models/{name}/v1/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": low, "max": high},
        "autoscaling": autoscaling,
    })


def ready(control_plane, emulator, doc: dict[str, Any]) -> str:
    kit.apply(control_plane, doc, emulator)
    namespace, name = doc["metadata"]["namespace"], doc["metadata"]["name"]
    obj = kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)
    return obj["status"]["endpoint"]["name"]


def policies_in_place(emulator, endpoint: str, count: int = 1) -> None:
    scaling = kit.client(emulator, "application-autoscaling")
    kit.wait_for(lambda: len(scaling.describe_scaling_policies(
        ServiceNamespace="sagemaker", ResourceId=f"endpoint/{endpoint}/variant/primary")["ScalingPolicies"]) >= count,
        timeout=30, what=f"the scaling policies of {endpoint}")


def activities(emulator, endpoint: str, variant: str = "primary") -> list[dict[str, Any]]:
    """Oldest first."""
    rows = kit.client(emulator, "application-autoscaling").describe_scaling_activities(
        ServiceNamespace="sagemaker", ResourceId=f"endpoint/{endpoint}/variant/{variant}")["ScalingActivities"]
    return list(reversed(rows))


def current_instances(emulator, endpoint: str, variant: str = "primary") -> int | None:
    described = kit.client(emulator, "sagemaker").describe_endpoint(EndpointName=endpoint)
    return next((v.get("CurrentInstanceCount") for v in described["ProductionVariants"]
                 if v["VariantName"] == variant), None)


def p99_per_minute(emulator, endpoint: str, start: datetime, end: datetime, variant: str = "primary") -> list[float]:
    """ModelLatency p99 of each minute in [start, end), in seconds (CloudWatch: microseconds)."""
    answer = kit.client(emulator, "cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": "p99", "MetricStat": {"Metric": {
            "Namespace": "AWS/SageMaker", "MetricName": "ModelLatency",
            "Dimensions": [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}]},
            "Period": 60, "Stat": "p99"}}], StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    values = answer["MetricDataResults"][0]["Values"]
    assert values, f"no ModelLatency for {endpoint} in [{start}, {end})"
    return [v / 1e6 for v in values]


def test_a_step_in_load_is_detected_about_six_times_sooner_on_the_10_second_metric(control_plane, sandbox, clock,
                                                                                    namespace):
    # The same fleet twice, one instance serving 10 requests/s, at 5 requests/s; then the load
    # steps to 9 requests/s: no overload, but the queue of one instance makes p99 five times
    # longer (M/M/1: p99 = ln(100) / (mu - lambda)) until the autoscaler adds instances.
    fast = ready(control_plane, sandbox, realtime(namespace, "fast", {
        "metric": "ConcurrentRequestsPerModelHighResolution", "target": 2}))
    slow = ready(control_plane, sandbox, realtime(namespace, "slow", {
        "metric": "InvocationsPerInstance", "target": 300}))
    policies_in_place(sandbox, fast)
    policies_in_place(sandbox, slow)
    clock.set_instance_start_time(60)
    step_at = virtual_now(sandbox).replace(second=0, microsecond=0) + timedelta(minutes=5)
    for endpoint in (fast, slow):
        clock.step_load(endpoint, before=5, after=9, at=(step_at - virtual_now(sandbox)).total_seconds(),
                        default={"serviceRate": SERVICE_RATE})
    clock.set_time_scale(60)
    spike_end = step_at + timedelta(minutes=15)
    wait_virtual(sandbox, spike_end + timedelta(seconds=90), timeout=90)

    detected, p99, scaled_to = {}, {}, {}
    for endpoint in (fast, slow):
        after_step = [a for a in activities(sandbox, endpoint) if a["StartTime"] >= step_at]
        assert after_step, f"{endpoint} never scaled: {activities(sandbox, endpoint)}"
        detected[endpoint] = (after_step[0]["StartTime"] - step_at).total_seconds()
        scaled_to[endpoint] = int(after_step[0]["Description"].split()[-1].rstrip("."))
        minutes = p99_per_minute(sandbox, endpoint, step_at, spike_end)
        p99[endpoint] = sum(minutes) / len(minutes)  # the p99 line over the spike, averaged
    print(f"\nscale-out decided {detected[fast]:.0f} s after the step on the 10-second metric, "
          f"{detected[slow]:.0f} s on the 60-second one ({detected[slow] / detected[fast]:.1f}x sooner); "
          f"p99 over the 15 minutes of the spike {p99[fast]:.2f} s against {p99[slow]:.2f} s")
    assert detected[slow] >= 4 * detected[fast]
    assert p99[fast] < p99[slow]
    assert scaled_to[fast] > 1 and scaled_to[slow] > 1  # each first decision after the step is a scale-out


def asynchronous(namespace: str, name: str) -> dict[str, Any]:
    return kit.manifest(name, namespace, {
        "mode": "Async", "image": IMAGE,
        "models": [{"name": "extractor", "modelDataUrl": f"s3://example-models/{name}/v1/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 0, "max": 4},
        "async": {"outputPath": f"s3://example-results/{name}/out/", "scaleToZero": True},
        "autoscaling": {"scaleOutCooldownSeconds": 60, "scaleInCooldownSeconds": 300},
    })


def test_an_async_endpoint_scales_from_zero_on_backlog_and_back_to_zero_when_the_queue_is_empty(
        control_plane, sandbox, clock, namespace):
    endpoint = ready(control_plane, sandbox, asynchronous(namespace, "queue"))
    policies_in_place(sandbox, endpoint, count=2)  # target tracking on the backlog, and the wake-up step
    clock.set_instance_start_time(60)
    clock.constant_load(endpoint, 0, default={"serviceRate": 1})
    clock.set_time_scale(120)
    # An empty queue for 15 minutes: target tracking on ApproximateBacklogSizePerInstance takes the one instance away.
    kit.wait_for(lambda: current_instances(sandbox, endpoint) == 0, timeout=60, interval=0.1, what="zero instances")

    # Requests arrive with no instance to take them: the backlog has no capacity, the
    # HasBacklogWithoutCapacity alarm invokes the step policy, which adds one.
    busy_from = virtual_now(sandbox)
    clock.set_traffic(endpoint, {"kind": "trace", "rows": [[0, 0.5], [300, 0]]}, default={"serviceRate": 1})
    kit.wait_for(lambda: (current_instances(sandbox, endpoint) or 0) >= 1, timeout=60, interval=0.1,
                 what="an instance woken by the backlog")
    wake = next(a for a in activities(sandbox, endpoint) if a["StartTime"] >= busy_from)
    assert "wake-from-zero" in wake["Cause"], wake
    assert wake["Description"] == "Setting desired instance count to 1."

    # The queue drains and stays empty: back to zero.
    kit.wait_for(lambda: current_instances(sandbox, endpoint) == 0, timeout=90, interval=0.1,
                 what="zero instances again")
    [variant] = clock.traffic(endpoint)[endpoint]["variants"].values()
    assert variant["backlog"] == 0, variant
    last = activities(sandbox, endpoint)[-1]
    assert last["Description"] == "Setting desired instance count to 0." and "target-tracking" in last["Cause"]


GATES = [{"name": "ModelLatency", "statistic": "p99", "max": "1100ms"},
         {"name": "Invocation5XXErrors", "max": "2%"}]  # Average of 0-or-1 per request: the error rate
STEPS = [{"weight": 15, "pause": "10m"}, {"weight": 50, "pause": "10m"}, {"weight": 100}]


def canary_doc(namespace: str, name: str, version: int = 1) -> dict[str, Any]:
    return kit.manifest(name, namespace, {
        "mode": "RealTime", "image": IMAGE,
        "models": [{"name": name, "modelDataUrl": f"s3://example-models/{name}/v{version}/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 4},
        # Invocations a minute per instance: 300 is 5 requests/s, half of what one serves.
        "autoscaling": {"metric": "InvocationsPerInstance", "target": 300},
        "rollout": {"steps": STEPS, "analysis": {"interval": "1m", "metrics": GATES}},
    })


def new_model(control_plane, emulator, doc: dict[str, Any], version: int) -> None:
    name = doc["metadata"]["name"]
    url = f"s3://example-models/{name}/v{version}/model.tar.gz"
    kit.seed_artifacts(emulator.url, [url])
    kit.patch_spec(control_plane, doc["metadata"]["namespace"], name,
                   {"models": [{**doc["spec"]["models"][0], "modelDataUrl": url}]})


def rollout(control_plane, namespace: str, name: str) -> dict[str, Any]:
    return ((kit.get(control_plane, namespace, name) or {}).get("status") or {}).get("rollout") or {}


def test_a_good_canary_walks_15_50_100_with_its_capacity_following_its_share_and_p99_within_the_gate(
        control_plane, sandbox, clock, namespace):
    doc = canary_doc(namespace, "walker")
    endpoint = ready(control_plane, sandbox, doc)
    policies_in_place(sandbox, endpoint)
    clock.set_instance_start_time(60)
    clock.constant_load(endpoint, 20, default={"serviceRate": SERVICE_RATE})
    clock.set_time_scale(60)
    # Application Auto Scaling brings the primary to the four instances 20 requests/s need.
    kit.wait_for(lambda: current_instances(sandbox, endpoint) == 4, timeout=60, interval=0.1, what="4 instances")

    started = virtual_now(sandbox)
    new_model(control_plane, sandbox, doc, 2)
    seen: dict[int, int] = {}  # the canary's instances while it took each weight

    def walked() -> bool:
        state = rollout(control_plane, namespace, "walker")
        described = kit.client(sandbox, "sagemaker").describe_endpoint(EndpointName=endpoint)
        canary = next((v for v in described["ProductionVariants"] if v["VariantName"] == "canary"), None)
        if canary and described["EndpointStatus"] == "InService" and canary.get("CurrentWeight"):
            weight = round(100 * canary["CurrentWeight"] / sum(v["CurrentWeight"] for v in described["ProductionVariants"]))
            seen[weight] = min(seen.get(weight, 99), canary["CurrentInstanceCount"])
        return state.get("phase") == "Succeeded"
    kit.wait_for(walked, timeout=120, interval=0.1, what="the rollout to succeed")
    finished = virtual_now(sandbox)

    obj = kit.wait_condition(control_plane, namespace, "walker", "Ready", generation=2, timeout=60)
    assert obj["status"]["rollout"]["progress"] == "3/3"
    # Capacity before traffic: ceil(4 x weight / 100) instances at each step.
    assert seen.get(15, 0) >= 1 and seen.get(50, 0) >= 2 and seen.get(100, 0) >= 4, seen
    # The gates were judged on what the canary served, and held while the weight moved.
    minutes = p99_per_minute(sandbox, endpoint, started, finished, variant="canary")
    print(f"\ncanary p99 per minute over the rollout: max {max(minutes):.2f} s over {len(minutes)} minutes")
    assert max(minutes) <= 1.1
    serving = kit.client(sandbox, "sagemaker").describe_endpoint(EndpointName=endpoint)
    assert [v["VariantName"] for v in serving["ProductionVariants"]] == ["primary"]


def test_a_canary_with_a_high_5xx_rate_is_rolled_back_by_its_gate_at_the_first_step(
        control_plane, sandbox, clock, namespace):
    doc = canary_doc(namespace, "faulty")
    endpoint = ready(control_plane, sandbox, doc)
    clock.set_instance_start_time(60)
    # One request in five fails on the new model.
    clock.constant_load(endpoint, 5, default={"serviceRate": SERVICE_RATE},
                        variants={"canary": {"serviceRate": SERVICE_RATE, "errorRate": 0.2}})
    clock.set_time_scale(60)
    new_model(control_plane, sandbox, doc, 2)

    kit.wait_condition(control_plane, namespace, "faulty", "Degraded", reason="RolledBack", timeout=120)
    obj = kit.get(control_plane, namespace, "faulty")
    message = kit.condition(obj, "Degraded")["message"]
    assert "Invocation5XXErrors" in message and "step 1 of 3" in message, message
    kit.wait_for(lambda: rollout(control_plane, namespace, "faulty").get("phase") == "RolledBack", timeout=60,
                 what="RolledBack")
    kit.wait_for(lambda: [v["VariantName"] for v in kit.client(sandbox, "sagemaker").describe_endpoint(
        EndpointName=endpoint)["ProductionVariants"]] == ["primary"], timeout=60, what="the primary alone")
