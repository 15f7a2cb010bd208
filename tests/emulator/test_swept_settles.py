"""The sync the sweep starts when an endpoint this process created goes InService learns
it from the sweep's row, and what it learns is what DescribeEndpoint says of it."""

from __future__ import annotations

import time

import boto3
import pytest

from endpoint_operator.api.spec import validate_spec
from endpoint_operator.aws import CallStats, ClientFactory, LimiterRegistry, SageMakerGateway
from endpoint_operator.handlers.observe import observe_made
from endpoint_operator.plan.blueprint import build_blueprint
from endpoint_operator.plan.identity import Owner

pytestmark = pytest.mark.emulator

REGION = "us-east-1"


def _blueprint(**spec):
    return build_blueprint(validate_spec({
        "region": REGION, "executionRoleArn": "arn:aws:iam::111122223333:role/sagemaker-exec",
        "image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7",
        "models": [{"name": "model", "modelDataUrl": "s3://models/churn/model.tar.gz"}], **spec,
    }), Owner("ml", "churn", "u-1"))


@pytest.mark.parametrize("spec", [
    {"mode": "RealTime", "instances": {"type": "ml.m5.large", "min": 2, "max": 2}},
    {"mode": "Serverless", "serverless": {"memorySizeMB": 2048, "maxConcurrency": 5}},
], ids=["real-time", "serverless"])
def test_a_created_endpoint_the_sweep_saw_in_service_is_what_describe_says(aws, spec):
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    roomy = LimiterRegistry(reads_per_second=1000.0, mutations_per_second=1000.0, burst=1000)
    gateway = SageMakerGateway(ClientFactory(session, endpoint_url=aws.url), roomy, REGION, stats=CallStats())
    blueprint = _blueprint(**spec)
    for model in blueprint.models:
        gateway.create_model(model)
    gateway.create_endpoint_config(blueprint.config)
    gateway.create_endpoint(blueprint.endpoint_name, blueprint.config.name, blueprint.tags)
    made = frozenset({*(m.name for m in blueprint.models), blueprint.config.name, blueprint.endpoint_name})

    deadline = time.monotonic() + 15
    while {s.name: s.status for s in gateway.list_endpoints()}.get(blueprint.endpoint_name) != "InService":
        assert time.monotonic() < deadline
        time.sleep(0.05)  # the emulator's transition, on its own clock
    describes = len(aws.emulator.calls(operation="DescribeEndpoint"))
    settled = observe_made(gateway, blueprint, made).endpoint

    assert len(aws.emulator.calls(operation="DescribeEndpoint")) == describes  # not described
    assert settled == gateway.describe_endpoint(blueprint.endpoint_name)
