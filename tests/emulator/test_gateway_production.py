"""The production settings reach AWS in SageMaker's and S3's shapes: VPC and network
isolation on CreateModel; the volume key, data capture and per-instance settings on
CreateEndpointConfig; SSE-KMS on the copies of multi-model artifacts. Read from the
emulator's request log (what was sent) and from the describes (what AWS kept)."""

from __future__ import annotations

import boto3
import pytest

from endpoint_operator.api.resources import (
    ContainerDef,
    DataCapture,
    EndpointConfig,
    ProductionVariant,
    S3Copy,
    S3Object,
    SageMakerModel,
    VariantProvisioning,
    VpcSettings,
)
from endpoint_operator.aws import CallStats, ClientFactory, Invalid, LimiterRegistry, S3Gateway, SageMakerGateway

pytestmark = pytest.mark.emulator

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/sagemaker-exec"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def clients(aws) -> ClientFactory:
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
    return ClientFactory(session, endpoint_url=aws.url)


def _roomy() -> LimiterRegistry:
    return LimiterRegistry(reads_per_second=1000.0, mutations_per_second=1000.0, burst=1000)


def _sent(aws, operation: str) -> dict:
    [call] = aws.emulator.calls(operation=operation)
    assert call["status"] == 200, call
    return call["params"]


def test_vpc_and_isolation_reach_create_model(aws, clients):
    gateway = SageMakerGateway(clients, _roomy(), REGION, stats=CallStats())
    gateway.create_model(SageMakerModel(
        name="fraud-vpc", execution_role_arn=ROLE,
        container=ContainerDef(image=IMAGE, model_data_url="s3://models/fraud/model.tar.gz"),
        vpc=VpcSettings(subnets=("subnet-0a1b2c3d", "subnet-0e1f2a3b"), security_group_ids=("sg-0a1b2c3d",)),
        network_isolation=True,
    ))

    sent = _sent(aws, "CreateModel")
    assert sent["VpcConfig"] == {"SecurityGroupIds": ["sg-0a1b2c3d"], "Subnets": ["subnet-0a1b2c3d", "subnet-0e1f2a3b"]}
    assert sent["EnableNetworkIsolation"] is True
    described = clients.client("sagemaker", REGION).describe_model(ModelName="fraud-vpc")
    assert described["VpcConfig"]["Subnets"] == ["subnet-0a1b2c3d", "subnet-0e1f2a3b"]


def test_volume_key_capture_and_provisioning_reach_create_endpoint_config(aws, clients):
    gateway = SageMakerGateway(clients, _roomy(), REGION, stats=CallStats())
    gateway.create_model(SageMakerModel(name="fraud-vpc", execution_role_arn=ROLE, container=ContainerDef(image=IMAGE)))
    provisioning = VariantProvisioning(volume_size_gb=200, model_data_download_timeout_seconds=1800,
                                       container_startup_health_check_timeout_seconds=1200,
                                       inference_ami_version="al2-ami-sagemaker-inference-gpu-3-1")
    gateway.create_endpoint_config(EndpointConfig(
        name="fraud-cfg",
        variants=(ProductionVariant(name="primary", model_name="fraud-vpc", instance_type="ml.m5.large",
                                    initial_instance_count=1, provisioning=provisioning),),
        kms_key_id=KEY,
        data_capture=DataCapture(enabled=True, sampling_percentage=20, destination="s3://capture/fraud/",
                                 capture_modes=("Input", "Output"), csv_content_types=("text/csv",),
                                 kms_key_id="alias/capture"),
    ))

    sent = _sent(aws, "CreateEndpointConfig")
    assert sent["KmsKeyId"] == KEY
    [variant] = sent["ProductionVariants"]
    assert {k: variant[k] for k in ("VolumeSizeInGB", "ModelDataDownloadTimeoutInSeconds",
                                    "ContainerStartupHealthCheckTimeoutInSeconds", "InferenceAmiVersion")} == {
        "VolumeSizeInGB": 200, "ModelDataDownloadTimeoutInSeconds": 1800,
        "ContainerStartupHealthCheckTimeoutInSeconds": 1200,
        "InferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-3-1"}
    assert sent["DataCaptureConfig"] == {
        "EnableCapture": True, "InitialSamplingPercentage": 20, "DestinationS3Uri": "s3://capture/fraud/",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}], "KmsKeyId": "alias/capture",
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]}}
    # Described back, the variant keeps its settings: a canary's primary is built from it.
    [observed] = gateway.describe_endpoint_config("fraud-cfg").variants
    assert observed.provisioning == provisioning


@pytest.mark.parametrize("multipart", [False, True], ids=["copy-object", "multipart"])
def test_artifact_copies_are_encrypted_with_the_key_and_say_so(aws, clients, multipart):
    s3 = clients.client("s3", REGION)
    for bucket in ("team-models", "serving"):
        s3.create_bucket(Bucket=bucket)
    part = 5 * 1024 * 1024  # S3's smallest part but the last
    s3.put_object(Bucket="team-models", Key="recsys/v7/model.tar.gz", Body=b"w" * (part + 1024))
    # A threshold below the object's size sends the copy part by part.
    gateway = S3Gateway(clients, _roomy(), REGION, stats=CallStats(),
                        **({"multipart_threshold": part, "part_size": part} if multipart else {}))
    target = S3Object(bucket="serving", key="endpoint-operator/ml/recs/v-1/recsys.tar.gz")

    gateway.copy_artifact(S3Copy(source=S3Object(bucket="team-models", key="recsys/v7/model.tar.gz"),
                                 target=target, kms_key_id="alias/models"))
    gateway.mark_removed(S3Object(bucket="serving", key="endpoint-operator/ml/recs/v-1.removed/old.tar.gz"),
                         "s3://team-models/old/model.tar.gz", kms_key_id="alias/models")

    sent = _sent(aws, "CreateMultipartUpload" if multipart else "CopyObject")
    assert (sent["ServerSideEncryption"], sent["SSEKMSKeyId"]) == ("aws:kms", "alias/models")
    marker = aws.emulator.calls(operation="PutObject")[-1]["params"]  # after the source's own
    assert (marker["ServerSideEncryption"], marker["SSEKMSKeyId"]) == ("aws:kms", "alias/models")
    head = s3.head_object(Bucket="serving", Key=target.key)
    assert head["ServerSideEncryption"] == "aws:kms"
    # The listing tells a copy under this key from one under another (or none).
    listed = gateway.list_artifacts(S3Object(bucket="serving", key="endpoint-operator/ml/recs/"))
    assert listed["v-1/recsys.tar.gz"] == "s3://team-models/recsys/v7/model.tar.gz sse-kms:alias/models"


def test_a_volume_key_on_an_instance_type_with_local_storage_is_refused_as_aws_does(aws, clients):
    gateway = SageMakerGateway(clients, _roomy(), REGION, stats=CallStats())
    gateway.create_model(SageMakerModel(name="llm", execution_role_arn=ROLE, container=ContainerDef(image=IMAGE)))
    config = EndpointConfig(name="llm-cfg", kms_key_id=KEY, variants=(
        ProductionVariant(name="primary", model_name="llm", instance_type="ml.g5.2xlarge", initial_instance_count=1),))

    with pytest.raises(Invalid) as refused:
        gateway.create_endpoint_config(config)
    assert "ml.g5.2xlarge has local instance storage" in str(refused.value)
    # The same key on an EBS-backed type is taken.
    gateway.create_endpoint_config(config.model_copy(update={"variants": (
        config.variants[0].model_copy(update={"instance_type": "ml.p3.2xlarge"}),)}))
