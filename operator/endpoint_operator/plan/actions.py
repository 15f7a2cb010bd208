"""What the planner asks the gateway to do; each describes itself in one line for
events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..api.deployment import DeploymentSpec, Strategy, TrafficShifting
from ..api.resources import EndpointConfig, InferenceComponent, S3Copy, S3Object, SageMakerModel, ServerlessConfig
from .s3url import s3_url
from .scaling_actions import ScalingAction


@dataclass(frozen=True)
class CreateModel:
    model: SageMakerModel

    def describe(self) -> str:
        c = self.model.container
        return f"Create model {self.model.name} ({c.mode}, image {c.image}, data {c.model_data_url})"


def _variant_line(config: EndpointConfig) -> str:
    return ", ".join(
        f"{v.name}: {v.model_name or 'inference components'} on {_capacity(v)}" for v in config.variants
    )


def _capacity(variant) -> str:
    if variant.serverless is not None:
        s = variant.serverless
        warm = f", {s.provisioned_concurrency} provisioned" if s.provisioned_concurrency is not None else ""
        return f"serverless {s.memory_size_mb} MB, max concurrency {s.max_concurrency}{warm}"
    if variant.managed_scaling is not None:
        m = variant.managed_scaling
        return f"{m.min_instances}-{m.max_instances} x {variant.instance_type} (managed instance scaling)"
    return f"{variant.initial_instance_count} x {variant.instance_type}"


@dataclass(frozen=True)
class CreateEndpointConfig:
    config: EndpointConfig

    def describe(self) -> str:
        return f"Create endpoint config {self.config.name} ({_variant_line(self.config)})"


@dataclass(frozen=True)
class CreateEndpoint:
    name: str
    config_name: str
    tags: dict[str, str]

    def describe(self) -> str:
        return f"Create endpoint {self.name} on config {self.config_name}"


@dataclass(frozen=True)
class UpdateEndpoint:
    name: str
    config_name: str
    # Keep the instance counts the autoscaler set (RetainAllVariantProperties, weights
    # excepted) instead of the config's initial counts.
    retain_instance_counts: bool = False
    # SageMaker's deployment guardrails for this update (DeploymentConfig); None: its default.
    deployment: DeploymentSpec | None = None

    def describe(self) -> str:
        kept = ", keeping the autoscaled instance counts" if self.retain_instance_counts else ""
        how = f", by {_guardrail(self.deployment)}" if self.deployment is not None else ""
        return f"Update endpoint {self.name} to config {self.config_name}{kept}{how}"


def _guardrail(d: DeploymentSpec) -> str:
    if d.strategy == Strategy.ROLLING:
        return f"a rolling deployment in batches of {d.batch_percent}%"
    shift = {TrafficShifting.ALL_AT_ONCE: "all at once", TrafficShifting.CANARY: f"a {d.canary_percent}% canary first",
             TrafficShifting.LINEAR: f"{d.linear_percent}% at a time"}[d.traffic_shifting]
    alarms = f", rolled back on {', '.join(d.alarms)}" if d.alarms else ""
    return f"blue/green ({shift}{alarms})"


@dataclass(frozen=True)
class UpdateServerlessConcurrency:
    """In place, through UpdateEndpointWeightsAndCapacities: no new config."""

    name: str
    variant: str
    serverless: ServerlessConfig  # the desired settings; memory is already the serving one

    def describe(self) -> str:
        s = self.serverless
        warm = f", provisioned concurrency {s.provisioned_concurrency}" if s.provisioned_concurrency is not None else ""
        return f"Update serverless variant {self.variant} of endpoint {self.name} in place: max concurrency {s.max_concurrency}{warm}"


@dataclass(frozen=True)
class DeleteEndpoint:
    name: str

    def describe(self) -> str:
        return f"Delete endpoint {self.name}"


@dataclass(frozen=True)
class DeleteEndpointConfig:
    name: str

    def describe(self) -> str:
        return f"Delete endpoint config {self.name}"


@dataclass(frozen=True)
class DeleteModel:
    name: str

    def describe(self) -> str:
        return f"Delete model {self.name}"


@dataclass(frozen=True)
class CopyArtifact:
    """The gateway records s3_url(copy.source) as the copied object's metadata."""

    copy: S3Copy

    def describe(self) -> str:
        return f"Copy model artifact {s3_url(self.copy.source)} to {s3_url(self.copy.target)}"


