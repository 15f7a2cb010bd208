"""What `assess` read of a running account: endpoints as they are, with their configs,
models, scaling and a window of CloudWatch, in the shape the planner judges.

Plain frozen dataclasses: aws/inventory fills them, plan/assessment and
plan/consolidation read them. Series hold one value per hour of the window, index 0
the oldest hour; None is an hour without a data point (CloudWatch publishes
invocation metrics only for hours with requests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ExistingModel:
    name: str
    image: str | None
    model_data_url: str | None
    execution_role_arn: str | None
    mode: str = "SingleModel"  # the container's Mode: SingleModel | MultiModel


@dataclass(frozen=True)
class ExistingScaling:
    """An Application Auto Scaling target of a variant, with its policies."""

    resource_id: str
    min_capacity: int
    max_capacity: int
    policies: tuple[str, ...] = ()  # "<name> (<type>)"


@dataclass(frozen=True)
class VariantMetrics:
    """Hourly CloudWatch of one variant over the window."""

    invocations: tuple[float | None, ...] = ()  # Sum per hour
    model_latency_p99_us: tuple[float | None, ...] = ()  # ModelLatency p99 per hour, microseconds
    cpu_utilization: tuple[float | None, ...] = ()  # Average per hour, % (100 per vCPU)
    gpu_utilization: tuple[float | None, ...] = ()  # Average per hour, % (100 per GPU)
    memory_utilization: tuple[float | None, ...] = ()  # Average per hour, %


@dataclass(frozen=True)
class ExistingVariant:
    name: str
    model: ExistingModel | None
    instance_type: str | None
    instance_count: int
    serverless: bool = False
    scaling: ExistingScaling | None = None
    metrics: VariantMetrics = field(default_factory=VariantMetrics)


@dataclass(frozen=True)
class ExistingEndpoint:
    name: str
    region: str
    arn: str
    status: str
    config_name: str | None
    variants: tuple[ExistingVariant, ...]
    tags: dict[str, str] = field(default_factory=dict)
    asynchronous: bool = False  # the config has an AsyncInferenceConfig


@dataclass(frozen=True)
class Inventory:
    """Every endpoint of the regions read, and the window their metrics cover."""

    endpoints: tuple[ExistingEndpoint, ...]
    start: datetime
    end: datetime
    regions: tuple[str, ...]

    @property
    def hours(self) -> int:
        return max(1, round((self.end - self.start).total_seconds() / 3600))
