"""Desired autoscaling of instance-backed variants: a scalable target with the spec's
range, a target-tracking policy, scheduled range changes, and (async scale-to-zero) a
step policy woken by an alarm the operator owns.

Names are derived from the endpoint's and the variant's, so every pass plans the same
names and a repeated put is a no-op. The instance count itself is never part of a
config's identity (see builders/common.hashed_config): it is the autoscaler's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..api.resources import EndpointConfig, ProductionVariant
from ..api.scaling import (
    CustomizedMetric,
    MetricAlarm,
    ScalableTarget,
    ScalingPolicy,
    ScheduledAction,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    variant_resource_id,
)
from ..api.spec import (
    AutoscalingSpec,
    InstancesSpec,
    Mode,
    ModelEndpointSpec,
    ScalingMetric,
    ScheduleSpec,
)
from ..api.time_zones import is_time_zone
from .builders import profile_of
from .errors import invalid, planning_field

HIGH_RESOLUTION_METRIC = "SageMakerVariantConcurrentRequestsPerModelHighResolution"
INVOCATIONS_METRIC = "SageMakerVariantInvocationsPerInstance"
PREDEFINED_METRICS = {
    ScalingMetric.CONCURRENT_REQUESTS_HIGH_RESOLUTION: HIGH_RESOLUTION_METRIC,
    ScalingMetric.INVOCATIONS_PER_INSTANCE: INVOCATIONS_METRIC,
}
SAGEMAKER_NAMESPACE = "AWS/SageMaker"
BACKLOG_METRIC = "ApproximateBacklogSizePerInstance"
BACKLOG_WITHOUT_CAPACITY_METRIC = "HasBacklogWithoutCapacity"

TARGET_TRACKING_SUFFIX = "target-tracking"
WAKE_FROM_ZERO_SUFFIX = "wake-from-zero"
BACKLOG_ALARM_SUFFIX = "has-backlog-without-capacity"


@dataclass(frozen=True)
class PolicyAlarm:
    """An alarm that triggers one of the variant's policies. Its action is that
    policy's ARN, known only once the policy exists: `alarm.actions` is left empty."""

    alarm: MetricAlarm
    policy: str


@dataclass(frozen=True)
class VariantScaling:
    variant: str
    target: ScalableTarget
    policies: tuple[ScalingPolicy, ...]
    schedules: tuple[ScheduledAction, ...] = ()
    alarms: tuple[PolicyAlarm, ...] = ()


# ---- names ------------------------------------------------------------------------------

def owned_prefix(endpoint: str, variant: str) -> str:
    """Prefix of every policy, scheduled action and alarm name the operator gives a variant."""
    return f"{endpoint}-{variant}-"


def policy_name(endpoint: str, variant: str, suffix: str) -> str:
    return owned_prefix(endpoint, variant) + suffix


def alarm_name(endpoint: str, variant: str) -> str:
    return owned_prefix(endpoint, variant) + BACKLOG_ALARM_SUFFIX


def schedule_name(endpoint: str, variant: str, schedule: str) -> str:
    return owned_prefix(endpoint, variant) + schedule


# ---- desired ----------------------------------------------------------------------------

