"""The gateway's behaviour at the limits: spent budgets, throttles, 5xx, no connection."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config

from endpoint_operator.aws import (
    CallStats,
    ClientFactory,
    LimiterRegistry,
    NotFound,
    S3Gateway,
    SageMakerGateway,
    Throttled,
    Transient,
)
from endpoint_operator.api.resources import S3Object
from endpoint_operator.aws.session import ENDPOINT_URL_ENV

pytestmark = pytest.mark.emulator

REGION = "us-east-1"


class FrozenClock:
    """Time stands still, so a spent budget stays spent for the whole test."""

    def __call__(self) -> float:
        return 0.0


def session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


@pytest.fixture
def clients(aws) -> ClientFactory:
    return ClientFactory(session(), endpoint_url=aws.url)


def test_the_sweep_lists_endpoints_from_the_reserve_when_syncs_spent_the_reads(clients, aws):
    limiters = LimiterRegistry(reads_per_second=0.5, mutations_per_second=1.0, burst=4, clock=FrozenClock(),
                               read_reserve=2)
    gateway = SageMakerGateway(clients, limiters, REGION, stats=CallStats())
    sm = aws.client("sagemaker")
    sm.create_model(ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/r", PrimaryContainer={"Image": "img"})
    for i in range(3):
        sm.create_endpoint_config(EndpointConfigName=f"c{i}", ProductionVariants=[{
            "VariantName": "primary", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
        sm.create_endpoint(EndpointName=f"sweep-{i}", EndpointConfigName=f"c{i}")

    gateway.describe_endpoint("recs")
    gateway.describe_endpoint("recs")
    with pytest.raises(Transient):  # the syncs' reads stop at the reserve
        gateway.describe_endpoint("recs")
    with pytest.raises(Transient):  # so does a listing without priority
        gateway.list_endpoints()
    names = {s.name for s in gateway.list_endpoints(priority=True)}
    assert names == {"sweep-0", "sweep-1", "sweep-2"}
    assert gateway.stats.snapshot()[("sagemaker", "ListEndpoints", "limited")] == 1


def test_a_spent_read_budget_raises_transient_without_calling_aws(clients, aws):
    limiters = LimiterRegistry(reads_per_second=0.5, mutations_per_second=1.0, burst=2, clock=FrozenClock())
    gateway = SageMakerGateway(clients, limiters, REGION, stats=CallStats())

    assert gateway.describe_endpoint("recs") is None
    assert gateway.describe_endpoint("recs") is None
    with pytest.raises(Transient) as caught:
        gateway.describe_endpoint("recs")

    assert caught.value.code == "ClientRateLimited"
    # One token at the pace, which the two calls that drained the bucket raised a little.
    pace = limiters.get(clients.account_id(REGION), REGION).rate("read")
    assert 0.5 < pace < 0.6
    assert caught.value.retry_after == pytest.approx(1 / pace)
    assert gateway.stats.snapshot() == {
        ("sagemaker", "DescribeEndpoint", "NotFound"): 2,
        ("sagemaker", "DescribeEndpoint", "limited"): 1,
    }
    assert len(aws.emulator.calls(service="sagemaker", operation="DescribeEndpoint")) == 2


def test_a_throttle_is_transient_and_slows_the_limiter_down(clients, aws):
    limiters = LimiterRegistry(reads_per_second=10.0, mutations_per_second=2.0, burst=5)
    gateway = SageMakerGateway(clients, limiters, REGION, stats=CallStats())
    aws.emulator.throttle(service="sagemaker", operation="DescribeEndpoint", count=1)

    with pytest.raises(Throttled) as caught:
        gateway.describe_endpoint("recs")

    assert caught.value.code == "ThrottlingException"
    assert caught.value.retry_after > 0
    limiter = limiters.get(clients.account_id(REGION), REGION)
    assert limiter.rate("read") < 10.0
    assert limiter.rate("mutation") == 2.0  # AWS throttles reads and mutations apart
    assert len(aws.emulator.calls(operation="DescribeEndpoint")) == 1  # botocore did not retry
    assert gateway.stats.snapshot()[("sagemaker", "DescribeEndpoint", "Throttled")] == 1


def test_s3_slow_down_is_a_throttle(clients, aws):
    aws.s3.create_bucket(Bucket="serving-artifacts")
    gateway = S3Gateway(clients, LimiterRegistry(), REGION)
    gateway.max_pace_seconds = 0  # refuse instead of pacing, to see the emptied budget
    aws.emulator.throttle(service="s3", count=1)

    with pytest.raises(Throttled) as caught:
        gateway.list_artifacts(S3Object(bucket="serving-artifacts", key="models/"))
    assert caught.value.code == "SlowDown"
    with pytest.raises(Transient) as caught:  # the saved-up burst is gone after a throttle
        gateway.list_artifacts(S3Object(bucket="serving-artifacts", key="models/"))
    assert caught.value.code == "ClientRateLimited"
    assert len(aws.emulator.calls(service="s3", operation="ListObjectsV2")) == 1

    fresh = S3Gateway(clients, LimiterRegistry(), REGION)
    aws.emulator.throttle(service="s3", count=1)
    with pytest.raises(Throttled) as caught:
        fresh.head(S3Object(bucket="serving-artifacts", key="models/a.tar.gz"))
    assert caught.value.code == "503"  # a HEAD error has no body to name it


@pytest.mark.parametrize(("status", "code"), [(500, "InternalFailure"), (503, "ServiceUnavailable")])
def test_a_server_error_is_transient_and_sent_once(clients, aws, status, code):
    gateway = SageMakerGateway(clients, LimiterRegistry(), REGION)
    aws.emulator.server_error(service="sagemaker", operation="ListEndpoints", count=1, status=status)

    with pytest.raises(Transient) as caught:
        gateway.list_endpoints()

    assert type(caught.value) is Transient
    assert caught.value.code == code
    assert len(aws.emulator.calls(operation="ListEndpoints")) == 1
    assert gateway.list_endpoints() == []  # the fault was for one call


def test_a_slow_answer_times_out_as_transient(aws):
    impatient = ClientFactory(session(), endpoint_url=aws.url, config=Config(read_timeout=0.3))
    gateway = SageMakerGateway(impatient, LimiterRegistry(), REGION)
    impatient.account_id(REGION)
    aws.emulator.slow(1.0, service="sagemaker", operation="ListEndpoints", count=1)

    with pytest.raises(Transient) as caught:
        gateway.list_endpoints()
    assert caught.value.code == "ReadTimeoutError"
    assert impatient.client("sagemaker", REGION).meta.config.retries["total_max_attempts"] == 1


def test_spent_mutations_leave_reads_going(clients):
    limiters = LimiterRegistry(reads_per_second=1.0, mutations_per_second=1.0, burst=1, clock=FrozenClock())
    gateway = SageMakerGateway(clients, limiters, REGION)

    with pytest.raises(NotFound):
        gateway.delete_model("absent")  # spends the one mutation token
    with pytest.raises(Transient):
        gateway.delete_model("absent")

    assert gateway.list_endpoints() == []


def test_gateways_of_one_account_and_region_share_a_budget(clients):
    limiters = LimiterRegistry(reads_per_second=1.0, mutations_per_second=1.0, burst=1, clock=FrozenClock())
    first = SageMakerGateway(clients, limiters, REGION)
    second = SageMakerGateway(clients, limiters, REGION)
    elsewhere = SageMakerGateway(clients, limiters, "eu-west-1")

    first.list_endpoints()
    with pytest.raises(Transient):
        second.list_endpoints()
    assert elsewhere.list_endpoints() == []


def test_no_connection_is_transient():
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    gateway = SageMakerGateway(ClientFactory(session(), endpoint_url=closed), LimiterRegistry(), REGION)

    with pytest.raises(Transient) as caught:
        gateway.list_endpoints()
    assert caught.value.code == "EndpointConnectionError"


def test_the_endpoint_url_comes_from_the_environment_when_not_given(aws, monkeypatch):
    monkeypatch.setenv(ENDPOINT_URL_ENV, aws.url)
    factory = ClientFactory(session())

    assert factory.endpoint_url == aws.url
    assert factory.client("sagemaker", REGION).meta.endpoint_url == aws.url
    assert factory.client("sagemaker", REGION) is factory.client("sagemaker", REGION)
    assert factory.client("sagemaker", "eu-west-1") is not factory.client("sagemaker", REGION)
    assert factory.target(REGION).endpoint_url == aws.url
    assert factory.account_id(REGION).isdigit()


def test_gateways_on_one_factory_share_its_counts(clients):
    limiters = LimiterRegistry()
    SageMakerGateway(clients, limiters, REGION).list_endpoints()
    SageMakerGateway(clients, limiters, "eu-west-1").describe_endpoint("recs")

    assert clients.stats.snapshot() == {
        ("sts", "GetCallerIdentity", "ok"): 1,  # the account is looked up once
        ("sagemaker", "ListEndpoints", "ok"): 1,
        ("sagemaker", "DescribeEndpoint", "NotFound"): 1,
    }


def test_workers_starting_together_ask_sts_once(aws, emulator):
    factory = ClientFactory(session(), endpoint_url=aws.url)
    factory.client("sts", REGION)  # built first, so the threads race on the lookup alone
    with ThreadPoolExecutor(max_workers=8) as pool:
        accounts = set(pool.map(lambda _: factory.account_id(REGION), range(16)))

    assert len(accounts) == 1
    assert factory.stats.snapshot() == {("sts", "GetCallerIdentity", "ok"): 1}
    assert len(emulator.client.calls(operation="GetCallerIdentity")) == 1


def test_clients_never_retry_by_themselves(clients):
    config = clients.client("sagemaker", REGION).meta.config
    assert config.retries["total_max_attempts"] == 1


def test_threads_sharing_a_gateway_spend_exactly_the_burst(clients, aws):
    limiters = LimiterRegistry(reads_per_second=1.0, mutations_per_second=1.0, burst=15, clock=FrozenClock())
    gateway = SageMakerGateway(clients, limiters, REGION, stats=CallStats())

    def describe(_: int) -> str:
        try:
            gateway.describe_endpoint("recs")
        except Transient:
            return "limited"
        return "sent"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(describe, range(40)))

    assert outcomes.count("sent") == 15
    assert gateway.stats.snapshot() == {
        ("sagemaker", "DescribeEndpoint", "NotFound"): 15,
        ("sagemaker", "DescribeEndpoint", "limited"): 25,
    }
    assert len(aws.emulator.calls(operation="DescribeEndpoint")) == 15


def test_a_short_wait_for_budget_is_paced_not_refused(clients, aws):
    aws.s3.create_bucket(Bucket="paced")
    limiters = LimiterRegistry(reads_per_second=20.0, mutations_per_second=1.0, burst=1)
    gateway = S3Gateway(clients, limiters, REGION)
    for _ in range(3):  # one token of burst, then 50 ms waits: paced in the calling thread
        gateway.list_artifacts(S3Object(bucket="paced", key="models/"))
    assert len(aws.emulator.calls(service="s3", operation="ListObjectsV2")) == 3
    assert ("s3", "ListObjectsV2", "limited") not in gateway.stats.snapshot()


def test_reads_inside_priority_reads_take_the_reserve_and_only_there(clients, aws):
    from endpoint_operator.aws.calls import priority_reads

    limiters = LimiterRegistry(reads_per_second=0.5, mutations_per_second=1.0, burst=4, clock=FrozenClock(),
                               read_reserve=2)
    gateway = SageMakerGateway(clients, limiters, REGION, stats=CallStats())
    gateway.describe_endpoint("recs")
    gateway.describe_endpoint("recs")
    with pytest.raises(Transient):
        gateway.describe_endpoint("recs")
    with priority_reads():
        assert gateway.describe_endpoint("recs") is None  # the sync reporting a transition's end
    with priority_reads(False):
        with pytest.raises(Transient):
            gateway.describe_endpoint("recs")
    with pytest.raises(Transient):  # the flag ends with the block
        gateway.describe_endpoint("recs")
