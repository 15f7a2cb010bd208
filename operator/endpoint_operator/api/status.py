"""The ModelEndpoint status: what the operator observed and decided.

Conditions follow the KEP-1623 shape. `lastTransitionTime` moves only when a
condition's status flips; the planner computes conditions, the handler merges them
with the previous ones (see conditions.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from .base import KubeModel


class ConditionType(str, Enum):
    READY = "Ready"
    PROGRESSING = "Progressing"
    DEGRADED = "Degraded"


class Condition(KubeModel):
    type: str
    status: str  # "True" | "False" | "Unknown"
    reason: str  # CamelCase
    message: str = ""
    last_transition_time: datetime | None = None
    observed_generation: int | None = None


class EndpointStatus(KubeModel):
    name: str | None = None
    arn: str | None = None
    status: str | None = None  # SageMaker EndpointStatus
    failure_reason: str | None = None
    config_name: str | None = None


class VariantStatus(KubeModel):
    name: str
    model: str | None = None
    weight: float | None = None
    current_instances: int | None = None
    desired_instances: int | None = None
    min_instances: int | None = None
    max_instances: int | None = None
    policies: list[str] | None = None


class RolloutStatus(KubeModel):
    phase: str | None = None  # Progressing | AwaitingPromotion | Paused | Succeeded | RolledBack
    step: int | None = None
    weight: int | None = None
    step_started_at: datetime | None = None
    pause_ends_at: datetime | None = None
    from_revision: str | None = None
    to_revision: str | None = None
    last_gate: str | None = None
    message: str | None = None


class CostStatus(KubeModel):
    hourly_usd: float | None = None
    monthly_usd: float | None = None
    instances: int | None = None


class ModelEndpointStatus(KubeModel):
    observed_generation: int | None = None
    conditions: list[Condition] | None = None
    mode: str | None = None
    mode_reason: str | None = None
    revision: str | None = None  # content hash of the serving blueprint
    endpoint: EndpointStatus | None = None
    variants: list[VariantStatus] | None = None
    variants_summary: str | None = None  # "primary=85,canary=15": a printer column
    instances: str | None = None  # "current/desired": a printer column
    models: list[str] | None = None
    rollout: RolloutStatus | None = None
    cost: CostStatus | None = None
