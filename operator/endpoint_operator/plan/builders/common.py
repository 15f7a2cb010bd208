"""What every mode's builder shares: the inputs, the parts it returns, and the
instance-backed variant."""

from __future__ import annotations

from dataclasses import dataclass

from ...api.resources import (
    ContainerDef,
    DataCapture,
    EndpointConfig,
    InferenceComponent,
    ProductionVariant,
    S3Copy,
    S3Object,
    SageMakerModel,
    VariantProvisioning,
    VpcSettings,
)
from ...api.spec import ModelEndpointSpec
from .. import naming
from ..errors import invalid
from ..identity import Owner

from ..naming import PRIMARY  # noqa: F401  (the builders name the primary variant)


@dataclass(frozen=True)
class BuildContext:
    spec: ModelEndpointSpec
    owner: Owner
    endpoint_name: str
    tags: dict[str, str]
    # MultiModel: the folder under the artifact prefix to serve from ("" = the prefix
    # itself); None = the folder named by the models' content (see artifacts.py).
    artifact_version: str | None = None


@dataclass(frozen=True)
class Parts:
    models: tuple[SageMakerModel, ...]
    config: EndpointConfig
    served_models: tuple[str, ...]
    artifacts: tuple[S3Copy, ...] = ()
    artifact_prefix: S3Object | None = None
    artifact_version: str = ""  # MultiModel: the folder under the prefix the container serves
    scale_to_zero: bool = False  # Async: autoscaling may take the variant to zero instances
    components: tuple[InferenceComponent, ...] = ()  # InferenceComponents: one per model


def network_settings(ctx: BuildContext) -> dict:
    """SageMakerModel's VPC and isolation fields for spec.network, only those set."""
    network = ctx.spec.network
    if network is None:
        return {}
    settings: dict = {}
    if network.subnets is not None and network.security_group_ids is not None:
        settings["vpc"] = VpcSettings(subnets=tuple(network.subnets), security_group_ids=tuple(network.security_group_ids))
    if network.isolation:
        settings["network_isolation"] = True
    return settings


def hashed_model(ctx: BuildContext, container: ContainerDef) -> SageMakerModel:
    """A model named by what makes it (role, container, network), not by its tags.
    Network settings join the hash only when set, so models built without them keep
    their names."""
    network = network_settings(ctx)
    digest = naming.content_hash({"role": ctx.spec.execution_role_arn, "container": container, **network})
    return SageMakerModel(
        name=naming.model_name(ctx.endpoint_name, digest),
        execution_role_arn=ctx.spec.execution_role_arn,
        container=container,
        tags=ctx.tags,
        **network,
    )


def config_settings(ctx: BuildContext) -> dict:
    """EndpointConfig's volume key and data capture for the spec, only those set."""
    settings: dict = {}
    encryption, capture = ctx.spec.encryption, ctx.spec.data_capture
    if encryption is not None and encryption.volume_kms_key_id is not None:
        settings["kms_key_id"] = encryption.volume_kms_key_id
    if capture is not None:
        settings["data_capture"] = DataCapture(
            enabled=capture.enabled,
            sampling_percentage=capture.sampling_percentage,
            destination=capture.destination,
            capture_modes=capture.capture_modes(),
            csv_content_types=tuple(capture.csv_content_types or ()),
            json_content_types=tuple(capture.json_content_types or ()),
            kms_key_id=capture.kms_key_id,
        )
    return settings


def variant_provisioning(ctx: BuildContext) -> VariantProvisioning | None:
    settings = ctx.spec.provisioning
    if settings is None:
        return None
    provisioning = VariantProvisioning(
        volume_size_gb=settings.volume_size_gb,
        model_data_download_timeout_seconds=settings.model_data_download_timeout_seconds,
        container_startup_health_check_timeout_seconds=settings.container_startup_health_check_timeout_seconds,
        inference_ami_version=settings.inference_ami_version.value if settings.inference_ami_version else None,
    )
    return provisioning if provisioning != VariantProvisioning() else None


def hashed_config(ctx: BuildContext, variants: tuple[ProductionVariant, ...], **extra) -> EndpointConfig:
    """A config named by its variants (which name their hashed models) and settings
    (the spec's volume key and data capture join them when set).

    The instance count is left out of the name: the autoscaler changes the count of a
    running variant, and a count is no reason for a new fleet. A config built for
    another reason starts at the spec's count (initial_instance_count)."""
    extra = {**extra, **config_settings(ctx)}
    identity = tuple(v.model_copy(update={"initial_instance_count": None}) for v in variants)
    digest = naming.content_hash({"variants": identity, **extra})
    return EndpointConfig(name=naming.config_name(ctx.endpoint_name, digest), variants=variants, tags=ctx.tags, **extra)


def instance_variant(ctx: BuildContext, model: SageMakerModel) -> ProductionVariant:
    instances = ctx.spec.instances
    if instances is None:
        # Reachable through mode Auto: the schema requires instances only for explicit modes.
        raise invalid("spec.instances", "an instance type is required for this mode (for example ml.m5.large)")
    return ProductionVariant(
        name=PRIMARY,
        model_name=model.name,
        weight=1.0,
        instance_type=instances.type,
        initial_instance_count=max(instances.min, 1),  # min 0 is for scale-to-zero; a variant starts with one
        provisioning=variant_provisioning(ctx),
    )


def model_image(ctx: BuildContext, index: int) -> str:
    # The spec's own rules guarantee one of the two (spec.models[].image or spec.image).
    return ctx.spec.models[index].image or ctx.spec.image or ""


def single_model(ctx: BuildContext) -> SageMakerModel:
    """The one model of a single-model container (RealTime, Serverless, Async)."""
    spec_model = ctx.spec.models[0]
    container = ContainerDef(
        image=model_image(ctx, 0),
        model_data_url=spec_model.model_data_url,
        mode="SingleModel",
        environment=spec_model.environment or {},
    )
    return hashed_model(ctx, container)


def refuse_shadow(ctx: BuildContext, mode: str) -> None:
    """spec.rollout.shadow on a mode that takes canary steps but hosts no shadow variant:
    the schema refuses it for an explicit mode; mode Auto reaches here when it picks one."""
    if ctx.spec.rollout is not None and ctx.spec.rollout.shadow is not None:
        raise invalid("spec.rollout.shadow", f"is not allowed on the {mode} endpoint mode Auto chose here: SageMaker "
                      f"hosts no shadow variant on it (shadow tests exclude {mode} endpoints); the canary steps apply")
