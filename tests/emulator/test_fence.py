"""The mutation fence against the emulator: while closed, reads pass and mutations are
refused before they reach AWS (the emulator's log never sees them)."""

from __future__ import annotations

import boto3
import pytest

from endpoint_operator.api.resources import ContainerDef, SageMakerModel
from endpoint_operator.aws import ClientFactory, LimiterRegistry, SageMakerGateway, Transient
from endpoint_operator.aws.fence import NOT_LEADER, fenced_session

pytestmark = pytest.mark.emulator

REGION = "us-east-1"


def test_mutations_wait_for_the_lease_and_reads_do_not(aws):
    acting = [False]
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    clients = ClientFactory(fenced_session(lambda: acting[0], session), endpoint_url=aws.url)
    roomy = LimiterRegistry(reads_per_second=1000.0, mutations_per_second=1000.0, burst=1000)
    gateway = SageMakerGateway(clients, roomy, REGION)
    model = SageMakerModel(
        name="fenced-model", execution_role_arn="arn:aws:iam::111122223333:role/sagemaker-exec",
        container=ContainerDef(image="111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1",
                               model_data_url="s3://models/x/model.tar.gz"))

    assert gateway.list_endpoints() == []
    with pytest.raises(Transient) as refused:
        gateway.create_model(model)
    assert refused.value.code == NOT_LEADER
    assert aws.emulator.calls(operation="CreateModel") == []
    assert aws.emulator.calls(operation="ListEndpoints")

    acting[0] = True
    gateway.create_model(model)
    [created] = aws.emulator.calls(operation="CreateModel")
    assert created["params"]["ModelName"] == "fenced-model"
