"""A multi-model endpoint under load: the operator's endpoint keeps its busy models
loaded and loads the others on demand, and the load latency shows in its metrics.
The day's traffic of the example (its models' invocationsPerDay) runs on the
emulator's virtual clock, so five minutes of it take about a second."""

from __future__ import annotations

from datetime import datetime, timezone

from endpoint_operator.sandbox.emulator import EmulatorClient

from . import kit
from .test_multimodel import _own_example

SCALE = 300
CACHE_SIZE = 5  # models one instance holds: the four busy ones and one more
LOAD_SECONDS = 3


def _minutes(emulator, endpoint: str, name: str, stat: str, start: float, end: float,
             namespace: str = "AWS/SageMaker") -> list[float]:
    cloudwatch = kit.client(emulator, "cloudwatch")
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {
            "Namespace": namespace, "MetricName": name,
            "Dimensions": [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "primary"}]},
            "Period": 60, "Stat": stat}}],
        StartTime=datetime.fromtimestamp(start, tz=timezone.utc), EndTime=datetime.fromtimestamp(end, tz=timezone.utc))
    return answer["MetricDataResults"][0]["Values"]


def test_busy_models_stay_loaded_and_the_rest_load_on_demand_with_the_wait_in_the_metrics(
        operator, control_plane, emulator, namespace):
    doc = _own_example(namespace)
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, namespace, doc["metadata"]["name"], "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    sm = kit.client(emulator, "sagemaker")
    [variant] = sm.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]
    assert variant["CurrentInstanceCount"] == 1

    # Each model's share of the calls is its share of the day's invocations: 10.3 requests/s in all.
    per_day = {f"{m['name']}.tar.gz": m["invocationsPerDay"] for m in doc["spec"]["models"]}
    rate = sum(per_day.values()) / 86_400
    busy = sorted(m for m, n in per_day.items() if n / 86_400 >= 1)  # called every second
    rare = sorted(set(per_day) - set(busy))
    assert len(busy) == 4 and len(rare) == 2
    control = EmulatorClient(emulator.url)
    start = control.clock()["now"]
    origin = (start // 60 + 1) * 60
    control.constant_load(endpoint, rate, startAt=origin, variants={"primary": {"serviceRate": 20}}, multiModel={
        "models": per_day, "cacheSize": CACHE_SIZE, "downloadSeconds": 2, "loadSeconds": LOAD_SECONDS - 2})
    try:
        control.set_time_scale(SCALE)
        held = []
        end = origin + 5 * 60

        def published() -> bool:
            state = control.traffic(endpoint)[endpoint]
            held.append(state["variants"].get("primary", {}).get("loaded"))  # what the instance holds now
            return (state["through"] or 0) >= end

        kit.wait_for(published, timeout=60, interval=0.05, what="five minutes of load published")
    finally:
        control.set_time_scale(1)
        control.clear_traffic(endpoint)

    # The busy models are loaded in every sample taken while the load ran.
    samples = [instances[0] for instances in held if instances]
    assert len(samples) > 5
    assert all(set(busy) <= set(models) for models in samples)
    assert any(rare[0] in models for models in samples) and any(rare[1] in models for models in samples)

    # After the first minute (every model's first load), the misses are the rare models' loads only:
    # each call to a rare model not held waits for its load; the busy models' calls always hit.
    calls = _minutes(emulator, endpoint, "ModelCacheHit", "SampleCount", origin + 60, end)
    hits = _minutes(emulator, endpoint, "ModelCacheHit", "Sum", origin + 60, end)
    rare_calls_a_minute = sum(per_day[m] for m in rare) / 1440
    assert len(calls) == 4
    assert all(0 < c - h <= rare_calls_a_minute + 2 for c, h in zip(calls, hits))
    # The load latency is visible: calls waited for a load in every minute, at most the load time.
    waits = _minutes(emulator, endpoint, "ModelLoadingWaitTime", "SampleCount", origin + 60, end)
    assert len(waits) == 4 and all(w > 0 for w in waits)
    assert max(_minutes(emulator, endpoint, "ModelLoadingWaitTime", "Maximum", origin, end)) == LOAD_SECONDS * 1e6
    assert max(_minutes(emulator, endpoint, "LoadedModelCount", "Maximum", origin, end,
                        namespace="/aws/sagemaker/Endpoints")) == CACHE_SIZE
