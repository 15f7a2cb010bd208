"""SageMaker resource shapes: what the planner desires and what the gateway observes.

Desired shapes are exact enough for the gateway to call the API with no further
judgement; observed shapes carry only what the planner reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_serializer


class Resource(BaseModel):
    model_config = ConfigDict(frozen=True, protected_namespaces=(), extra="forbid")

    # Fields added after names were first content-hashed (plan/naming.py hashes these
    # shapes): left out of every dump while unset, so a new release of the operator
    # renames nothing it built before and starts no fleet for it.
    omitted_when_unset: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_unset(self, handler: Any) -> Any:
        data = handler(self)
        for key in self.omitted_when_unset:
            if isinstance(data, dict) and data.get(key) in (None, False):
                data.pop(key, None)
        return data


# ---- desired -------------------------------------------------------------------------

class ContainerDef(Resource):
    image: str
    model_data_url: str | None = None
    mode: str = "SingleModel"  # SingleModel | MultiModel
    model_cache: bool | None = None  # MultiModel only: ModelCacheSetting
    environment: dict[str, str] = {}


class VpcSettings(Resource):
    """CreateModel's VpcConfig."""

    subnets: tuple[str, ...]
    security_group_ids: tuple[str, ...]


class SageMakerModel(Resource):
    omitted_when_unset = frozenset({"vpc", "network_isolation"})

    name: str
    execution_role_arn: str
    container: ContainerDef
    tags: dict[str, str] = {}
    vpc: VpcSettings | None = None
    network_isolation: bool = False


class ServerlessConfig(Resource):
    memory_size_mb: int
    max_concurrency: int
    provisioned_concurrency: int | None = None


class VariantProvisioning(Resource):
    """ProductionVariant's per-instance settings for large models."""

    volume_size_gb: int | None = None
    model_data_download_timeout_seconds: int | None = None
    container_startup_health_check_timeout_seconds: int | None = None
    inference_ami_version: str | None = None
class ManagedInstanceScaling(Resource):
    """The instance range SageMaker keeps an inference-component endpoint's fleet in."""

    min_instances: int
    max_instances: int


class ProductionVariant(Resource):
    omitted_when_unset = frozenset({"provisioning", "managed_scaling"})

    name: str
    model_name: str | None = None  # None: the variant hosts inference components
    weight: float = 1.0
    instance_type: str | None = None  # None for serverless
    initial_instance_count: int | None = None
    serverless: ServerlessConfig | None = None
    provisioning: VariantProvisioning | None = None
    managed_scaling: ManagedInstanceScaling | None = None


class AsyncConfig(Resource):
    output_path: str
    failure_path: str | None = None
    success_topic_arn: str | None = None
    error_topic_arn: str | None = None
    kms_key_id: str | None = None
    max_concurrent_invocations_per_instance: int | None = None


class DataCapture(Resource):
    """CreateEndpointConfig's DataCaptureConfig."""

    enabled: bool
    sampling_percentage: int
    destination: str
    capture_modes: tuple[str, ...]  # Input, Output
    csv_content_types: tuple[str, ...] = ()
    json_content_types: tuple[str, ...] = ()
    kms_key_id: str | None = None


class EndpointConfig(Resource):
    omitted_when_unset = frozenset({"kms_key_id", "data_capture", "execution_role_arn"})

    name: str
    variants: tuple[ProductionVariant, ...]
    shadow_variants: tuple[ProductionVariant, ...] = ()  # ShadowProductionVariants: a copy of traffic, no answers
    async_config: AsyncConfig | None = None
    tags: dict[str, str] = {}
    kms_key_id: str | None = None  # the instances' storage volume
    data_capture: DataCapture | None = None
    # Inference components run their containers with the endpoint's role: no model holds one.
    execution_role_arn: str | None = None

    def settings(self) -> dict[str, Any]:
        """The config-level settings besides the variants, as keyword arguments: what a
        config built from this one (a canary's) keeps."""
        return {key: getattr(self, key) for key in ("async_config", "kms_key_id", "data_capture")
                if getattr(self, key) is not None}


class ComputePerCopy(Resource):
    memory_mb: int
    cpu_cores: float | None = None
    accelerators: int | None = None


class InferenceComponent(Resource):
    """One model hosted on an endpoint as an inference component."""

    name: str
    model: str  # the spec's model name
    endpoint_name: str
    variant: str
    container: ContainerDef  # image, artifact and environment of each copy
    compute: ComputePerCopy
    copies: int  # the copy count it starts with (and keeps, when nothing autoscales it)
    min_copies: int  # 0: the model may sleep
    max_copies: int
    tags: dict[str, str] = {}

    def serves_as(self, observed: "ObservedComponent") -> bool:
        """Whether the observed component runs what this one declares (copies aside)."""
        return (observed.image, observed.artifact_url, observed.environment, observed.compute) == (
            self.container.image, self.container.model_data_url, self.container.environment, self.compute)


class S3Object(Resource):
    bucket: str
    key: str


class S3Copy(Resource):
    """Copy of a model artifact under a multi-model endpoint's prefix."""

    omitted_when_unset = frozenset({"kms_key_id"})

    source: S3Object
    target: S3Object
    kms_key_id: str | None = None  # SSE-KMS of the copy


def artifact_origin(source_url: str, kms_key_id: str | None) -> str:
    """What identifies a copied artifact's content: its source URL, and the KMS key it
    was encrypted with when there is one (a copy under another key is another copy)."""
    return f"{source_url} sse-kms:{kms_key_id}" if kms_key_id else source_url


# ---- observed ------------------------------------------------------------------------

class ObservedVariant(Resource):
    name: str
    weight: float | None = None
    current_instances: int | None = None
    desired_instances: int | None = None
    current_serverless: ServerlessConfig | None = None


class ObservedEndpoint(Resource):
    name: str
    arn: str | None = None
    status: str  # Creating | Updating | SystemUpdating | RollingBack | InService | OutOfService | Deleting | Failed | UpdateRollbackFailed
    config_name: str | None = None
    failure_reason: str | None = None
    last_modified: datetime | None = None
    variants: tuple[ObservedVariant, ...] = ()
    tags: dict[str, str] = {}
    # A deployment in flight: PendingDeploymentSummary's variant status, "Baking: ..." for a guardrail's step.
    deployment_stage: str | None = None


class EndpointSummary(Resource):
    """One row of a ListEndpoints sweep: enough to tell whether to describe."""

    name: str
    status: str
    last_modified: datetime | None = None
    arn: str | None = None


class ObservedConfig(Resource):
    name: str
    variant_models: tuple[str, ...] = ()
    shadow_models: tuple[str, ...] = ()  # ShadowProductionVariants' models
    tags: dict[str, str] = {}
    variants: tuple[ProductionVariant, ...] = ()  # filled when described


class ObservedComponent(Resource):
    name: str
    status: str  # Creating | Updating | InService | Failed | Deleting
    endpoint_name: str | None = None
    variant: str | None = None
    failure_reason: str | None = None
    image: str | None = None
    artifact_url: str | None = None
    environment: dict[str, str] = {}
    compute: ComputePerCopy | None = None
    desired_copies: int | None = None
    current_copies: int | None = None


# What SageMaker is still doing (EndpointStatus and InferenceComponentStatus in the
# service model): an endpoint or a component in one of these is waited for, never acted on.
IN_FLIGHT_STATUSES = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"})
COMPONENT_IN_FLIGHT_STATUSES = frozenset({"Creating", "Updating", "Deleting"})
