"""boto3 clients pointed at a running emulator, with the dummy credentials it accepts."""

from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_REGION = "us-east-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def emulator_client(url: str, service: str, region: str = DEFAULT_REGION,
                    max_attempts: int | None = None, **config: Any) -> Any:
    """A boto3 client for `service` at the emulator. `max_attempts` counts every
    attempt, the first included: 1 turns off botocore's retries, so a test sees
    each injected fault as it was sent."""
    if max_attempts is not None:
        config["retries"] = {"total_max_attempts": max_attempts, "mode": "standard"}
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name=region, config=Config(**config), **DUMMY_CREDENTIALS
    )


class AwsClients:
    """The clients the operator uses, for one region of the emulator."""

    def __init__(self, url: str, region: str = DEFAULT_REGION) -> None:
        self.url = url
        self.region = region

    def client(self, service: str, max_attempts: int | None = None, **config: Any) -> Any:
        return emulator_client(self.url, service, self.region, max_attempts, **config)

    def in_region(self, region: str) -> AwsClients:
        return AwsClients(self.url, region)

    @cached_property
    def sagemaker(self) -> Any:
        return self.client("sagemaker")

    @cached_property
    def s3(self) -> Any:
        return self.client("s3")

    @cached_property
    def autoscaling(self) -> Any:
        return self.client("application-autoscaling")

    @cached_property
    def cloudwatch(self) -> Any:
        return self.client("cloudwatch")

    @cached_property
    def sts(self) -> Any:
        return self.client("sts")
