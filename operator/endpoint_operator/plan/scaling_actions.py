"""What the planner asks of Application Auto Scaling and CloudWatch, and the one
SageMaker call that sets a fixed instance count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..api.scaling import MetricAlarm, ScalableTarget, ScalingPolicy, ScheduledAction, TargetTrackingPolicy


@dataclass(frozen=True)
class RegisterScalableTarget:
    target: ScalableTarget
    tags: dict[str, str]

    def describe(self) -> str:
        t = self.target
        return f"Register scalable target {t.resource_id} with {t.min_capacity}-{t.max_capacity} instances"


@dataclass(frozen=True)
class DeregisterScalableTarget:
    resource_id: str
    why: str = ""

    def describe(self) -> str:
        return f"Deregister scalable target {self.resource_id} and its policies and schedules" + (
            f" ({self.why})" if self.why else "")


@dataclass(frozen=True)
class PutScalingPolicy:
    policy: ScalingPolicy

    def describe(self) -> str:
        p = self.policy
        if isinstance(p, TargetTrackingPolicy):
            metric = p.predefined_metric or (p.customized_metric.metric_name if p.customized_metric else "?")
            return f"Put target-tracking policy {p.name} on {p.resource_id}: {metric} at {p.target_value:g}"
        return f"Put step-scaling policy {p.name} on {p.resource_id}"


@dataclass(frozen=True)
class DeleteScalingPolicy:
    resource_id: str
    name: str

    def describe(self) -> str:
        return f"Delete scaling policy {self.name} of {self.resource_id}"


@dataclass(frozen=True)
class PutScheduledAction:
    action: ScheduledAction

    def describe(self) -> str:
        a = self.action
        return (f"Put scheduled action {a.name} on {a.resource_id}: {a.schedule} {a.timezone}, "
                f"min {a.min_capacity if a.min_capacity is not None else '-'}, "
                f"max {a.max_capacity if a.max_capacity is not None else '-'}")


@dataclass(frozen=True)
class DeleteScheduledAction:
    resource_id: str
    name: str

    def describe(self) -> str:
        return f"Delete scheduled action {self.name} of {self.resource_id}"


@dataclass(frozen=True)
class PutMetricAlarm:
    alarm: MetricAlarm
    tags: dict[str, str]

    def describe(self) -> str:
        a = self.alarm
        return f"Put alarm {a.name} on {a.namespace} {a.metric_name}"


@dataclass(frozen=True)
class DeleteAlarms:
    names: tuple[str, ...]

    def describe(self) -> str:
        return f"Delete alarms {', '.join(self.names)}"


@dataclass(frozen=True)
class SetVariantInstanceCount:
    """A fixed count (no autoscaler) moved to the spec's without a new fleet."""

    endpoint: str
    variant: str
    count: int

    def describe(self) -> str:
        return f"Set the instance count of variant {self.variant} of endpoint {self.endpoint} to {self.count}"


ScalingAction = Union[
    RegisterScalableTarget,
    DeregisterScalableTarget,
    PutScalingPolicy,
    DeleteScalingPolicy,
    PutScheduledAction,
    DeleteScheduledAction,
    PutMetricAlarm,
    DeleteAlarms,
    SetVariantInstanceCount,
]
