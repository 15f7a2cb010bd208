"""Building blocks for emulator tests: SageMaker resources and polling with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

ROLE = "arn:aws:iam::123456789012:role/sagemaker-exec"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3"
T = TypeVar("T")


def create_model(sagemaker: Any, name: str) -> None:
    sagemaker.create_model(ModelName=name, ExecutionRoleArn=ROLE,
                           PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://models/{name}/model.tar.gz"})


def create_config(sagemaker: Any, name: str, variants: dict[str, tuple[str, int, float]]) -> None:
    """`variants`: variant name -> (model, instance count, weight)."""
    sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[
        {"VariantName": variant, "ModelName": model, "InstanceType": "ml.m5.large",
         "InitialInstanceCount": count, "InitialVariantWeight": weight}
        for variant, (model, count, weight) in variants.items()
    ])


def single_variant_endpoint(sagemaker: Any, endpoint: str, config: str = "config-a", instances: int = 2) -> None:
    create_model(sagemaker, f"{config}-model")
    create_config(sagemaker, config, {"primary": (f"{config}-model", instances, 1.0)})
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)


def wait_for(read: Callable[[], T], done: Callable[[T], bool], timeout: float = 10.0, every: float = 0.02) -> T:
    """Poll `read` until `done` holds for its value; fail with the last value at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not done after {timeout}s: {value!r}")
        time.sleep(every)


def wait_for_status(sagemaker: Any, endpoint: str, status: str, timeout: float = 10.0) -> dict[str, Any]:
    return wait_for(lambda: sagemaker.describe_endpoint(EndpointName=endpoint),
                    lambda d: d["EndpointStatus"] == status, timeout)
