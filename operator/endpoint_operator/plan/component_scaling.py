"""Desired autoscaling of inference components: per component a scalable target on
its copy count (`inference-component/<name>`, DesiredCopyCount) with the component's
copy range, target tracking on SageMaker's per-copy metric, and, for a component that
may sleep, the wake-up: a step policy (+1 copy) on an alarm the operator owns over
NoCapacityInvocationFailures, since target tracking cannot scale out from zero.

A component with a fixed count (min == max) gets no target: the count is its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..api.resources import InferenceComponent
from ..api.scaling import (
    CustomizedMetric,
    MetricAlarm,
    ScalableTarget,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    component_resource_id,
)
from ..api.spec import AutoscalingSpec, Mode, ModelEndpointSpec, ScalingMetric
from .scaling import (
    SAGEMAKER_NAMESPACE,
    TARGET_TRACKING_SUFFIX,
    WAKE_FROM_ZERO_SUFFIX,
    PolicyAlarm,
    VariantScaling,
    policy_name,
    tracked_metric,
)

# Application Auto Scaling's predefined metrics of a component (its MetricType enum).
COMPONENT_METRICS = {
    ScalingMetric.CONCURRENT_REQUESTS_HIGH_RESOLUTION: "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
    ScalingMetric.INVOCATIONS_PER_INSTANCE: "SageMakerInferenceComponentInvocationsPerCopy",
}
NO_CAPACITY_METRIC = "NoCapacityInvocationFailures"
NO_CAPACITY_ALARM_SUFFIX = "no-capacity"


def wake_alarm_name(component: str) -> str:
    """Named by the component (itself named by its endpoint), so that what exists of a
    component is found from its name alone, also once the spec is gone."""
    return f"{component}-{NO_CAPACITY_ALARM_SUFFIX}"


def component_scaling(spec: ModelEndpointSpec, endpoint_name: str,
                      components: Sequence[InferenceComponent]) -> tuple[VariantScaling, ...]:
    settings = spec.autoscaling or AutoscalingSpec()
    if not settings.enabled:
        return ()
    targets = {m.name: (m.component.target_concurrency if m.component else None) for m in spec.models}
    return tuple(
        _scaling(endpoint_name, c, settings, targets.get(c.model))
        for c in components
        if c.min_copies != c.max_copies or c.min_copies == 0
    )


def _scaling(endpoint: str, component: InferenceComponent, settings: AutoscalingSpec,
             target: float | None) -> VariantScaling:
    resource_id = component_resource_id(component.name)
    metric = tracked_metric(settings, Mode.INFERENCE_COMPONENTS)
    tracking = TargetTrackingPolicy(
        name=policy_name(endpoint, component.model, TARGET_TRACKING_SUFFIX),
        resource_id=resource_id,
        target_value=target if target is not None else settings.target_value(metric),
        scale_in_cooldown=settings.scale_in_cooldown_seconds,
        scale_out_cooldown=settings.scale_out_cooldown_seconds,
        **_metric(settings, metric),
    )
    scalable = ScalableTarget(resource_id=resource_id, min_capacity=component.min_copies,
                              max_capacity=component.max_copies)
    if component.min_copies > 0:
        return VariantScaling(variant=component.model, target=scalable, policies=(tracking,))
    # Developer guide, "Scale an endpoint to zero instances": a StepScaling policy
    # {"AdjustmentType": "ChangeInCapacity", "MetricAggregationType": "Maximum", "Cooldown": 60,
    # "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}]}, and an alarm on
    # NoCapacityInvocationFailures (InferenceComponentName, Sum over 60 s, GreaterThanThreshold 1).
    wake = StepScalingPolicy(
        name=policy_name(endpoint, component.model, WAKE_FROM_ZERO_SUFFIX),
        resource_id=resource_id,
        steps=(StepAdjustment(lower_bound=0.0, adjustment=1),),
        adjustment_type="ChangeInCapacity",
        cooldown=settings.scale_out_cooldown_seconds,
        metric_aggregation="Maximum",
    )
    alarm = MetricAlarm(
        name=wake_alarm_name(component.name),
        namespace=SAGEMAKER_NAMESPACE,
        metric_name=NO_CAPACITY_METRIC,
        dimensions={"InferenceComponentName": component.name},
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        threshold=1.0,
        comparison="GreaterThanThreshold",
        treat_missing_data="missing",
    )
    return VariantScaling(variant=component.model, target=scalable, policies=(tracking, wake),
                          alarms=(PolicyAlarm(alarm=alarm, policy=wake.name),))


def _metric(settings: AutoscalingSpec, metric: ScalingMetric) -> dict:
    if metric == ScalingMetric.CUSTOM and settings.custom_metric is not None:
        custom = settings.custom_metric
        return {"customized_metric": CustomizedMetric(
            namespace=custom.namespace, metric_name=custom.metric_name, statistic=custom.statistic,
            dimensions=dict(custom.dimensions or {}),
        )}
    return {"predefined_metric": COMPONENT_METRICS[metric]}
