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
