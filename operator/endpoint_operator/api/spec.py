"""The ModelEndpoint spec: what a user declares.

These models are the single source of the CRD schema (see crd.py). Field constraints
(ranges, patterns, enums) become the OpenAPI schema; cross-field rules are `Rule`s on
the model they concern: CEL for the API server and a Python twin for offline parsing,
with one message naming the field (see rules.py). `validate_spec` is the offline entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator, WithJsonSchema

from .async_metrics import ASYNC_VARIANT_METRICS
from .data_capture import DataCaptureSpec
from .encryption import EncryptionSpec
from .endpoint_rules import ENDPOINT_RULES
from .deployment import DeploymentSpec
from .adoption import SPEC_RULES as ADOPTION_RULES, AdoptSpec, ReplacesSpec
from .instance_types import INSTANCE_TYPES
from .network import NetworkSpec
from .provisioning import ProvisioningSpec
from .hosting import ACCELERATED_FAMILY_CEL, GPU_MULTI_MODEL_TYPES, MultiModelServer, accelerated
from .listmap import ListMap
from .patterns import ascii_re
from .cost_controls import CostControlsSpec
from .cron import CRON as CRON_FIELDS
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
from .units import (
    MICROSECOND_METRICS,
    PER_REQUEST_ERROR_METRICS,
    THRESHOLD,
    THRESHOLD_LEN,
    is_error_rate,
    threshold_value,
    unit_of,
    wants_time_unit,
)

__all__ = [
    "InvalidSpec", "SpecError", "validate_spec", "validate_update", "ModelEndpointSpec",
]


class Mode(str, Enum):
    AUTO = "Auto"
    REAL_TIME = "RealTime"
    MULTI_MODEL = "MultiModel"
    SERVERLESS = "Serverless"
    ASYNC = "Async"
    INFERENCE_COMPONENTS = "InferenceComponents"


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
    APPROXIMATE_BACKLOG_SIZE_PER_INSTANCE = "ApproximateBacklogSizePerInstance"
    CUSTOM = "Custom"


# Asynchronous endpoints publish neither invocation nor concurrency metrics: their
# queue's backlog is what they scale on (or a metric of the user's own).
ASYNC_METRICS = (ScalingMetric.APPROXIMATE_BACKLOG_SIZE_PER_INSTANCE, ScalingMetric.CUSTOM)


class OnFailure(str, Enum):
    ROLLBACK = "Rollback"
    PAUSE = "Pause"


# Every pattern goes through ascii_re: the API server's RE2 reads \d and \s as ASCII.
# AWS's own constraints come from botocore's service models, and
# tests/unit/test_aws_shapes.py holds every field that reaches an AWS call to them.
_BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
# A key character: AWS's Url and DestinationS3Uri end in Java's `.`, which stops at
# line terminators; control characters have no place in a key either.
_KEY_CHAR = "[^\\x00-\\x1F\\x7F-\\x9F\u2028\u2029]"
S3_URI = ascii_re(rf"^s3://{_BUCKET}(/{_KEY_CHAR}*)?$")
S3_OBJECT_URI = ascii_re(rf"^s3://{_BUCKET}/{_KEY_CHAR}+$")  # a key is required: an artifact is one object
ROLE_ARN = ascii_re(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-/]+$")  # RoleArn, 20-2048
IMAGE = ascii_re(r"^[^\t\n\x0B\f\r ]+$")  # ContainerImage [\S]+: Java's \S, spelled out
SNS_TOPIC_ARN = ascii_re(r"^arn:aws[a-z\-]*:sns:[a-z0-9\-]*:\d{12}:[a-zA-Z0-9_.\-]+$")  # SnsTopicArn
KMS_KEY_ID = ascii_re(r"^[a-zA-Z0-9:/_\-]+$")  # KmsKeyId
# CloudWatch Namespace [^:].*: Java's `.` stops at line terminators.
METRIC_NAMESPACE = ascii_re("^[^:\\n\\r\\x85\u2028\u2029][^\\n\\r\\x85\u2028\u2029]*$")
# SageMaker's Tag: keys and values of AWS's character class.
TAG_TEXT = ascii_re(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$")
ENVIRONMENT_KEY = ascii_re(r"^[a-zA-Z_][a-zA-Z0-9_]*$")  # SageMaker's EnvironmentKey
MODEL_NAME = ascii_re(r"^[a-z0-9]([a-z0-9\-]{0,38}[a-z0-9])?$")
REGION = ascii_re(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
ENDPOINT_NAME = ascii_re(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
CRON = ascii_re(CRON_FIELDS)  # five fields, each within its range: api/cron.py
STATISTIC = ascii_re(r"^(Average|Minimum|Maximum|SampleCount|Sum)$")
PERCENTILE_STATISTIC = ascii_re(r"^(Average|Minimum|Maximum|Sum|SampleCount|p\d{1,2}(\.\d+)?)$")
TIME_ZONE = ascii_re(r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$")

# Bounds on strings and lists also keep the API server's CEL cost estimate in budget.
NAME_LEN = 40
S3_URI_LEN = 1024  # SageMaker's Url (ModelDataUrl)
S3_OUTPUT_LEN = 512  # SageMaker's DestinationS3Uri (async output and failure paths)
IMAGE_LEN = 255  # SageMaker's ContainerImage
ROLE_ARN_MIN = 20
ARN_LEN = 2048
CLOUDWATCH_NAME_LEN = 255  # CloudWatch's AlarmName, MetricName and Namespace
# The largest object these bounds allow must fit etcd's request limit (1.5 MiB by
# default) with room for managedFields and status: tests/cluster/test_object_size.py
# creates one, and docs/reference.md states its size.
MAX_MODELS = 100
ENVIRONMENT_ENTRIES = 16
ENVIRONMENT_KEY_LEN = 128
ENVIRONMENT_VALUE_LEN = 256
# The API server's integers are int64 (a larger one "must be of type integer"), and it
# reads a schema's bounds as float64: the largest bound it takes exactly is 2**53 - 1.
INTEGER_MAX = 2**53 - 1

# Modes whose endpoint runs on instances the operator sizes.
INSTANCE_MODES = (Mode.REAL_TIME, Mode.MULTI_MODEL, Mode.ASYNC)
SERVERLESS_PAYLOAD_MB = 4
SERVERLESS_PROCESSING_SECONDS = 60

Name = Annotated[str, Field(pattern=MODEL_NAME, max_length=NAME_LEN)]
S3Uri = Annotated[str, Field(pattern=S3_URI, max_length=S3_URI_LEN)]
S3ObjectUri = Annotated[str, Field(pattern=S3_OBJECT_URI, max_length=S3_URI_LEN)]
S3OutputUri = Annotated[str, Field(pattern=S3_URI, max_length=S3_OUTPUT_LEN)]
Image = Annotated[str, Field(min_length=1, max_length=IMAGE_LEN, pattern=IMAGE)]
SnsTopicArn = Annotated[str, Field(pattern=SNS_TOPIC_ARN, max_length=ARN_LEN)]
CloudWatchName = Annotated[str, Field(min_length=1, max_length=CLOUDWATCH_NAME_LEN)]
Duration = Annotated[str, Field(pattern=DURATION, max_length=32)]


def _sold(instance_type: str) -> str:
    if instance_type not in _SOLD:
        raise ValueError(f"{instance_type!r} is not a SageMaker hosting instance type "
                         "(AWS's ProductionVariantInstanceType lists them; for example ml.g5.xlarge)")
    return instance_type


_SOLD = frozenset(INSTANCE_TYPES)
# An enum in the CRD (the API server lists the choices); a short message in Python.
InstanceType = Annotated[str, AfterValidator(_sold), WithJsonSchema({"type": "string", "enum": list(INSTANCE_TYPES)})]


def string_map(entries: int, key: dict[str, Any], value: dict[str, Any]) -> Any:
    """A map of strings bounded in entries; `key` and `value` are Field constraints
    (the keys' become a CEL rule, see crd.py)."""
    return Annotated[dict[Annotated[str, Field(**key)], Annotated[str, Field(**value)]], Field(max_length=entries)]


# AWS's tag limits: 50 tags, keys of 1-128 and values of 256 characters, of AWS's class.
Tags = string_map(50, {"min_length": 1, "max_length": 128, "pattern": TAG_TEXT}, {"max_length": 256, "pattern": TAG_TEXT})
# CloudWatch: 30 dimensions, names of 1-255 and values of 1-1024 characters.
Dimensions = string_map(30, {"min_length": 1, "max_length": 255}, {"min_length": 1, "max_length": 1024})
# SageMaker's EnvironmentKey pattern; the lengths, below AWS's 1024, keep the object small.
Environment = string_map(ENVIRONMENT_ENTRIES,
                         {"min_length": 1, "max_length": ENVIRONMENT_KEY_LEN, "pattern": ENVIRONMENT_KEY},
                         {"max_length": ENVIRONMENT_VALUE_LEN})


class CopiesSpec(SpecModel):
    min: Annotated[int, Field(ge=0, le=1000, description="Fewest copies: 1 or more keeps the model resident (pinned), 0 lets it sleep until a request wakes it. Defaults to 1.")] = 1
    max: Annotated[int, Field(ge=1, le=1000, description="Most copies the component's autoscaling may run. Defaults to 1.")] = 1

    rules = (
        Rule("min", "spec.models[].component.copies.min must be <= spec.models[].component.copies.max",
             "(has(self.min) ? self.min : 1) <= (has(self.max) ? self.max : 1)",
             lambda c: c.min <= c.max),
    )


class ComponentSpec(SpecModel):
    """A model as an inference component: its compute per copy and its copies."""

    memory_mb: Annotated[int, Field(alias="memoryMB", ge=128, le=INTEGER_MAX, description="Memory each copy reserves, in MB (at least 128).")]
    cpu_cores: Annotated[float | None, Field(ge=0.25, le=1024, description="CPU cores each copy reserves (at least 0.25).")] = None
    accelerators: Annotated[int | None, Field(ge=1, le=64, description="GPUs or Inferentia devices each copy reserves.")] = None
    copies: Annotated[CopiesSpec | None, Field(description="Copy range. Defaults from the model's invocationsPerDay hint: min 0 (sleeps) at 800 calls a day or fewer, else min 1 (pinned); max 1.")] = None
    target_concurrency: Annotated[float | None, Field(gt=0, le=INTEGER_MAX, description="Concurrent requests per copy the component's autoscaling keeps, on SageMaker's 10-second per-copy metric. Defaults to spec.autoscaling.target, or 5.")] = None


class ModelSpec(SpecModel):
    name: Annotated[Name, Field(description="Model name, unique in this endpoint; callers of a multi-model endpoint pass it as TargetModel.")]
    model_data_url: Annotated[S3ObjectUri, Field(description="S3 URI of the model artifact (model.tar.gz): a bucket and a key.")]
    image: Annotated[Image | None, Field(description="Inference image for this model; defaults to spec.image.")] = None
    invocations_per_day: Annotated[int | None, Field(ge=0, le=INTEGER_MAX, description="Traffic hint: expected calls a day. Drives mode Auto and cost estimates.")] = None
    environment: Annotated[Environment | None, Field(description="Container environment variables.")] = None
    component: Annotated[ComponentSpec | None, Field(description="Mode InferenceComponents: the model's compute per copy and copy range.")] = None


class TrafficSpec(SpecModel):
    pattern: Annotated[TrafficPattern, Field(description="Shape of the traffic over a day.")] = TrafficPattern.STEADY
    max_payload_mb: Annotated[float | None, Field(alias="maxPayloadMB", gt=0, le=1024, description="Largest request payload in MB.")] = None
    max_processing_seconds: Annotated[int | None, Field(ge=1, le=3600, description="Longest time one request takes to process.")] = None
    p99_latency_target_ms: Annotated[int | None, Field(ge=1, le=INTEGER_MAX, description="p99 latency the callers need.")] = None
    gpu: Annotated[bool | None, Field(description="Whether the models need a GPU.")] = None


class InstancesSpec(SpecModel):
    type: Annotated[InstanceType, Field(description="SageMaker hosting instance type, for example ml.g4dn.xlarge; exactly the types AWS's service model lists (api/instance_types.json).")]
    min: Annotated[int, Field(ge=0, le=100, description="Fewest instances (the initial count); 0 only for Async with scaleToZero, or InferenceComponents (its managed instance scaling's MinInstanceCount). Defaults to 1.")] = 1
    max: Annotated[int, Field(ge=1, le=100, description="Most instances autoscaling (InferenceComponents: managed instance scaling) may add. Defaults to 1.")] = 1

    rules = (
        Rule("min", "spec.instances.min must be <= spec.instances.max",
             "(has(self.min) ? self.min : 1) <= (has(self.max) ? self.max : 1)",
             lambda i: i.min <= i.max),
    )


class ScheduleSpec(SpecModel):
    name: Annotated[Name, Field(description="Name of the scheduled action.")]
    cron: Annotated[str, Field(pattern=CRON, max_length=128, description="Cron expression with five fields (minute 0-59, hour 0-23, day-of-month 1-31 or ?, month 1-12 or JAN-DEC, day-of-week 0-7 or SUN-SAT, d#n for the nth weekday), for example '0 22 * * *'.")]
    time_zone: Annotated[str, Field(min_length=1, max_length=64, pattern=TIME_ZONE, description="IANA time zone of the cron expression, for example Europe/Berlin. Defaults to UTC.")] = "UTC"
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
    namespace: Annotated[CloudWatchName, Field(pattern=METRIC_NAMESPACE, description="CloudWatch namespace of the metric.")]
    metric_name: Annotated[CloudWatchName, Field(description="CloudWatch metric name.")]
    statistic: Annotated[str, Field(pattern=STATISTIC, max_length=16, description="Statistic to track. Defaults to Average.")] = "Average"
    dimensions: Annotated[Dimensions | None, Field(description="CloudWatch dimensions of the metric.")] = None


# Default target per tracked metric. ConcurrentRequestsPerModelHighResolution counts
# requests in flight per model copy: 5 at once. InvocationsPerInstance counts requests
# per instance per minute: the developer guide's target-tracking example ("Auto scaling
# policy overview") keeps it at 70. ApproximateBacklogSizePerInstance (what async
# scale-to-zero) counts queued requests per instance: its guide example keeps 5.
DEFAULT_TARGETS = {
    "ConcurrentRequestsPerModelHighResolution": 5.0,
    "InvocationsPerInstance": 70.0,
    "ApproximateBacklogSizePerInstance": 5.0,
}


class AutoscalingSpec(SpecModel):
    enabled: Annotated[bool, Field(description="Whether to register the variants with Application Auto Scaling. Defaults to true.")] = True
    metric: Annotated[ScalingMetric | None, Field(description="Target-tracking metric. Defaults to SageMaker's 10-second ConcurrentRequestsPerModelHighResolution, and for Async to ApproximateBacklogSizePerInstance: asynchronous endpoints publish no invocation or concurrency metrics.")] = None
    target: Annotated[float | None, Field(gt=0, description="Target value of the metric per instance. Defaults per metric: 5 concurrent requests (ConcurrentRequestsPerModelHighResolution), 70 invocations a minute (InvocationsPerInstance), 5 queued requests (ApproximateBacklogSizePerInstance, what Async tracks); required for Custom.")] = None
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
        Rule("target", "spec.autoscaling.target is required when spec.autoscaling.metric is Custom",
             "!has(self.metric) || self.metric != 'Custom' || has(self.target)",
             lambda a: a.metric != ScalingMetric.CUSTOM or a.target is not None),
    )

    def target_value(self, metric: ScalingMetric) -> float:
        """The target to track: the spec's, else the default of the metric tracked."""
        if self.target is not None:
            return self.target
        return DEFAULT_TARGETS[metric.value]


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
    output_path: Annotated[S3OutputUri, Field(description="S3 URI where results are written.")]
    failure_path: Annotated[S3OutputUri | None, Field(description="S3 URI where failed requests' errors are written.")] = None
    success_topic_arn: Annotated[SnsTopicArn | None, Field(description="SNS topic ARN told of each success.")] = None
    error_topic_arn: Annotated[SnsTopicArn | None, Field(description="SNS topic ARN told of each failure.")] = None
    kms_key_id: Annotated[str | None, Field(pattern=KMS_KEY_ID, max_length=ARN_LEN, description="KMS key (id, alias or ARN) that encrypts the output.")] = None
    max_concurrent_invocations_per_instance: Annotated[int | None, Field(ge=1, le=1000, description="Requests one instance works on at once.")] = None
    scale_to_zero: Annotated[bool, Field(description="Let the endpoint scale to zero instances while the queue is empty (needs instances.min 0). Defaults to false.")] = False


