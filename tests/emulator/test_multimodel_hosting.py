"""Multi-model endpoints as SageMaker hosts them: GPU instances only with the Triton
server, and each instance keeps serving the artifact version it loaded."""

from __future__ import annotations

import hashlib
import json

import pytest
from botocore.exceptions import ClientError

from .helpers import ROLE, wait_for_status

pytestmark = pytest.mark.emulator

PYTORCH_GPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"
TRITON = "785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.09-py3"
SKLEARN_CPU = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
BUCKET = "models"
PREFIX = f"s3://{BUCKET}/mme/"


def multi_model(aws, name: str, image: str, cache: str = "Enabled") -> None:
    aws.sagemaker.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={
        "Image": image, "ModelDataUrl": PREFIX, "Mode": "MultiModel",
        "MultiModelConfig": {"ModelCacheSetting": cache}})


def config(aws, name: str, model: str, instance_type: str, instances: int = 1) -> None:
    aws.sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=[{
        "VariantName": "primary", "ModelName": model, "InstanceType": instance_type,
        "InitialInstanceCount": instances, "InitialVariantWeight": 1.0}])


@pytest.mark.parametrize("image, instance_type", [(PYTORCH_GPU, "ml.g4dn.xlarge"), (TRITON, "ml.g6.xlarge"),
                                                  (TRITON, "ml.inf2.xlarge")])
def test_gpu_multi_model_config_without_triton_or_off_the_list_is_refused(aws, image, instance_type):
    multi_model(aws, "mme-model", image)
    with pytest.raises(ClientError) as refused:
        config(aws, "mme-config", "mme-model", instance_type)
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == f"MultiModel mode is not supported for instance type {instance_type}."


@pytest.mark.parametrize("image, instance_type", [(TRITON, "ml.g4dn.xlarge"), (TRITON, "ml.p3.2xlarge"),
                                                  (SKLEARN_CPU, "ml.c5.xlarge")])
def test_multi_model_on_triton_gpu_or_on_cpu_is_accepted(aws, image, instance_type):
    multi_model(aws, "mme-model", image)
    config(aws, "mme-config", "mme-model", instance_type)
    assert aws.sagemaker.describe_endpoint_config(EndpointConfigName="mme-config")["ProductionVariants"]


def put(aws, key: str, body: bytes) -> str:
    aws.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return hashlib.sha256(body).hexdigest()


def served(aws, endpoint: str, target: str) -> dict:
    answer = aws.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=endpoint, TargetModel=target, ContentType="application/json", Body=b"{}")
    return json.loads(answer["Body"].read())


def test_an_instance_serves_the_version_it_loaded_until_a_new_fleet(aws):
    aws.s3.create_bucket(Bucket=BUCKET)
    v1 = put(aws, "mme/recsys.tar.gz", b"recsys v1")
    multi_model(aws, "mme-model", SKLEARN_CPU)
    config(aws, "config-a", "mme-model", "ml.c5.xlarge", instances=2)
    aws.sagemaker.create_endpoint(EndpointName="mme", EndpointConfigName="config-a")
    wait_for_status(aws.sagemaker, "mme", "InService")
    assert served(aws, "mme", "recsys.tar.gz")["sha256"] == v1

    # Overwritten in place: the instance that loaded v1 keeps serving it.
    v2 = put(aws, "mme/recsys.tar.gz", b"recsys v2")
    assert [served(aws, "mme", "recsys.tar.gz")["sha256"] for _ in range(3)] == [v1, v1, v1]
    # A model no instance has loaded yet is read as it is now.
    v3 = put(aws, "mme/other.tar.gz", b"other v1")
    assert served(aws, "mme", "other.tar.gz")["sha256"] == v3

    # UpdateEndpoint to another config: a new fleet, nothing loaded, the new version served.
    config(aws, "config-b", "mme-model", "ml.c5.2xlarge", instances=2)
    aws.sagemaker.update_endpoint(EndpointName="mme", EndpointConfigName="config-b")
    wait_for_status(aws.sagemaker, "mme", "InService")
    assert served(aws, "mme", "recsys.tar.gz")["sha256"] == v2


def test_a_model_missing_from_the_prefix_is_an_error(aws):
    aws.s3.create_bucket(Bucket=BUCKET)
    multi_model(aws, "mme-model", SKLEARN_CPU)
    config(aws, "config-a", "mme-model", "ml.c5.xlarge")
    aws.sagemaker.create_endpoint(EndpointName="mme", EndpointConfigName="config-a")
    wait_for_status(aws.sagemaker, "mme", "InService")
    with pytest.raises(ClientError) as refused:
        served(aws, "mme", "absent.tar.gz")
    assert "Failed to download model data" in refused.value.response["Error"]["Message"]


def test_with_model_caching_disabled_every_call_loads_the_artifact(aws):
    aws.s3.create_bucket(Bucket=BUCKET)
    v1 = put(aws, "mme/recsys.tar.gz", b"recsys v1")
    multi_model(aws, "mme-model", SKLEARN_CPU, cache="Disabled")
    config(aws, "config-a", "mme-model", "ml.c5.xlarge")
    aws.sagemaker.create_endpoint(EndpointName="mme", EndpointConfigName="config-a")
    wait_for_status(aws.sagemaker, "mme", "InService")
    assert served(aws, "mme", "recsys.tar.gz")["sha256"] == v1
    v2 = put(aws, "mme/recsys.tar.gz", b"recsys v2")
    assert served(aws, "mme", "recsys.tar.gz")["sha256"] == v2
