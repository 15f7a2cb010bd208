"""The ModelEndpoint status: what the operator observed and decided.

Conditions follow the KEP-1623 shape. `lastTransitionTime` moves only when a
condition's status flips; the planner computes conditions, the handler merges them
with the previous ones as status is written (api/conditions.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum, StrEnum
from typing import Annotated

from pydantic import Field

from .base import KubeModel
from .brownfield_status import AdoptionStatus, ReplacementStatus


class ConditionType(str, Enum):
    READY = "Ready"
    PROGRESSING = "Progressing"
    DEGRADED = "Degraded"


class Condition(KubeModel):
    type: Annotated[str, Field(description="Ready, Progressing or Degraded; Overdue while an endpoint has been Creating or Updating longer than expected.")]
    status: Annotated[str, Field(pattern=r"^(True|False|Unknown)$", description="True, False or Unknown.")]
    reason: Annotated[str, Field(description="CamelCase reason of the last transition.")]
    message: Annotated[str, Field(description="What happened, naming the field or resource involved.")] = ""
    last_transition_time: Annotated[datetime | None, Field(description="When status last flipped.")] = None
    observed_generation: Annotated[int | None, Field(description="The spec generation this condition judged.")] = None


class EndpointStatus(KubeModel):
    name: Annotated[str | None, Field(description="SageMaker endpoint name.")] = None
    arn: Annotated[str | None, Field(description="SageMaker endpoint ARN.")] = None
    status: Annotated[str | None, Field(description="SageMaker EndpointStatus, for example InService.")] = None
    failure_reason: Annotated[str | None, Field(description="SageMaker's FailureReason, when it gave one.")] = None
    config_name: Annotated[str | None, Field(description="EndpointConfig the endpoint serves.")] = None
    target_config: Annotated[str | None, Field(description="EndpointConfig a create or update was sent to, until it lands.")] = None
    failed_config: Annotated[str | None, Field(description="EndpointConfig whose update SageMaker rolled back; not retried until the spec changes.")] = None
    deployment: Annotated[str | None, Field(description="The step of a deployment in flight as SageMaker reports it (its deployment guardrails: a canary, a linear step or a rolling batch, and its baking period).")] = None


class VariantStatus(KubeModel):
    name: Annotated[str, Field(description="Production variant name: primary or canary.")]
    model: Annotated[str | None, Field(description="SageMaker model the variant serves.")] = None
    weight: Annotated[float | None, Field(description="Traffic weight of the variant.")] = None
    current_instances: int | None = None
    desired_instances: int | None = None
    min_instances: int | None = None
    max_instances: int | None = None
    policies: Annotated[list[str] | None, Field(description="Scaling policies registered on the variant.")] = None


class RolloutPhase(StrEnum):
    """Where a rollout stands (status.rollout.phase); plan/rollout.py moves between them."""

    SHADOWING = "Shadowing"  # the new model as a shadow variant: a copy of traffic, no caller sees it
    STARTING = "Starting"  # moving the endpoint onto the primary+canary config
    PROGRESSING = "Progressing"  # a step with a pause: holding, gates judged
    AWAITING_PROMOTION = "AwaitingPromotion"  # a step without a pause: holding until promoted
    PAUSED = "Paused"  # held by the pause annotation
    HALTED = "Halted"  # a gate failed under onFailure Pause: held until promote or abort
    SUPERSEDED = "Superseded"  # the spec's model changed mid-rollout: canary back to 0 first
    PROMOTING = "Promoting"  # the last step passed: moving to the new model alone
    ROLLING_BACK = "RollingBack"  # canary to 0, then back to the config served before
    ROLLED_BACK = "RolledBack"  # held until the spec changes again or a retry
    SUCCEEDED = "Succeeded"
class ComponentStatus(KubeModel):
    name: Annotated[str, Field(description="SageMaker inference component name.")]
    model: Annotated[str | None, Field(description="The spec's model it serves.")] = None
    status: Annotated[str | None, Field(description="SageMaker InferenceComponentStatus, for example InService.")] = None
    current_copies: Annotated[int | None, Field(description="Copies deployed now.")] = None
    desired_copies: Annotated[int | None, Field(description="Copies requested.")] = None
    min_copies: Annotated[int | None, Field(description="Fewest copies: 1 or more keeps the model pinned, 0 lets it sleep.")] = None
    max_copies: int | None = None
    failure_reason: Annotated[str | None, Field(description="SageMaker's FailureReason, when it gave one.")] = None


class RolloutStatus(KubeModel):
    phase: Annotated[RolloutPhase | None, Field(description="Where the rollout stands: Shadowing, Starting, Progressing, AwaitingPromotion, Paused, Halted, Superseded, Promoting, RollingBack, RolledBack or Succeeded.")] = None
    step: Annotated[int | None, Field(description="Index of the current step in spec.rollout.steps.")] = None
    weight: Annotated[int | None, Field(description="Percent of traffic on the new revision.")] = None
    step_started_at: Annotated[datetime | None, Field(description="When the current step began.")] = None
    pause_ends_at: Annotated[datetime | None, Field(description="When the current step's pause ends; absent while waiting for promotion.")] = None
    from_revision: Annotated[str | None, Field(description="EndpointConfig served before the rollout: where a rollback returns.")] = None
    to_revision: Annotated[str | None, Field(description="EndpointConfig the rollout ends on: the new model alone.")] = None
    last_gate: Annotated[str | None, Field(description="The gate judged last, and how it went.")] = None
    message: str | None = None
    steps: Annotated[int | None, Field(description="Number of steps in spec.rollout.steps.")] = None
    progress: Annotated[str | None, Field(description="The current step, counted from 1, of the steps: 2/3.")] = None
    canary_config: Annotated[str | None, Field(description="EndpointConfig serving the primary and canary variants.")] = None
    shadow_config: Annotated[str | None, Field(description="EndpointConfig of the shadow step: the primary answers, the new model gets a copy of its traffic.")] = None
    sampling_percent: Annotated[int | None, Field(description="Percent of production requests copied to the shadow during the shadow step.")] = None
    primary_instances: Annotated[int | None, Field(description="Instances the primary ran when the rollout started; it keeps them until the promotion.")] = None
    handled_command: Annotated[str | None, Field(description="The endpoint-operator.io/rollout annotation value already acted on.")] = None


class CostStatus(KubeModel):
    hourly_usd: Annotated[float | None, Field(alias="hourlyUSD", description="Estimated cost per hour in USD.")] = None
    monthly_usd: Annotated[float | None, Field(alias="monthlyUSD", description="Estimated cost per month (730 h) in USD.")] = None
    instances: Annotated[int | None, Field(description="Instances the estimate counts.")] = None
    idle_monthly_usd: Annotated[float | None, Field(alias="idleMonthlyUSD", description="While the Idle condition is True: what the endpoint costs a month serving no one.")] = None


class MigrationStatus(KubeModel):
    """A change of mode SageMaker cannot make with UpdateEndpoint (between
    instance-based, serverless and asynchronous endpoints): a second endpoint is
    built, and the old one is deleted only once the new one serves."""

    from_endpoint: Annotated[str | None, Field(description="The endpoint that serves until the new one is InService, then is deleted.")] = None
    from_mode: Annotated[str | None, Field(description="The mode of the old endpoint.")] = None
    to_endpoint: Annotated[str | None, Field(description="The endpoint being built (status.endpoint).")] = None
    to_mode: Annotated[str | None, Field(description="The mode of the new endpoint.")] = None
    reason: Annotated[str | None, Field(description="Why the mode changed.")] = None


class SuspensionStatus(KubeModel):
    """A suspended endpoint (spec.costControls): deleted, with what brings it back kept."""

    since: Annotated[datetime | None, Field(description="When the suspension began.")] = None
    resumes_at: Annotated[datetime | None, Field(description="When the schedule resumes it; absent when suspended by hand.")] = None
    endpoint_config: Annotated[str | None, Field(description="The EndpointConfig kept, which resuming serves again.")] = None
    reason: Annotated[str | None, Field(description="SuspendedBySpec or SuspendedBySchedule.")] = None


class ModelEndpointStatus(KubeModel):
    observed_generation: Annotated[int | None, Field(description="The spec generation the operator last acted on.")] = None
    conditions: Annotated[list[Condition] | None, Field(
        description="Ready, Progressing and Degraded (and Overdue, see docs/production.md), in the KEP-1623 shape.",
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]},
    )] = None
    mode: Annotated[str | None, Field(description="The mode in effect: what Auto resolved to, or the declared one.")] = None
    mode_reason: Annotated[str | None, Field(description="Why this mode.")] = None
    revision: Annotated[str | None, Field(description="Content hash of the serving blueprint.")] = None
    endpoint: Annotated[EndpointStatus | None, Field(description="The SageMaker endpoint as last observed.")] = None
    variants: Annotated[list[VariantStatus] | None, Field(description="Production variants as last observed.")] = None
    variants_summary: Annotated[str | None, Field(description='Variant weights for kubectl, for example "primary=85,canary=15".')] = None
    instances: Annotated[str | None, Field(description='Instances for kubectl: "current/desired".')] = None
    models: Annotated[list[str] | None, Field(description="Models being served.")] = None
    components: Annotated[list[ComponentStatus] | None, Field(description="InferenceComponents: each model's component, its copies and state.")] = None
    pinned: Annotated[str | None, Field(description='InferenceComponents, for kubectl: components pinned (copies.min >= 1) of all, for example "3/11".')] = None
    artifact_prefix: Annotated[str | None, Field(description="S3 prefix the operator placed multi-model artifacts under; kept until they are collected.")] = None
    rollout: Annotated[RolloutStatus | None, Field(description="Progress of the current rollout.")] = None
    cost: Annotated[CostStatus | None, Field(description="Estimated cost of what is running.")] = None
    suspension: Annotated[SuspensionStatus | None, Field(description="Present while the endpoint is suspended.")] = None
    migration: Annotated[MigrationStatus | None, Field(description="A change of mode in progress: the old endpoint serves until the new one does.")] = None
    adoption: Annotated[AdoptionStatus | None, Field(description="The existing endpoint adopted in place (spec.adopt).")] = None
    replacement: Annotated[ReplacementStatus | None, Field(description="Endpoints this one replaces (spec.replaces): draining, then retired.")] = None