class MultiModelSpec(SpecModel):
    artifact_prefix: Annotated[S3Uri | None, Field(description="S3 prefix the operator copies the models under; defaults to endpoint-operator/<namespace>/<name>/ in the first model's bucket.")] = None
    model_cache: Annotated[bool, Field(description="SageMaker's ModelCacheSetting; disable for models used once. Defaults to true.")] = True
    server: Annotated[MultiModelServer, Field(description="Model server in the image: Triton (the SageMaker Triton Inference Server container, required on GPU instance types) or Default (the framework container's own, CPU instance types only). Defaults to Default.")] = MultiModelServer.DEFAULT


class RolloutStep(SpecModel):
    weight: Annotated[int, Field(ge=1, le=100, description="Percent of traffic on the new model, 1 to 100.")]
    pause: Annotated[Duration | None, Field(description="How long to hold this step, for example 24h, at most 30d; absent waits for promotion.")] = None

    rules = (
        Rule("pause", "spec.rollout.steps[].pause must be at most 30d",
             f"!has(self.pause) || {cel_duration_seconds('self.pause')} <= {MAX_PAUSE_SECONDS}.0",
             lambda s: s.pause is None or duration_seconds(s.pause) <= MAX_PAUSE_SECONDS),
    )


class ShadowStep(SpecModel):
    sampling_percent: Annotated[int, Field(ge=1, le=100, description="Percent of production requests SageMaker copies to the new model, 1 to 100; callers only ever see the primary's answers. Defaults to 100.")] = 100
    pause: Annotated[Duration, Field(description="How long the shadow runs and its gates are judged before the canary steps begin, for example 1h, at most 30d.")]

    rules = (
        Rule("pause", "spec.rollout.shadow.pause must be at most 30d",
             f"{cel_duration_seconds('self.pause')} <= {MAX_PAUSE_SECONDS}.0",
             lambda s: duration_seconds(s.pause) <= MAX_PAUSE_SECONDS),
    )


