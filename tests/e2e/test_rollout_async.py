"""Canary rollouts of an asynchronous endpoint end to end, on the emulator's virtual
clock: a model change walks 15 -> 50 -> 100 on two variants of one config that keeps
the endpoint's AsyncInferenceConfig while the queue keeps being served, and a canary
whose requests fail is rolled back by its gate. An operator and emulator of their own
(traffic and a time scale are one clock for everything in an emulator)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import kit
from .test_traffic_scaling import clock, new_model, policies_in_place, ready, rollout, sandbox, virtual_now  # noqa: F401 (fixtures)

IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7"
SERVICE_RATE = 10.0  # requests per second one instance processes
RATE = 5.0  # requests per second the callers queue
# Gates on what an asynchronous endpoint publishes per variant: its error rate, and
# how long its requests waited in the queue.
GATES = [{"name": "Invocation5XXErrors", "max": "2%"}, {"name": "TimeInBacklog", "statistic": "p99", "max": "60s"}]
STEPS = [{"weight": 15, "pause": "5m"}, {"weight": 50, "pause": "5m"}, {"weight": 100}]


def async_doc(namespace: str, name: str, version: int = 1) -> dict[str, Any]:
    return kit.manifest(name, namespace, {
        "mode": "Async", "image": IMAGE,
        "models": [{"name": name, "modelDataUrl": f"s3://example-models/{name}/v{version}/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 4},
        "async": {"outputPath": f"s3://example-results/{name}/out/"},
        "rollout": {"steps": STEPS, "analysis": {"interval": "1m", "metrics": GATES}},
    })


def total(emulator, endpoint: str, metric: str, start: datetime, end: datetime, stat: str = "Sum",
          variant: str | None = None) -> list[float]:
    """The metric's per-minute values in [start, end) (EndpointName, and VariantName when given)."""
    dims = [{"Name": "EndpointName", "Value": endpoint}]
    if variant:
        dims.append({"Name": "VariantName", "Value": variant})
    answer = kit.client(emulator, "cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": metric,
                                                                 "Dimensions": dims}, "Period": 60, "Stat": stat}}],
        StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    return answer["MetricDataResults"][0]["Values"]


def test_an_async_model_change_walks_its_canary_steps_while_the_queue_keeps_being_served(
        control_plane, sandbox, clock, namespace):  # noqa: F811 (fixtures)
    doc = async_doc(namespace, "parser")
    endpoint = ready(control_plane, sandbox, doc)
    policies_in_place(sandbox, endpoint)
    clock.set_instance_start_time(60)
    clock.constant_load(endpoint, RATE, default={"serviceRate": SERVICE_RATE})
    clock.set_time_scale(60)

    started = virtual_now(sandbox)
    new_model(control_plane, sandbox, doc, 2)
    weights: set[int] = set()

    def walked() -> bool:
        described = kit.client(sandbox, "sagemaker").describe_endpoint(EndpointName=endpoint)
        variants = described["ProductionVariants"]
        canary = next((v for v in variants if v["VariantName"] == "canary"), None)
        if canary and described["EndpointStatus"] == "InService":
            weights.add(round(100 * canary["CurrentWeight"] / sum(v["CurrentWeight"] for v in variants)))
        return rollout(control_plane, namespace, "parser").get("phase") == "Succeeded"
    kit.wait_for(walked, timeout=120, interval=0.1, what="the async rollout to succeed")
    finished = virtual_now(sandbox)

    obj = kit.wait_condition(control_plane, namespace, "parser", "Ready", generation=2, timeout=60)
    state = obj["status"]["rollout"]
    assert state["progress"] == "3/3" and {15, 50} <= weights, (state, weights)
    sm = kit.client(sandbox, "sagemaker")
    # The canary config was an asynchronous one, with both variants; the promoted one is the spec's own.
    [canary_config] = [c["params"] for c in sandbox.client.calls(service="sagemaker", operation="CreateEndpointConfig")
                       if c["params"]["EndpointConfigName"] == state["canaryConfig"]]
    assert [(v["VariantName"], v["InitialVariantWeight"]) for v in canary_config["ProductionVariants"]] == [
        ("primary", 85.0), ("canary", 15.0)]
    assert canary_config["AsyncInferenceConfig"]["OutputConfig"]["S3OutputPath"] == "s3://example-results/parser/out/"
    serving = sm.describe_endpoint(EndpointName=endpoint)
    assert serving["EndpointConfigName"] == state["toRevision"]
    assert [v["VariantName"] for v in serving["ProductionVariants"]] == ["primary"]
    assert sm.describe_endpoint_config(EndpointConfigName=state["toRevision"])["AsyncInferenceConfig"]
    # The queue was served throughout: every minute both variants processed what they took, none failed, and
    # the backlog stayed within a few seconds of arrivals.
    assert sum(total(sandbox, endpoint, "InvocationsProcesssed", started, finished, variant="canary")) > 0
    for variant in ("primary", "canary"):
        assert sum(total(sandbox, endpoint, "Invocation5XXErrors", started, finished, variant=variant)) == 0
    backlog = total(sandbox, endpoint, "ApproximateBacklogSize", started, finished, stat="Maximum")
    print(f"\nasync rollout: {len(backlog)} virtual minutes, backlog max {max(backlog):.1f}")
    assert backlog and max(backlog) <= 3 * RATE


def test_an_async_canary_whose_requests_fail_is_rolled_back_by_its_gate(control_plane, sandbox, clock, namespace):  # noqa: F811
    doc = async_doc(namespace, "failing")
    endpoint = ready(control_plane, sandbox, doc)
    clock.set_instance_start_time(60)
    # One request in five fails on the new model.
    clock.constant_load(endpoint, RATE, default={"serviceRate": SERVICE_RATE},
                        variants={"canary": {"serviceRate": SERVICE_RATE, "errorRate": 0.2}})
    clock.set_time_scale(60)
    new_model(control_plane, sandbox, doc, 2)

    kit.wait_condition(control_plane, namespace, "failing", "Degraded", reason="RolledBack", timeout=120)
    message = kit.condition(kit.get(control_plane, namespace, "failing"), "Degraded")["message"]
    assert "Invocation5XXErrors" in message and "step 1 of 3" in message, message
    kit.wait_for(lambda: rollout(control_plane, namespace, "failing").get("phase") == "RolledBack", timeout=60,
                 what="RolledBack")
    serving = kit.wait_for(lambda: (lambda d: d if [v["VariantName"] for v in d["ProductionVariants"]] == ["primary"]
                                    else None)(kit.client(sandbox, "sagemaker").describe_endpoint(EndpointName=endpoint)),
                           timeout=60, what="the primary alone")
    assert serving["EndpointConfigName"] == rollout(control_plane, namespace, "failing")["fromRevision"]
