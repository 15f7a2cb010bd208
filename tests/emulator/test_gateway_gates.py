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
                                    Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=0.01,
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


def period_query(period: int) -> dict:
    return {"Id": "latency", "ReturnData": True, "MetricStat": {"Period": period, "Stat": "Maximum", "Metric": {
        "Namespace": "AWS/SageMaker", "MetricName": "ModelLatency",
        "Dimensions": [{"Name": "EndpointName", "Value": "recs"}, {"Name": "VariantName", "Value": "canary"}]}}}


@pytest.mark.parametrize("age, refused_period, answered_period", [
    (timedelta(days=20), 60 * 28_801, 300 * 5_761),  # 15 to 63 days back: a multiple of 300 s
    (timedelta(days=70), 300 * 20_161, 3600 * 1_681),  # beyond 63 days: a multiple of 3600 s
], ids=["20-days", "70-days"])
def test_an_old_start_time_answers_only_a_period_of_its_granularity(aws, age, refused_period, answered_period):
    """CloudWatch returns no data points for a period that does not fit the age of
    StartTime (API Reference, MetricStat.Period), even for data from a minute ago."""
    now = datetime.now(timezone.utc)
    put_latencies(aws, "canary", [700_000], now - timedelta(minutes=1))
    start = now - age
    answer = {p: aws.cloudwatch.get_metric_data(MetricDataQueries=[period_query(p)], StartTime=start, EndTime=now)
              for p in (refused_period, answered_period)}
    assert answer[refused_period]["MetricDataResults"][0]["Values"] == []
    assert answer[answered_period]["MetricDataResults"][0]["Values"] == [700_000.0]


@pytest.mark.parametrize("pause", [timedelta(days=20, minutes=7), timedelta(days=70, minutes=7)], ids=["20-days", "70-days"])
def test_gates_of_a_step_held_for_weeks_still_read_their_data(aws, gateway, pause):
    """A long pause or a long AwaitingPromotion: the window starts weeks back (the
    operator's clock is `now`), and the reads still find this minute's data."""
    now = datetime.now(timezone.utc)
    put_latencies(aws, "canary", [500_000, 900_000], now - timedelta(minutes=1))
    query = GateQuery(endpoint_name="recs", alarms=(),
                      metrics=(MetricRead("m0_canary", 0, "ModelLatency", "p99", "canary"),
                               MetricRead("m1_canary", 1, "ModelLatency", "Maximum", "canary")),
                      since=now - pause)
    readings = read_gates(gateway, query, now)
    assert readings.metrics == {"m0_canary": 900_000.0, "m1_canary": 900_000.0}