def _cel_list(names) -> str:
    return "[" + ", ".join(f"'{n}'" for n in sorted(names)) + "]"


_LATENCY = f"self.name in {_cel_list(MICROSECOND_METRICS)}"
_ERRORS = f"self.name in {_cel_list(PER_REQUEST_ERROR_METRICS)}"
_COUNTED = "(has(self.statistic) && self.statistic == 'SampleCount')"
_AVERAGE = "(!has(self.statistic) || self.statistic == 'Average')"
_TIMED = "(type(self.max) == string && self.max.matches('(us|ms|s)$'))"
_PERCENT = "(type(self.max) == string && self.max.endsWith('%'))"
_LATENCY_NAMES = ", ".join(sorted(MICROSECOND_METRICS))
_ERROR_NAMES = ", ".join(sorted(PER_REQUEST_ERROR_METRICS))


def _threshold(value: Any) -> int | str:
    """What the CRD's int-or-string node with THRESHOLD's pattern accepts, nothing else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= THRESHOLD_LEN and re.match(THRESHOLD, value):
        return value
    raise ValueError(f"must be an integer or a string matching {THRESHOLD} (for example 1100ms, 2%, \"0.02\")")


THRESHOLD_DESCRIPTION = (
    "Highest value the canary may show: a time with its unit for latency metrics (1100ms, 1.1s, 800us; "
    "CloudWatch reports them in microseconds), a fraction or a percentage for the Average of an error metric "
    "(\"0.02\", 2%), a plain number otherwise. Fractions are written as strings.")
Threshold = Annotated[int | str, PlainValidator(_threshold), WithJsonSchema({
    "x-kubernetes-int-or-string": True, "description": THRESHOLD_DESCRIPTION,
    "pattern": THRESHOLD, "maxLength": THRESHOLD_LEN,
})]


class MetricGate(SpecModel):
    name: Annotated[CloudWatchName, Field(description="CloudWatch metric of AWS/SageMaker, for example ModelLatency.")]
    statistic: Annotated[str, Field(pattern=PERCENTILE_STATISTIC, max_length=16, description="Statistic of the metric, or a percentile such as p99. Defaults to Average (for an error metric: the error rate).")] = "Average"
    max: Threshold | None = None
    max_ratio_to_primary: Annotated[float | None, Field(gt=0, description="Highest ratio of the canary's value to the primary's, judged on steps where both take traffic (not at 100%). A Sum is compared per request (each variant's Sum divided by its Invocations).")] = None

    rules = (
        Rule("max", f"spec.rollout.analysis.metrics[].max must carry a time unit for {_LATENCY_NAMES} "
                    "(CloudWatch reports them in microseconds), for example 1100ms or 1.1s",
             f"!has(self.max) || !({_LATENCY}) || {_COUNTED} || {_TIMED}",
             lambda g: g.max is None or not wants_time_unit(g.name, g.statistic) or unit_of(g.max) in ("us", "ms", "s")),
        Rule("max", f"spec.rollout.analysis.metrics[].max may carry a time unit only for {_LATENCY_NAMES}",
             f"!has(self.max) || !{_TIMED} || (({_LATENCY}) && !{_COUNTED})",
             lambda g: g.max is None or unit_of(g.max) not in ("us", "ms", "s") or wants_time_unit(g.name, g.statistic)),
        Rule("max", f"spec.rollout.analysis.metrics[].max may be a percentage only for the Average of {_ERROR_NAMES} "
                    "(an error rate)",
             f"!has(self.max) || !{_PERCENT} || (({_ERRORS}) && {_AVERAGE})",
             lambda g: g.max is None or unit_of(g.max) != "%" or is_error_rate(g.name, g.statistic)),
        Rule("max", f"spec.rollout.analysis.metrics[].max of the Average of {_ERROR_NAMES} is an error rate: "
                    "at most 1, or a percentage such as 2%",
             f"!has(self.max) || !({_ERRORS}) || !{_AVERAGE} || {_PERCENT}"
             " || (type(self.max) == string ? (!self.max.matches('^[0-9.]+$') || double(self.max) <= 1.0) : self.max <= 1)",
             lambda g: g.max is None or not is_error_rate(g.name, g.statistic) or unit_of(g.max) != ""
             or threshold_value(g.max) <= 1),
        Rule("maxRatioToPrimary", "spec.rollout.analysis.metrics[].maxRatioToPrimary cannot compare SampleCount: "
                                  "it counts each variant's requests, which follow the traffic split",
             f"!has(self.maxRatioToPrimary) || !{_COUNTED}",
             lambda g: g.max_ratio_to_primary is None or g.statistic != "SampleCount"),
        Rule("", "spec.rollout.analysis.metrics[] must set max, maxRatioToPrimary or both",
             "has(self.max) || has(self.maxRatioToPrimary)",
             lambda g: g.max is not None or g.max_ratio_to_primary is not None),
    )

    def max_value(self) -> float | None:
        """`max` in CloudWatch's unit (microseconds, a fraction), None without one."""
        return None if self.max is None else threshold_value(self.max)


