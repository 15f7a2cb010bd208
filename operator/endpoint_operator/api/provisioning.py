"""spec.provisioning: how SageMaker provisions each instance of a variant, for large models.

ProductionVariant's VolumeSizeInGB (1-512, "Currently only Amazon EBS gp2 storage
volumes are supported"), ModelDataDownloadTimeoutInSeconds (60-3600, "to download and
extract the model [...] from Amazon S3 to the individual inference instance"),
ContainerStartupHealthCheckTimeoutInSeconds (60-3600, "for your inference container to
pass health check by SageMaker Hosting") and InferenceAmiVersion (the enum below).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field

from .rules import SpecModel


class InferenceAmiVersion(str, Enum):
    """botocore's ProductionVariantInferenceAmiVersion."""

    AL2_GPU_2 = "al2-ami-sagemaker-inference-gpu-2"
    AL2_GPU_2_1 = "al2-ami-sagemaker-inference-gpu-2-1"
    AL2_GPU_3_1 = "al2-ami-sagemaker-inference-gpu-3-1"
    AL2_NEURON_2 = "al2-ami-sagemaker-inference-neuron-2"
    AL2023_GPU_4_1 = "al2023-ami-sagemaker-inference-gpu-4-1"


class ProvisioningSpec(SpecModel):
    volume_size_gb: Annotated[int | None, Field(alias="volumeSizeGB", ge=1, le=512, description="Size in GB of the EBS volume of each instance (VolumeSizeInGB), 1 to 512. Not on instance types with local NVMe storage (ml.g4dn, ml.g5, ml.p4d, the d types, ...), whose storage is fixed.")] = None
    model_data_download_timeout_seconds: Annotated[int | None, Field(ge=60, le=3600, description="Seconds SageMaker allows to download and extract the model onto each instance (ModelDataDownloadTimeoutInSeconds), 60 to 3600.")] = None
    container_startup_health_check_timeout_seconds: Annotated[int | None, Field(ge=60, le=3600, description="Seconds the container has to pass its first health check (ContainerStartupHealthCheckTimeoutInSeconds), 60 to 3600: raise it for a model that takes long to load.")] = None
    inference_ami_version: Annotated[InferenceAmiVersion | None, Field(description="SageMaker's inference AMI (InferenceAmiVersion): the driver and CUDA or Neuron versions of the instances.")] = None
