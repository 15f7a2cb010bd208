"""A call the operator's own budget refuses was never sent: the reads its sync made
before it still say what AWS holds, and the retry is served them instead of asking
again. What the sync changed in AWS in between voids them."""

from __future__ import annotations

import boto3
import pytest

from endpoint_operator.aws import CallStats, ClientFactory, LimiterRegistry, SageMakerGateway, Transient
from endpoint_operator.aws.calls import keeping_reads

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/r"


class FrozenClock:
    """Time stands still: a spent budget stays spent."""

    def __call__(self) -> float:
        return 0.0


@pytest.fixture
def clients(aws) -> ClientFactory:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return ClientFactory(session, endpoint_url=aws.url)


def _model(name: str):
    from endpoint_operator.api.resources import ContainerDef, SageMakerModel
    return SageMakerModel(name=name, execution_role_arn=ROLE, container=ContainerDef(image="img"))


def test_the_retry_of_a_sync_refused_for_budget_is_served_the_reads_made_before(clients, aws):
    limiters = LimiterRegistry(reads_per_second=0.5, mutations_per_second=0.5, burst=1, clock=FrozenClock())
    gateway = SageMakerGateway(clients, limiters, REGION, stats=CallStats())
    gateway.create_model(_model("other-m"))  # another object's sync spent the mutation token
    with keeping_reads():
        assert gateway.describe_endpoint("recs") is None  # the read budget's one token
        with pytest.raises(Transient):
            gateway.create_model(_model("recs-m"))  # refused before it is sent
    with keeping_reads():  # the retry: the read budget is spent, yet the endpoint is known
        assert gateway.describe_endpoint("recs") is None
    assert len(aws.emulator.calls(operation="DescribeEndpoint")) == 1
    with keeping_reads(), pytest.raises(Transient):  # served once: the next retry asks again
        gateway.describe_endpoint("recs")


def test_a_write_of_the_sync_voids_its_reads(clients, aws):
    limiters = LimiterRegistry(reads_per_second=0.5, mutations_per_second=0.5, burst=2, clock=FrozenClock())
    gateway = SageMakerGateway(clients, limiters, REGION, stats=CallStats())
    with keeping_reads():
        assert gateway.describe_endpoint("recs") is None
        gateway.create_model(_model("recs-m"))
        gateway.create_model(_model("recs-m2"))
        with pytest.raises(Transient):
            gateway.create_model(_model("recs-m3"))
    with keeping_reads():
        assert gateway.describe_endpoint("recs") is None  # asked again: the second read token
    assert len(aws.emulator.calls(operation="DescribeEndpoint")) == 2


def test_without_a_sync_nothing_is_kept(clients, aws):
    limiters = LimiterRegistry(reads_per_second=0.5, mutations_per_second=0.5, burst=1, clock=FrozenClock())
    gateway = SageMakerGateway(clients, limiters, REGION, stats=CallStats())
    assert gateway.describe_endpoint("recs") is None
    with pytest.raises(Transient):
        gateway.describe_endpoint("other")
    with pytest.raises(Transient):
        gateway.describe_endpoint("recs")
