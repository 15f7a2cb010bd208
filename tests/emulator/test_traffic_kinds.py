"""Load on asynchronous, serverless and multi-model endpoints, read back through
GetMetricData: a backlog that grows and drains, cold starts and a concurrency limit,
models loaded on their first call and evicted when an instance's cache is full."""

from __future__ import annotations

import pytest

from .helpers import ROLE, IMAGE, create_model, wait_for_status
from .test_traffic import SCALE, metric, minutes_served, virtual_now

pytestmark = pytest.mark.emulator


def endpoint_with(aws, name: str, variant: dict, **config) -> None:
    create_model(aws.sagemaker, f"{name}-model")
    aws.sagemaker.create_endpoint_config(EndpointConfigName=f"{name}-config", ProductionVariants=[
        {"VariantName": "primary", "ModelName": f"{name}-model", **variant}], **config)
    aws.sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
    wait_for_status(aws.sagemaker, name, "InService")


def minute_values(aws, name, dims, stat, start, end, **more):
    return list(metric(aws, name, dims, stat, start, end, **more).values())


def test_an_async_backlog_grows_while_arrivals_outrun_the_instance_and_drains_after(aws):
    endpoint_with(aws, "jobs", {"InstanceType": "ml.m5.large", "InitialInstanceCount": 1},
                  AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://out/jobs/"}})
    start = virtual_now(aws)
    origin = (start // 60 + 1) * 60
    # 15 requests/s for two minutes on one instance serving 10/s, then 5/s: +300 a minute, then -300.
    aws.emulator.set_traffic("jobs", {"kind": "trace", "rows": [[0, 15], [120, 5]]}, startAt=origin,
                             default={"serviceRate": 10})
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "jobs", origin - 60, 5)
    endpoint = {"EndpointName": "jobs"}
    backlog = minute_values(aws, "ApproximateBacklogSize", endpoint, "Maximum", origin, end)
    assert backlog == pytest.approx([300, 600, 595, 295, 0], abs=6)  # the peak of each minute
    assert minute_values(aws, "ApproximateBacklogSizePerInstance", endpoint, "Maximum", origin, end)[1] == \
        pytest.approx(600, abs=6)
    assert minute_values(aws, "HasBacklogWithoutCapacity", endpoint, "Maximum", origin, end) == [0] * 5
    assert max(minute_values(aws, "ApproximateAgeOfOldestRequest", endpoint, "Maximum", origin, end)) > 30
    variant = {"EndpointName": "jobs", "VariantName": "primary"}
    processed = minute_values(aws, "InvocationsProcesssed", variant, "Sum", origin, end)
    assert processed[:4] == pytest.approx([600, 600, 600, 600])
    # The guide's exhaustive list for async endpoints has no Invocations or OverheadLatency.
    assert metric(aws, "Invocations", variant, "Sum", origin, end) == {}
    assert metric(aws, "OverheadLatency", variant, "Sum", origin, end) == {}


def test_an_async_canary_publishes_per_variant_and_the_backlog_once_for_the_endpoint(aws):
    """Two variants of one asynchronous endpoint (a canary at 50 %): each publishes what
    it processed, with its own error rate; the queue's metrics are the endpoint's, one
    value a period over the instances of both."""
    for model in ("jobs2-old", "jobs2-new"):
        create_model(aws.sagemaker, model)
    aws.sagemaker.create_endpoint_config(EndpointConfigName="jobs2-canary", ProductionVariants=[
        {"VariantName": variant, "ModelName": model, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1,
         "InitialVariantWeight": 50.0} for variant, model in (("primary", "jobs2-old"), ("canary", "jobs2-new"))],
        AsyncInferenceConfig={"OutputConfig": {"S3OutputPath": "s3://out/jobs2/"}})
    aws.sagemaker.create_endpoint(EndpointName="jobs2", EndpointConfigName="jobs2-canary")
    wait_for_status(aws.sagemaker, "jobs2", "InService")
    start = virtual_now(aws)
    origin = (start // 60 + 1) * 60
    # 30 requests/s on two instances serving 10/s each: the backlog grows by 600 a minute.
    aws.emulator.set_traffic("jobs2", {"kind": "constant", "rate": 30}, startAt=origin, default={"serviceRate": 10},
                             variants={"canary": {"serviceRate": 10, "errorRate": 0.2}})
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "jobs2", origin - 60, 2)
    endpoint = {"EndpointName": "jobs2"}
    assert minute_values(aws, "ApproximateBacklogSize", endpoint, "SampleCount", origin, end) == pytest.approx([1, 1])
    backlog = minute_values(aws, "ApproximateBacklogSize", endpoint, "Maximum", origin, end)
    assert backlog == pytest.approx([600, 1200], abs=12)
    # Divided by the instances behind the endpoint: both variants' two.
    per_instance = minute_values(aws, "ApproximateBacklogSizePerInstance", endpoint, "Maximum", origin, end)
    assert per_instance == pytest.approx([b / 2 for b in backlog], abs=6)
    assert minute_values(aws, "HasBacklogWithoutCapacity", endpoint, "Maximum", origin, end) == [0, 0]
    for variant, errors in (("primary", 0.0), ("canary", 0.2)):
        dims = {"EndpointName": "jobs2", "VariantName": variant}
        assert minute_values(aws, "InvocationsProcesssed", dims, "Sum", origin, end) == pytest.approx([600, 600])
        assert minute_values(aws, "Invocation5XXErrors", dims, "Average", origin, end) == pytest.approx([errors] * 2)
        assert metric(aws, "Invocations", dims, "Sum", origin, end) == {}
    # The backlog has no variant of its own.
    assert metric(aws, "ApproximateBacklogSize", {"EndpointName": "jobs2", "VariantName": "canary"}, "Maximum",
                  origin, end) == {}


def test_serverless_cold_starts_once_then_refuses_what_exceeds_max_concurrency(aws):
    endpoint_with(aws, "sls", {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 2}})
    start = virtual_now(aws)
    origin = (start // 60 + 1) * 60
    # Two containers serve 2 x 4 = 8 requests/s; 10 arrive: 2 a second are throttled.
    aws.emulator.constant_load("sls", 10, startAt=origin, default={"serviceRate": 4},
                               serverless={"coldStartSeconds": 6})
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "sls", origin - 60, 2)
    dims = {"EndpointName": "sls", "VariantName": "primary"}
    assert minute_values(aws, "ModelSetupTime", dims, "SampleCount", origin, end) == [2]  # two cold starts, once
    assert minute_values(aws, "ModelSetupTime", dims, "Maximum", origin, end) == [6_000_000]  # microseconds
    assert minute_values(aws, "Invocations", dims, "Sum", origin, end) == pytest.approx([480, 480])
    overhead = minute_values(aws, "OverheadLatency", dims, "Maximum", origin, end)
    assert overhead[0] > 5_000_000 and overhead[1] < 10_000  # the cold start shows in the first minute only
    assert minute_values(aws, "ServerlessConcurrentExecutionsUtilization", dims, "Average", origin, end) == \
        pytest.approx([1.0, 1.0])