def variant_scaling(
    endpoint_name: str,
    variant: ProductionVariant,
    instances: InstancesSpec,
    autoscaling: AutoscalingSpec | None,
    scale_to_zero: bool = False,
    mode: Mode = Mode.REAL_TIME,
) -> VariantScaling:
    """The scaling of one instance-backed variant.

    Async tracks the queue's ApproximateBacklogSizePerInstance (AWS/SageMaker,
    dimension EndpointName) unless the spec names a custom metric: an asynchronous
    endpoint publishes no invocation or concurrency metric to track. With
    `scale_to_zero` (Async only): MinCapacity 0, and a step policy (+1 instance)
    triggered by an alarm on HasBacklogWithoutCapacity, because target tracking
    cannot scale out from zero. Raises PlanError for a schedule the planner cannot
    express."""
    settings = autoscaling or AutoscalingSpec()
    metric = tracked_metric(settings, Mode.ASYNC if scale_to_zero else mode)  # the recipe is Async's
    resource_id = variant_resource_id(endpoint_name, variant.name)
    target = ScalableTarget(
        resource_id=resource_id,
        min_capacity=0 if scale_to_zero else instances.min,
        max_capacity=instances.max,
    )
    tracking = TargetTrackingPolicy(
        name=policy_name(endpoint_name, variant.name, TARGET_TRACKING_SUFFIX),
        resource_id=resource_id,
        target_value=settings.target_value(metric),
        scale_in_cooldown=settings.scale_in_cooldown_seconds,
        scale_out_cooldown=settings.scale_out_cooldown_seconds,
        **_metric_specification(endpoint_name, settings, metric),
    )
    schedules = tuple(
        _scheduled_action(endpoint_name, variant.name, index, schedule)
        for index, schedule in enumerate(settings.schedules or ())
    )
    if not scale_to_zero:
        return VariantScaling(variant=variant.name, target=target, policies=(tracking,), schedules=schedules)
    wake = StepScalingPolicy(
        name=policy_name(endpoint_name, variant.name, WAKE_FROM_ZERO_SUFFIX),
        resource_id=resource_id,
        steps=(StepAdjustment(lower_bound=0.0, adjustment=1),),
        adjustment_type="ChangeInCapacity",
        cooldown=settings.scale_out_cooldown_seconds,
        metric_aggregation="Average",
    )
    alarm = MetricAlarm(
        name=alarm_name(endpoint_name, variant.name),
        namespace=SAGEMAKER_NAMESPACE,
        metric_name=BACKLOG_WITHOUT_CAPACITY_METRIC,
        dimensions={"EndpointName": endpoint_name},
        statistic="Average",
        period=60,
        evaluation_periods=2,
        threshold=1.0,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing_data="missing",
    )
    return VariantScaling(
        variant=variant.name,
        target=target,
        policies=(tracking, wake),
        schedules=schedules,
        alarms=(PolicyAlarm(alarm=alarm, policy=wake.name),),
    )


def autoscaled(spec: ModelEndpointSpec, mode: Mode) -> bool:
    """Whether the spec asks for scaling: enabled (the default), and something to scale
    (a range, schedules, or scale-to-zero). A fixed count needs no autoscaler."""
    if spec.instances is None or (spec.autoscaling is not None and not spec.autoscaling.enabled):
        return False
    if scales_to_zero(spec, mode):
        return True
    schedules = spec.autoscaling.schedules if spec.autoscaling else None
    return spec.instances.max > spec.instances.min or bool(schedules)


def scales_to_zero(spec: ModelEndpointSpec, mode: Mode) -> bool:
    return profile_of(mode).scales_to_zero(spec)


def desired_scaling(spec: ModelEndpointSpec, mode: Mode, endpoint_name: str, config: EndpointConfig,
                    scale_to_zero: bool | None = None) -> tuple[VariantScaling, ...]:
    """The scaling of every instance-backed variant of `config`, or none.
    `scale_to_zero` is the builder's judgement; None reads it off the spec. Raises
    PlanError for a metric the resolved mode's endpoint does not publish (mode Auto
    resolves only here; the API server judges an explicit mode)."""
    check_metric(spec, mode)
    zero = scales_to_zero(spec, mode) if scale_to_zero is None else scale_to_zero
    if spec.instances is None or not (zero or autoscaled(spec, mode)):
        return ()
    if spec.autoscaling is not None and not spec.autoscaling.enabled:
        return ()
    return tuple(
        variant_scaling(endpoint_name, v, spec.instances, spec.autoscaling, scale_to_zero=zero, mode=mode)
        for v in config.variants
        if v.instance_type is not None
    )


def tracked_metric(settings: AutoscalingSpec, mode: Mode) -> ScalingMetric:
    """The spec's metric, or the mode's default (the backlog for Async, SageMaker's
    10-second concurrency metric for the others)."""
    if settings.metric is not None:
        return settings.metric
    return profile_of(mode).default_metric


def check_metric(spec: ModelEndpointSpec, mode: Mode) -> None:
    """The metric must be one the resolved mode's endpoint publishes; the same verdict
    (and message) as the spec's rules on an explicit mode."""
    metric = spec.autoscaling.metric if spec.autoscaling else None
    if metric is None:
        return
    profile = profile_of(mode)
    if metric in profile.metrics:
        return
    field = "spec.autoscaling.metric"
    if metric == ScalingMetric.APPROXIMATE_BACKLOG_SIZE_PER_INSTANCE:
        raise invalid(field, f"{metric.value} is published only by asynchronous endpoints, not in mode {mode.value}")
    raise invalid(field, f"{metric.value} is not published by {profile.kind.value} endpoints (mode {mode.value}); "
                         f"use {' or '.join(m.value for m in profile.metrics)}")