@dataclass(frozen=True)
class DeleteArtifact:
    obj: S3Object

    def describe(self) -> str:
        return f"Delete model artifact {s3_url(self.obj)}"


@dataclass(frozen=True)
class MarkArtifactRemoved:
    """An empty object beside a folder still in service, recording that a model was
    removed from it and which source its instances may still hold (plan/artifacts.py)."""

    obj: S3Object  # <prefix><version>.removed/<name>.tar.gz
    source: str  # the removed artifact's recorded source URL ("" if unknown)
    kms_key_id: str | None = None  # SSE-KMS of the marker, as of the copies

    def describe(self) -> str:
        return f"Mark model artifact {s3_url(self.obj)} as removed"


@dataclass(frozen=True)
class ShiftTraffic:
    """UpdateEndpointWeightsAndCapacities between the variants already running: no new
    fleet. Weights are percentages and never sum to 0."""

    name: str
    weights: tuple[tuple[str, float], ...]  # (variant, weight), e.g. (("canary", 50.0), ("primary", 50.0))
    why: str = ""

    def describe(self) -> str:
        split = ", ".join(f"{variant} {weight:g}%" for variant, weight in self.weights)
        return f"Shift traffic of endpoint {self.name}: {split}" + (f" ({self.why})" if self.why else "")


def _compute(component: InferenceComponent) -> str:
    c = component.compute
    parts = [f"{c.memory_mb} MB"]
    if c.cpu_cores is not None:
        parts.append(f"{c.cpu_cores:g} CPU cores")
    if c.accelerators is not None:
        parts.append(f"{c.accelerators} accelerators")
    return ", ".join(parts)


@dataclass(frozen=True)
class CreateInferenceComponent:
    component: InferenceComponent

    def describe(self) -> str:
        c = self.component
        return (f"Create inference component {c.name} for model {c.model} on endpoint {c.endpoint_name}: "
                f"{c.copies} copies of {_compute(c)}, image {c.container.image}")


@dataclass(frozen=True)
class UpdateInferenceComponent:
    """Image, artifact or compute, rolled out copy by copy: the old copies serve until
    the new ones do."""

    component: InferenceComponent

    def describe(self) -> str:
        c = self.component
        return (f"Update inference component {c.name} (model {c.model}) in a rolling deployment: "
                f"image {c.container.image}, data {c.container.model_data_url}, {_compute(c)} per copy")


@dataclass(frozen=True)
class SetComponentCopies:
    """The copy count of a component nothing autoscales (UpdateInferenceComponentRuntimeConfig)."""

    name: str
    copies: int

    def describe(self) -> str:
        return f"Set inference component {self.name} to {self.copies} copies"


@dataclass(frozen=True)
class DeleteInferenceComponent:
    name: str

    def describe(self) -> str:
        return f"Delete inference component {self.name}"


Action = Union[
    CreateModel,
    CreateEndpointConfig,
    CreateEndpoint,
    UpdateEndpoint,
    ShiftTraffic,
    UpdateServerlessConcurrency,
    DeleteEndpoint,
    DeleteEndpointConfig,
    DeleteModel,
    CopyArtifact,
    MarkArtifactRemoved,
    DeleteArtifact,
    CreateInferenceComponent,
    UpdateInferenceComponent,
    SetComponentCopies,
    DeleteInferenceComponent,
    ScalingAction,
]
