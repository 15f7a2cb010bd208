"""The ModelEndpoint spec: what a user declares.

These models are the single source of the CRD schema (see crd.py). Field constraints
(ranges, patterns, enums) become the OpenAPI schema; cross-field rules are `Rule`s on
the model they concern: CEL for the API server and a Python twin for offline parsing,
with one message naming the field (see rules.py). `validate_spec` is the offline entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any

from pydantic import Field

from .cron import CRON
from .duration import (
    DURATION,
    MAX_INTERVAL_SECONDS,
    MAX_PAUSE_SECONDS,
    MIN_INTERVAL_SECONDS,
    cel_duration_seconds,
    duration_seconds,
)
from .rules import InvalidSpec, Rule, SpecError, SpecModel, parse, transition_errors
from .time_zones import cel_is_time_zone, is_time_zone

__all__ = [
    "InvalidSpec", "SpecError", "validate_spec", "validate_update", "ModelEndpointSpec",
]


class Mode(str, Enum):
    AUTO = "Auto"
    REAL_TIME = "RealTime"
    MULTI_MODEL = "MultiModel"
    SERVERLESS = "Serverless"
    ASYNC = "Async"


class TrafficPattern(str, Enum):
    STEADY = "Steady"
    SCHEDULED = "Scheduled"
    UNPREDICTABLE = "Unpredictable"
    SPORADIC = "Sporadic"


class DeletionPolicy(str, Enum):
    DELETE = "Delete"
    RETAIN = "Retain"


class ScalingMetric(str, Enum):
    CONCURRENT_REQUESTS_HIGH_RESOLUTION = "ConcurrentRequestsPerModelHighResolution"
    INVOCATIONS_PER_INSTANCE = "InvocationsPerInstance"
    CUSTOM = "Custom"


class OnFailure(str, Enum):
    ROLLBACK = "Rollback"
    PAUSE = "Pause"


S3_URI = r"^s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?$"
ROLE_ARN = r"^arn:aws[a-z\-]*:iam::\d{12}:role/.+$"
MODEL_NAME = r"^[a-z0-9]([a-z0-9\-]{0,38}[a-z0-9])?$"
INSTANCE_TYPE = r"^ml\.[a-z0-9]+\.[a-z0-9]+$"
REGION = r"^[a-z]{2}(-gov)?-[a-z]+-\d$"
ENDPOINT_NAME = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
STATISTIC = r"^(Average|Minimum|Maximum|SampleCount|Sum)$"

# Bounds on strings and lists also keep the API server's CEL cost estimate in budget.
NAME_LEN = 40
S3_URI_LEN = 1024
IMAGE_LEN = 512
ARN_LEN = 2048
TEXT_LEN = 256
MAX_MODELS = 500

# Modes whose endpoint runs on instances the operator sizes.
INSTANCE_MODES = (Mode.REAL_TIME, Mode.MULTI_MODEL, Mode.ASYNC)
SERVERLESS_PAYLOAD_MB = 4
SERVERLESS_PROCESSING_SECONDS = 60

Name = Annotated[str, Field(pattern=MODEL_NAME, max_length=NAME_LEN)]
S3Uri = Annotated[str, Field(pattern=S3_URI, max_length=S3_URI_LEN)]
Duration = Annotated[str, Field(pattern=DURATION, max_length=32)]
Labels = Annotated[dict[str, str], Field(max_length=50)]


class ModelSpec(SpecModel):
    name: Annotated[Name, Field(description="Model name, unique in this endpoint; callers of a multi-model endpoint pass it as TargetModel.")]
    model_data_url: Annotated[S3Uri, Field(description="S3 URI of the model artifact (model.tar.gz).")]
    image: Annotated[str | None, Field(max_length=IMAGE_LEN, description="Inference image for this model; defaults to spec.image.")] = None
    invocations_per_day: Annotated[int | None, Field(ge=0, description="Traffic hint: expected calls a day. Drives mode Auto and cost estimates.")] = None
    environment: Annotated[Labels | None, Field(description="Container environment variables.")] = None


class TrafficSpec(SpecModel):
    pattern: Annotated[TrafficPattern, Field(description="Shape of the traffic over a day.")] = TrafficPattern.STEADY
    max_payload_mb: Annotated[float | None, Field(alias="maxPayloadMB", gt=0, le=1024, description="Largest request payload in MB.")] = None
    max_processing_seconds: Annotated[int | None, Field(ge=1, le=3600, description="Longest time one request takes to process.")] = None
    p99_latency_target_ms: Annotated[int | None, Field(ge=1, description="p99 latency the callers need.")] = None
    gpu: Annotated[bool | None, Field(description="Whether the models need a GPU.")] = None


class InstancesSpec(SpecModel):
    type: Annotated[str, Field(pattern=INSTANCE_TYPE, max_length=64, description="SageMaker hosting instance type, for example ml.g4dn.xlarge.")]
    min: Annotated[int, Field(ge=0, le=100, description="Fewest instances (the initial count); 0 only for Async with scaleToZero. Defaults to 1.")] = 1
    max: Annotated[int, Field(ge=1, le=100, description="Most instances autoscaling may add. Defaults to 1.")] = 1

    rules = (
        Rule("min", "spec.instances.min must be <= spec.instances.max",
             "(has(self.min) ? self.min : 1) <= (has(self.max) ? self.max : 1)",
             lambda i: i.min <= i.max),
    )


class ScheduleSpec(SpecModel):
    name: Annotated[Name, Field(description="Name of the scheduled action.")]
    cron: Annotated[str, Field(pattern=CRON, max_length=128, description="Cron expression with five fields (minute 0-59, hour 0-23, day-of-month 1-31 or ?, month 1-12 or JAN-DEC, day-of-week 0-7 or SUN-SAT, d#n for the nth weekday), for example '0 22 * * *'.")]
    time_zone: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$", description="IANA time zone of the cron expression, for example Europe/Berlin. Defaults to UTC.")] = "UTC"
    min: Annotated[int | None, Field(ge=0, le=100, description="Fewest instances from this time on.")] = None
    max: Annotated[int | None, Field(ge=1, le=100, description="Most instances from this time on.")] = None

    rules = (
        Rule("min", "spec.autoscaling.schedules[].min must be <= spec.autoscaling.schedules[].max",
             "!has(self.min) || !has(self.max) || self.min <= self.max",
             lambda s: s.min is None or s.max is None or s.min <= s.max),
        Rule("", "spec.autoscaling.schedules[] must set min, max or both",
             "has(self.min) || has(self.max)",
             lambda s: s.min is not None or s.max is not None),
        Rule("timeZone", "spec.autoscaling.schedules[].timeZone must be an IANA time zone name such as Europe/Berlin",
             f"!has(self.timeZone) || {cel_is_time_zone('self.timeZone')}",
             lambda s: is_time_zone(s.time_zone)),
    )


class CustomMetricSpec(SpecModel):
    namespace: Annotated[str, Field(max_length=TEXT_LEN, description="CloudWatch namespace of the metric.")]
    metric_name: Annotated[str, Field(max_length=TEXT_LEN, description="CloudWatch metric name.")]
    statistic: Annotated[str, Field(pattern=STATISTIC, description="Statistic to track. Defaults to Average.")] = "Average"
    dimensions: Annotated[Labels | None, Field(description="CloudWatch dimensions of the metric.")] = None


class AutoscalingSpec(SpecModel):
    enabled: Annotated[bool, Field(description="Whether to register the variants with Application Auto Scaling. Defaults to true.")] = True
    metric: Annotated[ScalingMetric, Field(description="Target-tracking metric; the default is SageMaker's 10-second metric.")] = ScalingMetric.CONCURRENT_REQUESTS_HIGH_RESOLUTION
    target: Annotated[float, Field(gt=0, description="Target value of the metric per instance. Defaults to 5.")] = 5.0
    scale_out_cooldown_seconds: Annotated[int, Field(ge=0, le=3600, description="Seconds after a scale-out before the next one. Defaults to 60.")] = 60
    scale_in_cooldown_seconds: Annotated[int, Field(ge=0, le=86400, description="Seconds after a scale-in before the next one. Defaults to 300.")] = 300
    custom_metric: Annotated[CustomMetricSpec | None, Field(description="The metric to track when metric is Custom.")] = None
    schedules: Annotated[list[ScheduleSpec] | None, Field(max_length=20, description="Scheduled changes of the instance range.")] = None

    rules = (
        Rule("customMetric", "spec.autoscaling.customMetric is required when spec.autoscaling.metric is Custom",
             "!has(self.metric) || self.metric != 'Custom' || has(self.customMetric)",
             lambda a: a.metric != ScalingMetric.CUSTOM or a.custom_metric is not None),
        Rule("customMetric", "spec.autoscaling.customMetric is allowed only when spec.autoscaling.metric is Custom",
             "!has(self.customMetric) || (has(self.metric) && self.metric == 'Custom')",
             lambda a: a.custom_metric is None or a.metric == ScalingMetric.CUSTOM),
    )


class ServerlessSpec(SpecModel):
    memory_size_mb: Annotated[int, Field(alias="memorySizeMB", ge=1024, le=6144, multiple_of=1024, description="Memory in MB: 1024 to 6144 in 1024 steps. Defaults to 2048.")] = 2048
    max_concurrency: Annotated[int, Field(ge=1, le=200, description="Most concurrent invocations. Defaults to 20.")] = 20
    provisioned_concurrency: Annotated[int | None, Field(ge=1, le=200, description="Invocations kept warm; at most maxConcurrency.")] = None

    rules = (
        Rule("provisionedConcurrency", "spec.serverless.provisionedConcurrency must be <= spec.serverless.maxConcurrency",
             "!has(self.provisionedConcurrency) || self.provisionedConcurrency <= (has(self.maxConcurrency) ? self.maxConcurrency : 20)",
             lambda s: s.provisioned_concurrency is None or s.provisioned_concurrency <= s.max_concurrency),
    )


class AsyncSpec(SpecModel):
    output_path: Annotated[S3Uri, Field(description="S3 URI where results are written.")]
    failure_path: Annotated[S3Uri | None, Field(description="S3 URI where failed requests' errors are written.")] = None
    success_topic_arn: Annotated[str | None, Field(max_length=ARN_LEN, description="SNS topic told of each success.")] = None
    error_topic_arn: Annotated[str | None, Field(max_length=ARN_LEN, description="SNS topic told of each failure.")] = None
    kms_key_id: Annotated[str | None, Field(max_length=ARN_LEN, description="KMS key that encrypts the output.")] = None
    max_concurrent_invocations_per_instance: Annotated[int | None, Field(ge=1, le=1000, description="Requests one instance works on at once.")] = None
    scale_to_zero: Annotated[bool, Field(description="Let the endpoint scale to zero instances while the queue is empty (needs instances.min 0). Defaults to false.")] = False


class MultiModelSpec(SpecModel):
    artifact_prefix: Annotated[S3Uri | None, Field(description="S3 prefix the operator copies the models under; defaults to endpoint-operator/<namespace>/<name>/ in the first model's bucket.")] = None
    model_cache: Annotated[bool, Field(description="SageMaker's ModelCacheSetting; disable for models used once. Defaults to true.")] = True


class RolloutStep(SpecModel):
    weight: Annotated[int, Field(ge=1, le=100, description="Percent of traffic on the new model, 1 to 100.")]
    pause: Annotated[Duration | None, Field(description="How long to hold this step, for example 24h, at most 30d; absent waits for promotion.")] = None

    rules = (
        Rule("pause", "spec.rollout.steps[].pause must be at most 30d",
             f"!has(self.pause) || {cel_duration_seconds('self.pause')} <= {MAX_PAUSE_SECONDS}.0",
             lambda s: s.pause is None or duration_seconds(s.pause) <= MAX_PAUSE_SECONDS),
    )


class MetricGate(SpecModel):
    name: Annotated[str, Field(max_length=TEXT_LEN, description="CloudWatch metric of AWS/SageMaker, for example ModelLatency.")]
    statistic: Annotated[str, Field(pattern=r"^(Average|Minimum|Maximum|Sum|SampleCount|p\d{1,2}(\.\d+)?)$", description="Statistic of the metric, or a percentile such as p99. Defaults to Average.")] = "Average"
    max: Annotated[float | None, Field(description="Highest value the canary may show.")] = None
    max_ratio_to_primary: Annotated[float | None, Field(gt=0, description="Highest ratio of the canary's value to the primary's.")] = None


class AnalysisSpec(SpecModel):
    alarms: Annotated[list[Annotated[str, Field(max_length=TEXT_LEN)]] | None, Field(max_length=20, description="CloudWatch alarms that must stay OK during each step.")] = None
    metrics: Annotated[list[MetricGate] | None, Field(max_length=20, description="Metric gates judged during each step.")] = None
    interval: Annotated[Duration, Field(description="How often the gates are judged, 10s to 1h. Defaults to 30s.")] = "30s"

    rules = (
        Rule("interval", "spec.rollout.analysis.interval must be between 10s and 1h",
             f"!has(self.interval) || ({cel_duration_seconds('self.interval')} >= {MIN_INTERVAL_SECONDS}.0"
             f" && {cel_duration_seconds('self.interval')} <= {MAX_INTERVAL_SECONDS}.0)",
             lambda a: MIN_INTERVAL_SECONDS <= duration_seconds(a.interval) <= MAX_INTERVAL_SECONDS),
    )


class RolloutSpec(SpecModel):
    steps: Annotated[list[RolloutStep], Field(min_length=1, max_length=10, description="Traffic steps of a canary; weights rise strictly and end at 100.")]
    analysis: Annotated[AnalysisSpec | None, Field(description="Gates that decide whether a step may proceed.")] = None
    on_failure: Annotated[OnFailure, Field(description="What a failed gate does. Defaults to Rollback.")] = OnFailure.ROLLBACK

    rules = (
        Rule("steps", "spec.rollout.steps[].weight must rise strictly from step to step",
             "self.steps.map(s, s.weight).isSorted() && self.steps.all(s, self.steps.exists_one(t, t.weight == s.weight))",
             lambda r: all(a.weight < b.weight for a, b in zip(r.steps, r.steps[1:]))),
        Rule("steps", "spec.rollout.steps[].weight of the last step must be 100",
             "self.steps[size(self.steps) - 1].weight == 100",
             lambda r: r.steps[-1].weight == 100),
    )


def _mode(mode: str) -> str:
    """CEL: spec.mode is `mode` (absent means Auto)."""
    if mode == Mode.AUTO.value:
        return "(!has(self.mode) || self.mode == 'Auto')"
    return f"(has(self.mode) && self.mode == '{mode}')"


_SERVERLESS = _mode("Serverless")
_IMMUTABLE = "changing it would orphan the SageMaker endpoint; create a new ModelEndpoint instead"


class ModelEndpointSpec(SpecModel):
    region: Annotated[str, Field(pattern=REGION, max_length=32, description="AWS region of the endpoint. Immutable.")]
    execution_role_arn: Annotated[str, Field(pattern=ROLE_ARN, max_length=ARN_LEN, description="IAM role SageMaker assumes to pull the image and model.")]
    mode: Annotated[Mode, Field(description="Inference mode; Auto picks one from the models and traffic and says why in status. Defaults to Auto.")] = Mode.AUTO
    image: Annotated[str | None, Field(max_length=IMAGE_LEN, description="Default inference image of the models.")] = None
    models: Annotated[list[ModelSpec], Field(min_length=1, max_length=MAX_MODELS, description="The models this endpoint serves; names are unique.")]
    traffic: Annotated[TrafficSpec | None, Field(description="What the callers send; drives mode Auto and sizing.")] = None
    instances: Annotated[InstancesSpec | None, Field(description="Instance type and count range; required for RealTime, MultiModel and Async.")] = None
    autoscaling: Annotated[AutoscalingSpec | None, Field(description="Target-tracking autoscaling of the instance count.")] = None
    serverless: Annotated[ServerlessSpec | None, Field(description="Serverless settings; only with mode Serverless or Auto.")] = None
    async_: Annotated[AsyncSpec | None, Field(alias="async", description="Asynchronous inference settings; required for mode Async, only with Async or Auto.")] = None
    multi_model: Annotated[MultiModelSpec | None, Field(description="Multi-model endpoint settings; only with mode MultiModel or Auto.")] = None
    rollout: Annotated[RolloutSpec | None, Field(description="How a change of models reaches traffic: staged canary steps with gates.")] = None
    deletion_policy: Annotated[DeletionPolicy, Field(description="Delete removes the SageMaker resources with this object; Retain leaves the endpoint serving. Defaults to Delete.")] = DeletionPolicy.DELETE
    endpoint_name: Annotated[str | None, Field(pattern=ENDPOINT_NAME, max_length=63, description="SageMaker endpoint name; defaults to <namespace>-<name>, with a hash of both appended where that could be another object's name (see docs/operations.md). Immutable.")] = None
    tags: Annotated[Labels | None, Field(description="Tags added to every AWS resource of this endpoint.")] = None

    rules = (
        Rule("models", "spec.models[].name must be unique",
             "self.models.all(m, self.models.exists_one(n, n.name == m.name))",
             lambda s: len({m.name for m in s.models}) == len(s.models)),
        Rule("models", "spec.models[].image or spec.image is required for every model",
             "has(self.image) || self.models.all(m, has(m.image))",
             lambda s: s.image is not None or all(m.image is not None for m in s.models)),
        Rule("instances", "spec.instances is required when spec.mode is RealTime, MultiModel or Async",
             "!(has(self.mode) && self.mode in ['RealTime', 'MultiModel', 'Async']) || has(self.instances)",
             lambda s: s.mode not in INSTANCE_MODES or s.instances is not None),
        Rule("models", "spec.models must hold exactly one model when spec.mode is RealTime",
             f"!{_mode('RealTime')} || size(self.models) == 1",
             lambda s: s.mode != Mode.REAL_TIME or len(s.models) == 1),
        Rule("models", "spec.models must hold exactly one model when spec.mode is Serverless",
             f"!{_SERVERLESS} || size(self.models) == 1",
             lambda s: s.mode != Mode.SERVERLESS or len(s.models) == 1),
        Rule("instances", "spec.instances is not allowed when spec.mode is Serverless",
             f"!{_SERVERLESS} || !has(self.instances)",
             lambda s: s.mode != Mode.SERVERLESS or s.instances is None),
        Rule("traffic.maxPayloadMB", "spec.traffic.maxPayloadMB must be <= 4 when spec.mode is Serverless",
             f"!{_SERVERLESS} || !has(self.traffic) || !has(self.traffic.maxPayloadMB) || self.traffic.maxPayloadMB <= {SERVERLESS_PAYLOAD_MB}.0",
             lambda s: s.mode != Mode.SERVERLESS or s.traffic is None or s.traffic.max_payload_mb is None
             or s.traffic.max_payload_mb <= SERVERLESS_PAYLOAD_MB),
        Rule("traffic.maxProcessingSeconds", "spec.traffic.maxProcessingSeconds must be <= 60 when spec.mode is Serverless",
             f"!{_SERVERLESS} || !has(self.traffic) || !has(self.traffic.maxProcessingSeconds) || self.traffic.maxProcessingSeconds <= {SERVERLESS_PROCESSING_SECONDS}",
             lambda s: s.mode != Mode.SERVERLESS or s.traffic is None or s.traffic.max_processing_seconds is None
             or s.traffic.max_processing_seconds <= SERVERLESS_PROCESSING_SECONDS),
        Rule("traffic.gpu", "spec.traffic.gpu must not be true when spec.mode is Serverless",
             f"!{_SERVERLESS} || !has(self.traffic) || !has(self.traffic.gpu) || !self.traffic.gpu",
             lambda s: s.mode != Mode.SERVERLESS or s.traffic is None or not s.traffic.gpu),
        Rule("models", "spec.models must hold exactly one model when spec.mode is Async",
             f"!{_mode('Async')} || size(self.models) == 1",
             lambda s: s.mode != Mode.ASYNC or len(s.models) == 1),
        Rule("async", "spec.async is required when spec.mode is Async",
             f"!{_mode('Async')} || has(self.async)",
             lambda s: s.mode != Mode.ASYNC or s.async_ is not None),
        Rule("async", "spec.async is allowed only when spec.mode is Async or Auto",
             f"!has(self.async) || {_mode('Async')} || {_mode('Auto')}",
             lambda s: s.async_ is None or s.mode in (Mode.ASYNC, Mode.AUTO)),
        Rule("serverless", "spec.serverless is allowed only when spec.mode is Serverless or Auto",
             f"!has(self.serverless) || {_SERVERLESS} || {_mode('Auto')}",
             lambda s: s.serverless is None or s.mode in (Mode.SERVERLESS, Mode.AUTO)),
        Rule("multiModel", "spec.multiModel is allowed only when spec.mode is MultiModel or Auto",
             f"!has(self.multiModel) || {_mode('MultiModel')} || {_mode('Auto')}",
             lambda s: s.multi_model is None or s.mode in (Mode.MULTI_MODEL, Mode.AUTO)),
        Rule("instances.min", "spec.instances.min may be 0 only when spec.mode is Async or Auto and spec.async.scaleToZero is true",
             "!has(self.instances) || !has(self.instances.min) || self.instances.min > 0"
             f" || (({_mode('Async')} || {_mode('Auto')}) && has(self.async) && has(self.async.scaleToZero) && self.async.scaleToZero)",
             lambda s: s.instances is None or s.instances.min > 0
             or (s.mode in (Mode.ASYNC, Mode.AUTO) and s.async_ is not None and s.async_.scale_to_zero)),
        Rule("region", f"spec.region is immutable: {_IMMUTABLE}",
             "self.region == oldSelf.region",
             lambda new, old: new.region == old.region, transition=True),
        Rule("endpointName", f"spec.endpointName is immutable: {_IMMUTABLE}",
             "has(self.endpointName) == has(oldSelf.endpointName)"
             " && (!has(self.endpointName) || self.endpointName == oldSelf.endpointName)",
             lambda new, old: new.endpoint_name == old.endpoint_name, transition=True),
    )


def validate_spec(spec: Mapping[str, Any]) -> ModelEndpointSpec:
    """Parses a manifest's `spec` with every rule the API server applies; raises InvalidSpec."""
    return parse(ModelEndpointSpec, spec)


def validate_update(old: ModelEndpointSpec, new: ModelEndpointSpec) -> list[SpecError]:
    """The rules an update must keep (immutable fields), judged as the API server would."""
    return transition_errors(new, old)
