"""spec -> Blueprint: the SageMaker resources that serve a ModelEndpoint."""

from __future__ import annotations

from dataclasses import dataclass

from ..api.deployment import DeploymentSpec
from ..api.resources import EndpointConfig, InferenceComponent, S3Copy, S3Object, SageMakerModel
from ..api.scaling import COMPONENT_DIMENSION
from ..api.spec import Mode, ModelEndpointSpec, RolloutSpec
from . import naming
from .builders import BuildContext, profile_of
from .component_scaling import component_scaling
from .errors import invalid
from .identity import Owner, owner_tags
from .mode import resolve_mode
from .scaling import VariantScaling, desired_scaling

# SageMaker's tag limits.
MAX_TAGS = 50
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256


@dataclass(frozen=True)
class Blueprint:
    owner: Owner
    endpoint_name: str
    mode: Mode
    mode_reason: str
    tags: dict[str, str]  # owner tags + spec.tags, on every resource
    models: tuple[SageMakerModel, ...]  # content-hashed names
    config: EndpointConfig  # content-hashed name; variant "primary"
    artifacts: tuple[S3Copy, ...]  # MultiModel only: artifacts to place in the version folder
    artifact_prefix: S3Object | None  # MultiModel only: bucket + key prefix ending with "/"
    revision: str  # == config.name: serving this config is serving the spec
    served_models: tuple[str, ...] = ()  # status.models: spec model names (TargetModel names for MultiModel)
    scale_to_zero: bool = False  # Async: autoscaling may take the variant to zero instances
    # MultiModel only: the content version (a folder under artifact_prefix) the container
    # serves; a changed artifact gets a new one, and so a new fleet (see artifacts.py).
    artifact_version: str = ""
    rollout: RolloutSpec | None = None  # how a model change reaches traffic (see rollout.py)
    # How SageMaker's guardrails move the endpoint to a new config (UpdateEndpoint's
    # DeploymentConfig); None on Serverless, which has none.
    deployment: DeploymentSpec | None = None
    scaling: tuple[VariantScaling, ...] = ()  # autoscaling of the config's instance-backed variants, or of the components
    components: tuple[InferenceComponent, ...] = ()  # InferenceComponents: one per model


def _tags(spec: ModelEndpointSpec, owner: Owner) -> dict[str, str]:
    user = spec.tags or {}
    for key, value in user.items():
        if key.lower().startswith("aws:"):
            raise invalid("spec.tags", f"tag key {key!r}: the aws: prefix is reserved by AWS")
        if not key or len(key) > MAX_TAG_KEY or len(value) > MAX_TAG_VALUE:
            raise invalid("spec.tags", f"tag {key!r}: keys take 1-{MAX_TAG_KEY} characters, values up to {MAX_TAG_VALUE}")
    ours = owner_tags(owner)
    merged = {**user, **ours}  # the ownership tags are the operator's, never the user's
    if len(merged) > MAX_TAGS:
        raise invalid("spec.tags", f"{len(user)} tags plus the operator's {len(ours)} exceed SageMaker's {MAX_TAGS}")
    return merged


def build_blueprint(spec: ModelEndpointSpec, owner: Owner, endpoint_name: str | None = None,
                    artifact_version: str | None = None, recorded: str | None = None) -> Blueprint:
    """Raises PlanError for what the schema could not refuse. `endpoint_name` places
    the blueprint on another endpoint than the spec's own (a mode migration's slot,
    see migration.py); every model and config name follows it. `artifact_version`
    (MultiModel) serves the artifacts from a folder already in S3 (artifacts.py's
    choose_version); by default the folder is named by the models' content.
    `recorded` is the endpoint name status recorded (an earlier release's default
    name is kept)."""
    mode, reason = resolve_mode(spec)
    name = endpoint_name or naming.endpoint_name(owner, spec.endpoint_name, recorded)
    ctx = BuildContext(spec=spec, owner=owner, endpoint_name=name, tags=_tags(spec, owner),
                       artifact_version=artifact_version)
    profile = profile_of(mode)
    parts = profile.build(ctx)
    return Blueprint(
        owner=owner,
        endpoint_name=ctx.endpoint_name,
        mode=mode,
        mode_reason=reason,
        tags=ctx.tags,
        models=parts.models,
        config=parts.config,
        artifacts=parts.artifacts,
        artifact_prefix=parts.artifact_prefix,
        artifact_version=parts.artifact_version,
        revision=parts.config.name,
        served_models=parts.served_models,
        scale_to_zero=parts.scale_to_zero,
        rollout=spec.rollout,
        deployment=spec.deployment if mode != Mode.SERVERLESS else None,
        # Components scale their copies; managed instance scaling sizes their fleet.
        scaling=(component_scaling(spec, ctx.endpoint_name, parts.components)
                 if profile.scaling_dimension == COMPONENT_DIMENSION
                 else desired_scaling(spec, mode, ctx.endpoint_name, parts.config, parts.scale_to_zero)),
        components=parts.components,
    )