PROMETHEUS_URL = ascii_re(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
PROMQL_LEN = 2048


class PrometheusGate(SpecModel):
    name: Annotated[Name, Field(description="Name of the gate, shown in status.rollout.lastGate and events.")]
    query: Annotated[str, Field(min_length=1, max_length=PROMQL_LEN, description="PromQL query evaluated at each judgement (an instant query: its range selectors, such as [5m], set how far back it looks). It must return one value; aggregate with sum, max, ... where it returns several series.")]
    max: Annotated[float | None, Field(description="Highest value the query may return.")] = None
    min: Annotated[float | None, Field(description="Lowest value the query may return.")] = None
    url: Annotated[str | None, Field(pattern=PROMETHEUS_URL, max_length=512, description="Prometheus server, for example http://prometheus.monitoring:9090; defaults to the operator's --prometheus-url.")] = None

    rules = (
        Rule("", "spec.rollout.analysis.prometheus[] must set max, min or both",
             "has(self.max) || has(self.min)",
             lambda g: g.max is not None or g.min is not None),
        Rule("min", "spec.rollout.analysis.prometheus[].min must be <= spec.rollout.analysis.prometheus[].max",
             "!has(self.min) || !has(self.max) || self.min <= self.max",
             lambda g: g.min is None or g.max is None or g.min <= g.max),
    )


INCONCLUSIVE_AFTER = r"^([0-9]+(s|m|h))+$"  # what CEL's duration() reads
INCONCLUSIVE_MIN_SECONDS, INCONCLUSIVE_MAX_SECONDS = 60, 7 * 24 * 3600


def _seconds(text: str) -> int:
    return sum(int(n) * {"s": 1, "m": 60, "h": 3600}[u] for n, u in re.findall(r"([0-9]+)(s|m|h)", text))


class AnalysisSpec(SpecModel):
    alarms: Annotated[list[CloudWatchName] | None, Field(max_length=20, description="CloudWatch alarms that must stay OK during each step.")] = None
    metrics: Annotated[list[MetricGate] | None, Field(max_length=20, description="Metric gates judged during each step.")] = None
    prometheus: Annotated[list[PrometheusGate] | None, Field(max_length=10, description="PromQL queries judged during each step.")] = None
    interval: Annotated[Duration, Field(description="How often the gates are judged, 10s to 1h. Defaults to 30s.")] = "30s"
    inconclusive_after: Annotated[str, Field(pattern=INCONCLUSIVE_AFTER, max_length=16, description="How long gates may still wait (no data, an alarm in INSUFFICIENT_DATA or missing) once a step is due (its pause over; the last step without a pause: once it began) before the step is inconclusive and onFailure applies. 1m to 168h; defaults to 1h.")] = "1h"

    rules = (
        Rule("interval", "spec.rollout.analysis.interval must be between 10s and 1h",
             f"!has(self.interval) || ({cel_duration_seconds('self.interval')} >= {MIN_INTERVAL_SECONDS}.0"
             f" && {cel_duration_seconds('self.interval')} <= {MAX_INTERVAL_SECONDS}.0)",
             lambda a: MIN_INTERVAL_SECONDS <= duration_seconds(a.interval) <= MAX_INTERVAL_SECONDS),
        Rule("inconclusiveAfter", "spec.rollout.analysis.inconclusiveAfter must be between 1m and 168h",
             "!has(self.inconclusiveAfter) || (duration(self.inconclusiveAfter) >= duration('1m')"
             " && duration(self.inconclusiveAfter) <= duration('168h'))",
             lambda a: INCONCLUSIVE_MIN_SECONDS <= _seconds(a.inconclusive_after) <= INCONCLUSIVE_MAX_SECONDS),
    )

    def inconclusive_seconds(self) -> int:
        return _seconds(self.inconclusive_after)


class RolloutSpec(SpecModel):
    steps: Annotated[list[RolloutStep], Field(min_length=1, max_length=10, description="Traffic steps of a canary; weights rise strictly and end at 100.")]
    shadow: Annotated[ShadowStep | None, Field(description="A first step in shadow mode: the new model gets a copy of a share of production traffic (ShadowProductionVariants) and the gates compare it with the primary before any caller is sent to it. RealTime only.")] = None
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
# Why spec.rollout has no place on inference components: each one rolls by itself.
ROLLOUT_NOT_FOR_COMPONENTS = (
    "a changed component rolls out by itself through UpdateInferenceComponent's rolling deployment, a batch of "
    "copies at a time, while the other components keep serving"
)
_COMPONENTS = _mode("InferenceComponents")
# A metric gate reads a variant's metric (EndpointName and VariantName): on an
# asynchronous endpoint only those its guide lists per variant ever have data.
ASYNC_GATE_METRICS_RULE = (
    "spec.rollout.analysis.metrics[].name must be a metric an asynchronous endpoint publishes per variant when "
    f"spec.mode is Async ({', '.join(ASYNC_VARIANT_METRICS)}): it publishes no Invocations, InvocationsPerInstance "
    "or OverheadLatency, and its backlog metrics carry EndpointName alone, so a gate on any other would never pass"
)
_ASYNC_GATE_NAMES = "[" + ", ".join(f"'{m}'" for m in ASYNC_VARIANT_METRICS) + "]"


def unpublished_async_gates(spec: "ModelEndpointSpec") -> list[int]:
    """Indexes of spec.rollout.analysis.metrics an asynchronous endpoint does not publish per variant."""
    analysis = spec.rollout.analysis if spec.rollout is not None else None
    return [i for i, gate in enumerate(analysis.metrics or ()) if gate.name not in ASYNC_VARIANT_METRICS] \
        if analysis is not None else []
_SLEEPER = "self.models.exists(m, has(m.component) && has(m.component.copies) && has(m.component.copies.min) && m.component.copies.min == 0)"


def _sleeps(spec: "ModelEndpointSpec") -> bool:
    """A model declared to sleep (copies.min 0)."""
    return any(m.component is not None and m.component.copies is not None and m.component.copies.min == 0
               for m in spec.models)
_ASYNC_METRIC_NAMES = ", ".join(f"'{m.value}'" for m in ASYNC_METRICS)
_BACKLOG = ScalingMetric.APPROXIMATE_BACKLOG_SIZE_PER_INSTANCE
# A multi-model endpoint on an accelerated instance: mode MultiModel, or Auto with
# several models and no components (Auto serves several models on a multi-model
# endpoint unless they declare their compute per copy: then as inference components).
_GPU_MULTI_MODEL = (
    f"({_mode('MultiModel')} || ({_mode('Auto')} && size(self.models) > 1 && !self.models.exists(m, has(m.component))))"
    f" && has(self.instances) && self.instances.type.matches('{ACCELERATED_FAMILY_CEL}')"
)
_GPU_TYPES_CEL = "[" + ", ".join(f"'{t}'" for t in GPU_MULTI_MODEL_TYPES) + "]"


def gpu_multi_model(spec: "ModelEndpointSpec") -> bool:
    """Whether the spec asks for a multi-model endpoint on an accelerated instance type."""
    several = spec.mode is Mode.MULTI_MODEL or (spec.mode is Mode.AUTO and len(spec.models) > 1
                                                and all(m.component is None for m in spec.models))
    return several and spec.instances is not None and accelerated(spec.instances.type)


def _server(spec: "ModelEndpointSpec") -> MultiModelServer:
    return spec.multi_model.server if spec.multi_model is not None else MultiModelServer.DEFAULT


_IMMUTABLE = "changing it would orphan the SageMaker endpoint; create a new ModelEndpoint instead"


class ModelEndpointSpec(SpecModel):
    region: Annotated[str, Field(pattern=REGION, max_length=32, description="AWS region of the endpoint. Immutable.")]
    execution_role_arn: Annotated[str, Field(pattern=ROLE_ARN, min_length=ROLE_ARN_MIN, max_length=ARN_LEN, description="IAM role SageMaker assumes to pull the image and model.")]
    mode: Annotated[Mode, Field(description="Inference mode; Auto picks one from the models and traffic and says why in status. Defaults to Auto.")] = Mode.AUTO
    image: Annotated[Image | None, Field(description="Default inference image of the models.")] = None
    models: Annotated[list[ModelSpec], ListMap("name"), Field(min_length=1, max_length=MAX_MODELS, description="The models this endpoint serves; names are unique.")]
    traffic: Annotated[TrafficSpec | None, Field(description="What the callers send; drives mode Auto and sizing.")] = None
    instances: Annotated[InstancesSpec | None, Field(description="Instance type and count range; required for RealTime, MultiModel and Async.")] = None
    autoscaling: Annotated[AutoscalingSpec | None, Field(description="Target-tracking autoscaling of the instance count.")] = None
    serverless: Annotated[ServerlessSpec | None, Field(description="Serverless settings; only with mode Serverless or Auto.")] = None
    async_: Annotated[AsyncSpec | None, Field(alias="async", description="Asynchronous inference settings; required for mode Async, only with Async or Auto.")] = None
    multi_model: Annotated[MultiModelSpec | None, Field(description="Multi-model endpoint settings; only with mode MultiModel or Auto.")] = None
    rollout: Annotated[RolloutSpec | None, Field(description="How a change of models reaches traffic: staged canary steps with gates.")] = None
    deployment: Annotated[DeploymentSpec | None, Field(description="How SageMaker's deployment guardrails move the endpoint to a new config for changes a canary does not cover (instance type, image, environment, volume): blue/green with canary or linear traffic shifting, or rolling batches, rolled back on alarms. RealTime, MultiModel and Async only.")] = None
    deletion_policy: Annotated[DeletionPolicy, Field(description="Delete removes the SageMaker resources with this object; Retain leaves the endpoint serving. Defaults to Delete.")] = DeletionPolicy.DELETE
    endpoint_name: Annotated[str | None, Field(pattern=ENDPOINT_NAME, max_length=63, description="SageMaker endpoint name; defaults to <namespace>-<name>, with a hash of both appended where that could be another object's name (see docs/operations.md). Immutable.")] = None
    tags: Annotated[Tags | None, Field(description="Tags added to every AWS resource of this endpoint.")] = None
    network: Annotated[NetworkSpec | None, Field(description="VPC subnets and security groups of the model containers, and network isolation. Not for Serverless.")] = None
    encryption: Annotated[EncryptionSpec | None, Field(description="KMS keys for the instances' storage volume and the multi-model artifacts the operator copies.")] = None
    data_capture: Annotated[DataCaptureSpec | None, Field(description="Capture of requests and responses to S3, for Model Monitor. Not for Serverless.")] = None
    provisioning: Annotated[ProvisioningSpec | None, Field(description="Per-instance settings of every variant for large models: volume size, download and startup health-check timeouts, inference AMI. Not for Serverless.")] = None
    role_arn: Annotated[str | None, Field(pattern=ROLE_ARN, min_length=ROLE_ARN_MIN, max_length=ARN_LEN, description="IAM role the operator assumes to reach the endpoint's account, when it is not the operator's own; the operator's configuration must allow it for the namespace (docs/operations.md). Defaults to the namespace's role, if it has one. Immutable.")] = None
    cost_controls: Annotated[CostControlsSpec | None, Field(description="Suspension (by hand or on a weekly schedule) and the Idle condition.")] = None
    adopt: Annotated[AdoptSpec | None, Field(description="Adopt the existing SageMaker endpoint spec.endpointName in place: nothing is created beside it; it is tagged as this object's and converged to the spec (see docs/migration.md).")] = None
    replaces: Annotated[ReplacesSpec | None, Field(description="Existing endpoints this one replaces, each retired once it has gone without invocations for idleFor.")] = None

    rules = ENDPOINT_RULES + (
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
        Rule("multiModel.server",
             "spec.multiModel.server must be Triton for several models on a GPU instance type (mode MultiModel, or Auto with "
             "several models and no spec.models[].component): SageMaker hosts several GPU models on one endpoint only through the Triton Inference Server",
             f"!({_GPU_MULTI_MODEL}) || (has(self.multiModel) && has(self.multiModel.server) && self.multiModel.server == 'Triton')",
             lambda s: not gpu_multi_model(s) or _server(s) is MultiModelServer.TRITON),
        Rule("instances.type",
             "spec.instances.type must be a GPU type SageMaker lists for multi-model endpoints ("
             + ", ".join(GPU_MULTI_MODEL_TYPES) + ") for several models on an accelerated instance type",
             f"!({_GPU_MULTI_MODEL}) || self.instances.type in {_GPU_TYPES_CEL}",
             lambda s: not gpu_multi_model(s) or s.instances.type in GPU_MULTI_MODEL_TYPES),
        Rule("instances.min", "spec.instances.min may be 0 only when spec.mode is Async or Auto and spec.async.scaleToZero is true, "
             "or when spec.mode is InferenceComponents",
             "!has(self.instances) || !has(self.instances.min) || self.instances.min > 0"
             f" || (({_mode('Async')} || {_mode('Auto')}) && has(self.async) && has(self.async.scaleToZero) && self.async.scaleToZero)"
             f" || {_COMPONENTS}",
             lambda s: s.instances is None or s.instances.min > 0
             or (s.mode in (Mode.ASYNC, Mode.AUTO) and s.async_ is not None and s.async_.scale_to_zero)
             or s.mode is Mode.INFERENCE_COMPONENTS),
        Rule("instances", "spec.instances is required when spec.mode is InferenceComponents: its type and min/max "
             "are the endpoint's managed instance scaling",
             f"!{_COMPONENTS} || has(self.instances)",
             lambda s: s.mode is not Mode.INFERENCE_COMPONENTS or s.instances is not None),
        Rule("models", "spec.models[].component is required for every model when spec.mode is InferenceComponents",
             f"!{_COMPONENTS} || self.models.all(m, has(m.component))",
             lambda s: s.mode is not Mode.INFERENCE_COMPONENTS or all(m.component is not None for m in s.models)),
        Rule("models", "spec.models[].component is allowed only when spec.mode is InferenceComponents or Auto",
             f"!self.models.exists(m, has(m.component)) || {_COMPONENTS} || {_mode('Auto')}",
             lambda s: all(m.component is None for m in s.models) or s.mode in (Mode.INFERENCE_COMPONENTS, Mode.AUTO)),
        Rule("autoscaling.enabled",
             "spec.autoscaling.enabled must not be false when a component may sleep (spec.models[].component.copies.min 0):"
             " Application Auto Scaling wakes it",
             f"!has(self.autoscaling) || !has(self.autoscaling.enabled) || self.autoscaling.enabled || !({_SLEEPER})",
             lambda s: s.autoscaling is None or s.autoscaling.enabled or not _sleeps(s)),
        Rule("autoscaling.schedules",
             "spec.autoscaling.schedules is not allowed when spec.mode is InferenceComponents: managed instance scaling"
             " sizes the instances, each component's autoscaling its copies",
             f"!{_COMPONENTS} || !has(self.autoscaling) || !has(self.autoscaling.schedules)",
             lambda s: s.mode is not Mode.INFERENCE_COMPONENTS or s.autoscaling is None or not s.autoscaling.schedules),
        Rule("autoscaling.metric",
             "spec.autoscaling.metric must be ApproximateBacklogSizePerInstance or Custom when spec.mode is Async:"
             " asynchronous endpoints do not publish ConcurrentRequestsPerModel or InvocationsPerInstance",
             f"!{_mode('Async')} || !has(self.autoscaling) || !has(self.autoscaling.metric)"
             f" || self.autoscaling.metric in [{_ASYNC_METRIC_NAMES}]",
             lambda s: s.mode != Mode.ASYNC or s.autoscaling is None or s.autoscaling.metric is None
             or s.autoscaling.metric in ASYNC_METRICS),
        Rule("autoscaling.metric",
             "spec.autoscaling.metric ApproximateBacklogSizePerInstance is allowed only when spec.mode is Async or Auto:"
             " only asynchronous endpoints have a backlog",
             f"!has(self.autoscaling) || !has(self.autoscaling.metric) || self.autoscaling.metric != '{_BACKLOG.value}'"
             f" || {_mode('Async')} || {_mode('Auto')}",
             lambda s: s.autoscaling is None or s.autoscaling.metric != _BACKLOG or s.mode in (Mode.ASYNC, Mode.AUTO)),
        Rule("rollout",
             "spec.rollout is not allowed when spec.mode is Serverless: SageMaker hosts one production variant on a "
             "serverless endpoint (no canary, no shadow); it is updated all at once",
             f"!has(self.rollout) || !{_SERVERLESS}",
             lambda s: s.rollout is None or s.mode != Mode.SERVERLESS),
        Rule("rollout.analysis.metrics", ASYNC_GATE_METRICS_RULE,
             f"!{_mode('Async')} || !has(self.rollout) || !has(self.rollout.analysis) || !has(self.rollout.analysis.metrics)"
             f" || self.rollout.analysis.metrics.all(m, m.name in {_ASYNC_GATE_NAMES})",
             lambda s: s.mode is not Mode.ASYNC or not unpublished_async_gates(s)),
        Rule("rollout", f"spec.rollout is not allowed when spec.mode is InferenceComponents: {ROLLOUT_NOT_FOR_COMPONENTS}",
             f"!has(self.rollout) || !{_COMPONENTS}",
             lambda s: s.rollout is None or s.mode != Mode.INFERENCE_COMPONENTS),
        Rule("rollout.shadow",
             "spec.rollout.shadow is allowed only when spec.mode is RealTime or Auto: SageMaker hosts no shadow "
             "variant on a serverless, asynchronous or multi-model endpoint",
             f"!has(self.rollout) || !has(self.rollout.shadow) || {_mode('RealTime')} || {_mode('Auto')}",
             lambda s: s.rollout is None or s.rollout.shadow is None or s.mode in (Mode.REAL_TIME, Mode.AUTO)),
        Rule("deployment",
             "spec.deployment is not allowed when spec.mode is Serverless: SageMaker's deployment guardrails are for "
             "real-time and asynchronous endpoints only; a serverless endpoint is updated all at once",
             f"!has(self.deployment) || !{_SERVERLESS}",
             lambda s: s.deployment is None or s.mode != Mode.SERVERLESS),
        Rule("region", f"spec.region is immutable: {_IMMUTABLE}",
             "self.region == oldSelf.region",
             lambda new, old: new.region == old.region, transition=True),
        Rule("endpointName", f"spec.endpointName is immutable: {_IMMUTABLE}",
             "has(self.endpointName) == has(oldSelf.endpointName)"
             " && (!has(self.endpointName) || self.endpointName == oldSelf.endpointName)",
             lambda new, old: new.endpoint_name == old.endpoint_name, transition=True),
        Rule("roleArn", f"spec.roleArn is immutable: {_IMMUTABLE}",
             "has(self.roleArn) == has(oldSelf.roleArn) && (!has(self.roleArn) || self.roleArn == oldSelf.roleArn)",
             lambda new, old: new.role_arn == old.role_arn, transition=True),
    ) + ADOPTION_RULES


def validate_spec(spec: Mapping[str, Any]) -> ModelEndpointSpec:
    """Parses a manifest's `spec` with every rule the API server applies; raises InvalidSpec."""
    return parse(ModelEndpointSpec, spec)


def validate_update(old: ModelEndpointSpec, new: ModelEndpointSpec) -> list[SpecError]:
    """The rules an update must keep (immutable fields), judged as the API server would."""
    return transition_errors(new, old)
