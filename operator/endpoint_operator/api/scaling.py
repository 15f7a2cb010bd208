"""Application Auto Scaling and CloudWatch shapes: what the planner desires for a
variant's scaling and what the gateway observes of it.

A desired shape compares equal to the observed one when nothing needs changing, so
the planner decides by equality; the gateway parses AWS's answers into these shapes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

SERVICE_NAMESPACE = "sagemaker"
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
COMPONENT_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"
COMPONENT_RESOURCE = "inference-component"
TARGET_TRACKING = "TargetTrackingScaling"
STEP_SCALING = "StepScaling"


def variant_resource_id(endpoint: str, variant: str) -> str:
    """Application Auto Scaling's name of one production variant."""
    return f"endpoint/{endpoint}/variant/{variant}"


def component_resource_id(component: str) -> str:
    """Application Auto Scaling's name of one inference component's copy count."""
    return f"{COMPONENT_RESOURCE}/{component}"


def dimension_of(resource_id: str) -> str:
    """The scalable dimension a resource id goes with: copies of a component,
    instances of a variant."""
    return COMPONENT_DIMENSION if resource_id.startswith(COMPONENT_RESOURCE + "/") else VARIANT_DIMENSION


def variant_of(resource_id: str) -> str:
    return resource_id.rsplit("/", 1)[-1]


class Shape(BaseModel):
    model_config = ConfigDict(frozen=True, protected_namespaces=(), extra="forbid")


class ScalableTarget(Shape):
    resource_id: str
    min_capacity: int
    max_capacity: int


class CustomizedMetric(Shape):
    namespace: str
    metric_name: str
    statistic: str = "Average"
    dimensions: dict[str, str] = {}


class TargetTrackingPolicy(Shape):
    name: str
    resource_id: str
    target_value: float
    predefined_metric: str | None = None  # a SageMakerVariant* metric type
    customized_metric: CustomizedMetric | None = None
    scale_in_cooldown: int = 300
    scale_out_cooldown: int = 60


class StepAdjustment(Shape):
    lower_bound: float | None = None  # relative to the alarm's threshold
    upper_bound: float | None = None
    adjustment: int


class StepScalingPolicy(Shape):
    name: str
    resource_id: str
    steps: tuple[StepAdjustment, ...]
    adjustment_type: str = "ChangeInCapacity"
    cooldown: int = 300
    metric_aggregation: str = "Average"


ScalingPolicy = TargetTrackingPolicy | StepScalingPolicy


class ScheduledAction(Shape):
    name: str
    resource_id: str
    schedule: str  # Application Auto Scaling's form: cron(m h dom mon dow year)
    timezone: str = "UTC"
    min_capacity: int | None = None
    max_capacity: int | None = None


class MetricAlarm(Shape):
    """An alarm the operator owns (target tracking's own alarms belong to Application
    Auto Scaling). `actions` hold ARNs of the policies the alarm triggers."""

    name: str
    namespace: str
    metric_name: str
    dimensions: dict[str, str] = {}
    statistic: str = "Average"
    period: int = 60
    evaluation_periods: int = 1
    threshold: float
    comparison: str = "GreaterThanOrEqualToThreshold"
    treat_missing_data: str = "missing"
    actions: tuple[str, ...] = ()


class ObservedPolicy(Shape):
    """A policy as described; `policy` is None when it is of a shape the operator
    does not write (another type, or settings it never sets)."""

    name: str
    resource_id: str
    arn: str
    policy: TargetTrackingPolicy | StepScalingPolicy | None = None


class ObservedScaling(Shape):
    """Scaling of one endpoint's variants, as Application Auto Scaling and CloudWatch
    report it."""

    targets: tuple[ScalableTarget, ...] = ()
    policies: tuple[ObservedPolicy, ...] = ()
    schedules: tuple[ScheduledAction, ...] = ()
    alarms: tuple[MetricAlarm, ...] = ()  # the operator's alarms of this endpoint only
