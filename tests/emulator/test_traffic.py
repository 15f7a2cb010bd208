"""The emulator serves load: a profile set through the control API turns into the
metrics SageMaker publishes, read back with boto3's GetMetricData on the virtual clock."""

from __future__ import annotations

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


def minutes_served(aws, start: float, minutes: int) -> float:
    """Wait until `minutes` whole virtual minutes after `start` are published; the end of the last one."""
    end = (start // 60 + 1 + minutes) * 60
    wait_for(lambda: virtual_now(aws), lambda now: now > end + 2, timeout=30)
    return end


def test_constant_load_publishes_invocations_per_minute_with_sagemaker_units(aws):
    single_variant_endpoint(aws.sagemaker, "ep", instances=2)
    wait_for_status(aws.sagemaker, "ep", "InService")
    start = virtual_now(aws)
    aws.emulator.constant_load("ep", 10, default={"serviceRate": 10})
    aws.emulator.set_time_scale(SCALE)
    end = minutes_served(aws, start, 3)
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
