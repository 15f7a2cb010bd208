"""The emulator serves load: a profile set through the control API turns into the
metrics SageMaker publishes, read back with boto3's GetMetricData on the virtual clock."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from .helpers import single_variant_endpoint, wait_for, wait_for_status

pytestmark = pytest.mark.emulator

SCALE = 600  # virtual seconds per real second: a minute of traffic in a tenth of a second


def virtual_now(aws) -> float:
    return aws.emulator.clock()["now"]


def metric(aws, name, dims, stat, start, end, period=60, namespace="AWS/SageMaker", unit=None):
    query = {"Id": "m", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": name,
                                                  "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()]},
                                       "Period": period, "Stat": stat}}
    if unit:
        query["MetricStat"]["Unit"] = unit
    answer = aws.client("cloudwatch").get_metric_data(
        MetricDataQueries=[query], StartTime=datetime.fromtimestamp(start, tz=timezone.utc),
        EndTime=datetime.fromtimestamp(end, tz=timezone.utc))
    [result] = answer["MetricDataResults"]
    return dict(zip([t.timestamp() for t in result["Timestamps"]], result["Values"]))


def minutes_served(aws, endpoint: str, start: float, minutes: int) -> float:
    """Wait until `minutes` whole virtual minutes after `start` are published; the end of the last one."""
    end = (start // 60 + 1 + minutes) * 60
    wait_for(lambda: aws.emulator.traffic(endpoint)[endpoint]["through"] or 0, lambda through: through >= end,
             timeout=60)
    return end


def test_constant_load_publishes_invocations_per_minute_with_sagemaker_units(aws):
    single_variant_endpoint(aws.sagemaker, "ep", instances=2)
    wait_for_status(aws.sagemaker, "ep", "InService")
    start = virtual_now(aws)
    aws.emulator.constant_load("ep", 10, default={"serviceRate": 10}, startAt=(start // 60 + 1) * 60)
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "ep", start, 3)
    dims = {"EndpointName": "ep", "VariantName": "primary"}
    first_full = (start // 60 + 1) * 60
    invocations = metric(aws, "Invocations", dims, "Sum", first_full, end)
    assert len(invocations) == 3 and all(v == pytest.approx(600) for v in invocations.values())
    per_instance = metric(aws, "InvocationsPerInstance", dims, "Sum", first_full, end)
    assert all(v == pytest.approx(300) for v in per_instance.values())
    p99 = metric(aws, "ModelLatency", dims, "p99", first_full, end, unit="Microseconds")
    # M/M/1 at rho 0.5 and 10 requests/s: p99 = ln(100) / (10 x 0.5) s = 921 ms.
    assert all(v == pytest.approx(921_034, rel=0.03) for v in p99.values())
    cpu = metric(aws, "CPUUtilization", dims, "SampleCount", first_full, end, namespace="/aws/sagemaker/Endpoints")
    assert all(v == pytest.approx(2) for v in cpu.values())  # one sample per instance a minute


def test_a_canary_gets_its_weight_and_a_bad_one_shows_its_error_rate(aws):
    from .helpers import create_config, create_model
    create_model(aws.sagemaker, "m")
    create_config(aws.sagemaker, "cfg", {"primary": ("m", 2, 0.85), "canary": ("m", 1, 0.15)})
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    wait_for_status(aws.sagemaker, "ep", "InService")
    start = virtual_now(aws)
    aws.emulator.constant_load("ep", 20, variants={"canary": {"errorRate": 0.25}}, startAt=(start // 60 + 1) * 60)
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "ep", start, 2)
    first_full = (start // 60 + 1) * 60
    primary = {"EndpointName": "ep", "VariantName": "primary"}
    canary = {"EndpointName": "ep", "VariantName": "canary"}
    assert list(metric(aws, "Invocations", canary, "Sum", first_full, end).values()) == pytest.approx([180, 180])
    assert list(metric(aws, "Invocations", primary, "Sum", first_full, end).values()) == pytest.approx([1020, 1020])
    assert list(metric(aws, "Invocation5XXErrors", canary, "Average", first_full, end).values()) == pytest.approx(
        [0.25, 0.25])
    assert list(metric(aws, "Invocation5XXErrors", primary, "Average", first_full, end).values()) == [0, 0]
    assert list(metric(aws, "Invocation4XXErrors", canary, "Sum", first_full, end).values()) == [0, 0]


def test_the_concurrency_metric_has_ten_second_datapoints_and_shows_a_step_within_them(aws):
    single_variant_endpoint(aws.sagemaker, "ep", instances=1)
    wait_for_status(aws.sagemaker, "ep", "InService")
    start = virtual_now(aws)
    origin = (start // 60 + 1) * 60  # the profile starts on a minute boundary and steps a minute later
    aws.emulator.step_load("ep", before=2, after=8, at=60, default={"serviceRate": 10}, startAt=origin)
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "ep", start, 2)
    dims = {"EndpointName": "ep", "VariantName": "primary"}
    first_full = (start // 60 + 1) * 60
    points = metric(aws, "ConcurrentRequestsPerModel", dims, "Average", first_full, end, period=10)
    assert sorted(points) == [first_full + 10 * i for i in range(12)]  # 10-second resolution
    before, after = list(points.values())[:6], list(points.values())[6:]
    # M/M/1: rho / (1 - rho) requests in the system per instance, 0.25 at rho 0.2 and 4 at rho 0.8.
    assert before == pytest.approx([0.25] * 6) and after == pytest.approx([4.0] * 6)
    # The standard metrics have one datapoint a minute, however short the period asked for.
    assert len(metric(aws, "Invocations", dims, "Sum", first_full, end, period=10)) == 2


def test_a_minute_is_published_once_it_is_over_and_not_before(aws):
    single_variant_endpoint(aws.sagemaker, "ep", instances=1)
    wait_for_status(aws.sagemaker, "ep", "InService")
    aws.emulator.set_time_scale(0.001)  # virtual time all but stands still
    origin = (virtual_now(aws) // 60 + 1) * 60  # the next whole minute
    aws.emulator.constant_load("ep", 5, startAt=origin)
    dims = {"EndpointName": "ep", "VariantName": "primary"}
    wait_for(lambda: aws.emulator.traffic("ep")["ep"]["through"], lambda through: through is not None)
    assert metric(aws, "Invocations", dims, "Sum", origin, origin + 180) == {}  # nothing served yet
    assert aws.emulator.traffic("ep")["ep"]["profile"] == {"kind": "constant", "rate": 5.0}
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, "ep", origin - 60, 1)
    assert end == origin + 60
    assert metric(aws, "Invocations", dims, "Sum", origin - 60, end) == {origin: pytest.approx(300)}
    aws.emulator.clear_traffic("ep")
    assert aws.emulator.traffic() == {}


def test_bad_traffic_settings_are_refused(aws):
    from endpoint_operator.sandbox.emulator import EmulatorControlError
    with pytest.raises(EmulatorControlError, match="unknown traffic settings"):
        aws.emulator.set_traffic("ep", {"kind": "constant", "rate": 1}, varients={})
    with pytest.raises(EmulatorControlError, match="service rate"):
        aws.emulator.constant_load("ep", 1, default={"serviceRate": 0})
    with pytest.raises(EmulatorControlError, match="unknown profile kind"):
        aws.emulator.set_traffic("ep", {"kind": "sine"})


def test_the_demo_hook_runs_load_and_reads_each_variant_back(aws, tmp_path):
    from endpoint_operator.sandbox.load_demo import describe, run_load, variant_minutes, write_chart

    from .helpers import create_config, create_model
    create_model(aws.sagemaker, "m")
    create_config(aws.sagemaker, "cfg", {"primary": ("m", 2, 0.5), "canary": ("m", 1, 0.5)})
    aws.sagemaker.create_endpoint(EndpointName="ep", EndpointConfigName="cfg")
    wait_for_status(aws.sagemaker, "ep", "InService")
    start, end = run_load(aws.url, "ep", {"kind": "constant", "rate": 12}, minutes=2,
                          variants={"canary": {"errorRate": 0.5, "serviceRate": 8}})
    assert aws.emulator.clock()["scale"] == 1  # back at real time
    canary = variant_minutes(aws.url, "ep", "canary", start, end)
    primary = variant_minutes(aws.url, "ep", "primary", start, end)
    assert [(m.invocations, m.error_rate, m.instances) for m in canary] == [(360, 0.5, 1), (360, 0.5, 1)]
    assert [(m.invocations, m.error_rate, m.instances) for m in primary] == [(360, 0, 2), (360, 0, 2)]
    # 6 requests/s on one instance of 8/s (rho 0.75) against 3/s on each of two of 10/s (rho 0.3).
    assert canary[0].p99_ms == pytest.approx(1000 * math.log(100) / 2, rel=0.03)
    assert primary[0].p99_ms == pytest.approx(1000 * math.log(100) / 7, rel=0.03)
    assert "50.0%" in describe(canary)
    write_chart(aws.url, "ep", ["primary", "canary"], start, end, tmp_path / "run.png")
    assert (tmp_path / "run.png").read_bytes()[:4] == b"\x89PNG"
