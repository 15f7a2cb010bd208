"""assess's reader against the emulator: every page, a 14-day hourly history, and
throttles paced through rather than fatal."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import boto3
import pytest

from endpoint_operator.aws import ClientFactory, LimiterRegistry
from endpoint_operator.aws.inventory import gateways, read_inventory
from endpoint_operator.sandbox.brownfield import ENDPOINTS, seed_brownfield

pytestmark = pytest.mark.emulator


def factory(aws) -> ClientFactory:
    return ClientFactory(boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                       region_name="us-east-1"), endpoint_url=aws.url)


def test_a_throttled_account_is_read_whole_at_the_pace_aws_asks(aws, monkeypatch):
    monkeypatch.setattr(gateways, "PAGE_SIZE", 2)  # three endpoints: two pages of ListEndpoints
    now = datetime.now(timezone.utc)
    seed_brownfield(aws, now=now, endpoints=ENDPOINTS[:3])
    aws.emulator.throttle(service="sagemaker", operation="DescribeEndpoint", count=2)
    aws.emulator.throttle(service="cloudwatch", operation="GetMetricData", count=1)
    limiters = LimiterRegistry()

    end = now.replace(minute=0, second=0, microsecond=0)
    inventory = read_inventory(factory(aws), limiters, ["us-east-1"], end - timedelta(days=14), end)

    assert [e.name for e in inventory.endpoints] == sorted(e.name for e in ENDPOINTS[:3])
    for endpoint in inventory.endpoints:
        [variant] = endpoint.variants
        assert variant.model.image and variant.model.model_data_url and variant.instance_type == "ml.g4dn.xlarge"
        assert len(variant.metrics.invocations) == 14 * 24
        assert sum(1 for x in variant.metrics.invocations if x) >= 14 * 23  # busy models: nearly every hour
        assert all(x is not None for x in variant.metrics.gpu_utilization)
    assert len(aws.emulator.calls(operation="ListEndpoints")) == 2
    throttled = [c for c in aws.emulator.calls() if c["error_code"] == "ThrottlingException"]
    assert len(throttled) == 3
    assert limiters.get("123456789012", "us-east-1").rate("read") < 10.0  # slowed down, then read on