def _metric_specification(endpoint_name: str, settings: AutoscalingSpec, metric: ScalingMetric) -> dict:
    if metric == ScalingMetric.APPROXIMATE_BACKLOG_SIZE_PER_INSTANCE:
        backlog = CustomizedMetric(namespace=SAGEMAKER_NAMESPACE, metric_name=BACKLOG_METRIC,
                                   statistic="Average", dimensions={"EndpointName": endpoint_name})
        return {"customized_metric": backlog}
    if metric == ScalingMetric.CUSTOM and settings.custom_metric is not None:
        custom = settings.custom_metric
        return {"customized_metric": CustomizedMetric(
            namespace=custom.namespace, metric_name=custom.metric_name, statistic=custom.statistic,
            dimensions=dict(custom.dimensions or {}),
        )}
    return {"predefined_metric": PREDEFINED_METRICS[metric]}


def _scheduled_action(endpoint_name: str, variant: str, index: int, schedule: ScheduleSpec) -> ScheduledAction:
    field = f"spec.autoscaling.schedules[{index}]"
    with planning_field(f"{field}.timeZone"):
        if not is_time_zone(schedule.time_zone):
            raise invalid(f"{field}.timeZone", f"{schedule.time_zone!r} is not an IANA time zone (for example Europe/Berlin)")
    with planning_field(f"{field}.cron"):
        schedule_text = aws_cron(schedule.cron, f"{field}.cron")
    with planning_field(field):
        return ScheduledAction(
            name=schedule_name(endpoint_name, variant, schedule.name),
            resource_id=variant_resource_id(endpoint_name, variant),
            schedule=schedule_text,
            timezone=schedule.time_zone,
            min_capacity=schedule.min,
            max_capacity=schedule.max,
        )


# ---- cron ---------------------------------------------------------------------------------

_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")  # Unix 0-7, 0 and 7 Sunday
_NUMBER = re.compile(r"\d+")
_ANY = ("*", "?")


def aws_cron(expression: str, field: str = "cron") -> str:
    """A five-field Unix cron expression as Application Auto Scaling's six-field form:
    `cron(minute hour day-of-month month day-of-week year)`. AWS wants `?` in one of
    the two day fields and counts weekdays 1-7 from Sunday, so numeric weekdays become
    names (Unix 1 = MON), and the nth weekday `d#n` becomes AWS's number (Unix 2#1,
    the first Tuesday, is AWS's 3#1: "3#2 is the second Tuesday of the month", Cron
    expressions reference). Raises PlanError when both day fields are restricted, which
    AWS cannot express. The spec's pattern (api/cron.py) bounds every value."""
    parts = expression.split()
    if len(parts) != 5:
        raise invalid(field, f"{expression!r} must have five fields: minute hour day-of-month month day-of-week")
    minute, hour, dom, month, dow = parts
    if dom not in _ANY and dow not in _ANY:
        raise invalid(field, f"{expression!r} restricts both day-of-month and day-of-week; AWS schedules allow one of them")
    if dow in _ANY:
        dom, dow = ("*" if dom == "?" else dom), "?"
    else:
        dom = "?"
        dow = _aws_weekdays(dow, expression, field)
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


def _weekday_number(text: str, expression: str, field: str) -> int:
    """Unix weekday 0-7 (0 and 7 Sunday) of a number or a name."""
    if text.isdigit():
        number = int(text)
        if number > 7:
            raise invalid(field, f"{expression!r}: day-of-week {number} is not 0-7")
        return number
    try:
        return _DAY_NAMES.index(text.upper())
    except ValueError:
        raise invalid(field, f"{expression!r}: day-of-week {text!r} is not 0-7 or SUN-SAT") from None


def _aws_weekdays(dow: str, expression: str, field: str) -> str:
    if "#" in dow:
        day, _, nth = dow.partition("#")
        return f"{_weekday_number(day, expression, field) % 7 + 1}#{nth}"

    def name(match: re.Match) -> str:
        return _DAY_NAMES[_weekday_number(match.group(), expression, field)]

    return _NUMBER.sub(name, dow)
