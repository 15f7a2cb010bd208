"""The reads that judge a canary step, against the emulator: alarm states and metric
values per variant (percentiles included, which the emulator adds to moto)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest

from endpoint_operator.aws import ClientFactory, LimiterRegistry
from endpoint_operator.aws.cloudwatch import CloudWatchGateway, MetricQuery
from endpoint_operator.handlers.gates import read_gates
from endpoint_operator.plan.gates import GateQuery, MetricRead

pytestmark = pytest.mark.emulator

REGION = "us-east-1"


@pytest.fixture
def gateway(aws) -> CloudWatchGateway:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return CloudWatchGateway(ClientFactory(session, endpoint_url=aws.url), LimiterRegistry(), REGION)


def put_latencies(aws, variant: str, values, at: datetime) -> None:
    dims = [{"Name": "EndpointName", "Value": "recs"}, {"Name": "VariantName", "Value": variant}]
    aws.cloudwatch.put_metric_data(Namespace="AWS/SageMaker", MetricData=[
        {"MetricName": "ModelLatency", "Dimensions": dims, "Value": float(v), "Timestamp": at} for v in values])


def alarm(aws, name: str) -> None:
    aws.cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/SageMaker", MetricName="Invocation5XXErrors",
                                    Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                                    ComparisonOperator="GreaterThanThreshold")


def test_alarm_states_name_each_existing_alarm(aws, gateway):
    alarm(aws, "recs-5xx")
    alarm(aws, "recs-latency")
    aws.cloudwatch.set_alarm_state(AlarmName="recs-5xx", StateValue="ALARM", StateReason="test")
    aws.cloudwatch.set_alarm_state(AlarmName="recs-latency", StateValue="INSUFFICIENT_DATA", StateReason="test")
    assert gateway.alarm_states(["recs-5xx", "recs-latency", "missing"]) == {
        "recs-5xx": "ALARM", "recs-latency": "INSUFFICIENT_DATA"}


def test_metric_values_over_the_window_with_percentiles(aws, gateway):
    now = datetime.now(timezone.utc)
    put_latencies(aws, "canary", range(1, 101), now - timedelta(seconds=20))
    put_latencies(aws, "primary", [10, 20], now - timedelta(seconds=20))
    put_latencies(aws, "canary", [5000], now - timedelta(hours=2))  # before the step: not counted
    dims = {"EndpointName": "recs", "VariantName": "canary"}
    values = gateway.metric_values([
        MetricQuery("p99", "AWS/SageMaker", "ModelLatency", "p99", dims),
        MetricQuery("avg", "AWS/SageMaker", "ModelLatency", "Average", dims),
        MetricQuery("primary", "AWS/SageMaker", "ModelLatency", "Maximum", {**dims, "VariantName": "primary"}),
        MetricQuery("none", "AWS/SageMaker", "OverheadLatency", "p50", dims),
    ], now - timedelta(minutes=1), now)
    assert values == {"p99": 99.0, "avg": 50.5, "primary": 20.0, "none": None}


def test_read_gates_reads_only_what_the_query_names(aws, gateway):
    now = datetime.now(timezone.utc)
    alarm(aws, "recs-5xx")
    put_latencies(aws, "canary", [100, 200, 300], now - timedelta(seconds=10))
    query = GateQuery(endpoint_name="recs", alarms=("recs-5xx", "ghost"),
                      metrics=(MetricRead("m0_canary", 0, "ModelLatency", "p50", "canary"),
                               MetricRead("m0_primary", 0, "ModelLatency", "p50", "primary")),
                      since=now - timedelta(minutes=1))
    readings = read_gates(gateway, query, now)
    assert readings.alarms == {"recs-5xx": "OK", "ghost": None}
    assert readings.metrics == {"m0_canary": 200.0, "m0_primary": None}
    operations = [c["operation"] for c in aws.emulator.calls(service="cloudwatch")]
    assert operations.count("GetMetricData") == 1 and operations.count("DescribeAlarms") == 1