def test_multi_model_loads_on_first_call_and_evicts_the_least_recently_used(aws):
    aws.sagemaker.create_model(ModelName="mme-model", ExecutionRoleArn=ROLE, PrimaryContainer={
        "Image": IMAGE, "ModelDataUrl": "s3://models/mme/", "Mode": "MultiModel"})
    aws.sagemaker.create_endpoint_config(EndpointConfigName="mme-config", ProductionVariants=[{
        "VariantName": "primary", "ModelName": "mme-model", "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1, "InitialVariantWeight": 1.0}])
    aws.sagemaker.create_endpoint(EndpointName="mme", EndpointConfigName="mme-config")
    wait_for_status(aws.sagemaker, "mme", "InService")
    start = virtual_now(aws)
    origin = (start // 60 + 1) * 60
    mme = {"cacheSize": 2, "downloadSeconds": 2, "loadSeconds": 1}
    aws.emulator.constant_load("mme", 4, startAt=origin, multiModel={"models": {"a.tar.gz": 1, "b.tar.gz": 1}, **mme})
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "mme", origin - 60, 2)
    dims = {"EndpointName": "mme", "VariantName": "primary"}
    # Minute 1: a and b load on their first call; each call in the 3 s of a load waits for it.
    waits = minute_values(aws, "ModelLoadingWaitTime", dims, "SampleCount", origin, end)
    assert waits == [12]  # 2 calls/s each x 3 s, twice
    assert minute_values(aws, "ModelLoadingWaitTime", dims, "Maximum", origin, end) == [3_000_000]
    hits = minute_values(aws, "ModelCacheHit", dims, "Average", origin, end)
    assert hits == pytest.approx([228 / 240, 1.0])
    assert minute_values(aws, "ModelDownloadingTime", dims, "SampleCount", origin, end) == [2]
    # Then c is called: the instance holds two models, so the least recently used one leaves.
    aws.emulator.set_time_scale(1)
    later = (virtual_now(aws) // 60 + 1) * 60
    aws.emulator.constant_load("mme", 4, startAt=later,
                               multiModel={"models": {"a.tar.gz": 3, "c.tar.gz": 1}, **mme})
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "mme", later - 60, 1)
    assert minute_values(aws, "ModelUnloadingTime", dims, "SampleCount", later, end) == [1]
    assert minute_values(aws, "LoadedModelCount", dims, "Maximum", later, end,
                         namespace="/aws/sagemaker/Endpoints") == [2]
    [loaded] = aws.emulator.traffic("mme")["mme"]["variants"]["primary"]["loaded"]
    assert sorted(loaded) == ["a.tar.gz", "c.tar.gz"]  # b, unused since, was evicted
