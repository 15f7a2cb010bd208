"""SageMaker resource shapes: what the planner desires and what the gateway observes.

Desired shapes are exact enough for the gateway to call the API with no further
judgement; observed shapes carry only what the planner reads.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Resource(BaseModel):
    model_config = ConfigDict(frozen=True, protected_namespaces=(), extra="forbid")


# ---- desired -------------------------------------------------------------------------

class ContainerDef(Resource):
    image: str
    model_data_url: str | None = None
    mode: str = "SingleModel"  # SingleModel | MultiModel
    model_cache: bool | None = None  # MultiModel only: ModelCacheSetting
    environment: dict[str, str] = {}


class SageMakerModel(Resource):
    name: str
    execution_role_arn: str
    container: ContainerDef
    tags: dict[str, str] = {}


class ServerlessConfig(Resource):
    memory_size_mb: int
    max_concurrency: int
    provisioned_concurrency: int | None = None


class ProductionVariant(Resource):
    name: str
    model_name: str
    weight: float = 1.0
    instance_type: str | None = None  # None for serverless
    initial_instance_count: int | None = None
    serverless: ServerlessConfig | None = None


class AsyncConfig(Resource):
    output_path: str
    failure_path: str | None = None
    success_topic_arn: str | None = None
    error_topic_arn: str | None = None
    kms_key_id: str | None = None
    max_concurrent_invocations_per_instance: int | None = None


class EndpointConfig(Resource):
    name: str
    variants: tuple[ProductionVariant, ...]
    shadow_variants: tuple[ProductionVariant, ...] = ()  # ShadowProductionVariants: a copy of traffic, no answers
    async_config: AsyncConfig | None = None
    tags: dict[str, str] = {}


class S3Object(Resource):
    bucket: str
    key: str


class S3Copy(Resource):
    """Copy of a model artifact under a multi-model endpoint's prefix."""

    source: S3Object
    target: S3Object


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


class ObservedModel(Resource):
    name: str
    tags: dict[str, str] = {}


class ObservedConfig(Resource):
    name: str
    variant_models: tuple[str, ...] = ()
    shadow_models: tuple[str, ...] = ()  # ShadowProductionVariants' models
    tags: dict[str, str] = {}
    variants: tuple[ProductionVariant, ...] = ()  # filled when described


IN_FLIGHT_STATUSES = frozenset({"Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting"})
