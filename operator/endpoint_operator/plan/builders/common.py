"""What every mode's builder shares: the inputs, the parts it returns, and the
instance-backed variant."""

from __future__ import annotations

from dataclasses import dataclass

from ...api.resources import (
    ContainerDef,
    EndpointConfig,
    InferenceComponent,
    ProductionVariant,
    S3Copy,
    S3Object,
    SageMakerModel,
)
from ...api.spec import ModelEndpointSpec
from .. import naming
from ..errors import invalid
from ..identity import Owner

PRIMARY = "primary"


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


def hashed_model(ctx: BuildContext, container: ContainerDef) -> SageMakerModel:
    """A model named by what makes it (role and container), not by its tags."""
    digest = naming.content_hash({"role": ctx.spec.execution_role_arn, "container": container})
    return SageMakerModel(
        name=naming.model_name(ctx.endpoint_name, digest),
        execution_role_arn=ctx.spec.execution_role_arn,
        container=container,
        tags=ctx.tags,
    )


def hashed_config(ctx: BuildContext, variants: tuple[ProductionVariant, ...], **extra) -> EndpointConfig:
    """A config named by its variants (which name their hashed models) and settings.

    The instance count is left out of the name: the autoscaler changes the count of a
    running variant, and a count is no reason for a new fleet. A config built for
    another reason starts at the spec's count (initial_instance_count)."""
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
