"""The ModelEndpoint spec: what a user declares.

These models are the single source of the CRD schema (see crd.py). Rules that the API
server can check (ranges, patterns, CEL) live in the schema; the validators here repeat
nothing of that and judge only what the schema cannot.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field

from .base import KubeModel


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
DURATION = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h|d))+$"
INSTANCE_TYPE = r"^ml\.[a-z0-9]+\.[a-z0-9]+$"
REGION = r"^[a-z]{2}(-gov)?-[a-z]+-\d$"


class ModelSpec(KubeModel):
    name: Annotated[str, Field(pattern=MODEL_NAME, description="Model name, unique in this endpoint; callers of a multi-model endpoint pass it as TargetModel.")]
    model_data_url: Annotated[str, Field(pattern=S3_URI, description="S3 URI of the model artifact (model.tar.gz).")]
    image: Annotated[str | None, Field(description="Inference image for this model; defaults to spec.image.")] = None
    invocations_per_day: Annotated[int | None, Field(ge=0, description="Traffic hint: expected calls a day. Drives mode Auto and cost estimates.")] = None
    environment: Annotated[dict[str, str] | None, Field(description="Container environment variables.")] = None


class TrafficSpec(KubeModel):
    pattern: Annotated[TrafficPattern, Field(description="Shape of the traffic over a day.")] = TrafficPattern.STEADY
    max_payload_mb: Annotated[float | None, Field(gt=0, le=1024, description="Largest request payload in MB.")] = None
    max_processing_seconds: Annotated[int | None, Field(ge=1, le=3600, description="Longest time one request takes to process.")] = None
    p99_latency_target_ms: Annotated[int | None, Field(ge=1, description="p99 latency the callers need.")] = None
    gpu: Annotated[bool | None, Field(description="Whether the models need a GPU.")] = None


class InstancesSpec(KubeModel):
    type: Annotated[str, Field(pattern=INSTANCE_TYPE, description="SageMaker hosting instance type, for example ml.g4dn.xlarge.")]
    min: Annotated[int, Field(ge=0, le=100, description="Fewest instances (the initial count).")] = 1
    max: Annotated[int, Field(ge=1, le=100, description="Most instances autoscaling may add.")] = 1


class ScheduleSpec(KubeModel):
    name: Annotated[str, Field(pattern=MODEL_NAME)]
    cron: Annotated[str, Field(description="Cron expression with five fields, for example '0 22 * * *'.")]
    time_zone: Annotated[str, Field(description="IANA time zone of the cron expression.")] = "UTC"
    min: Annotated[int | None, Field(ge=0, le=100)] = None
    max: Annotated[int | None, Field(ge=1, le=100)] = None


class CustomMetricSpec(KubeModel):
    namespace: str
    metric_name: str
    statistic: Annotated[str, Field(pattern=r"^(Average|Minimum|Maximum|SampleCount|Sum)$")] = "Average"
    dimensions: dict[str, str] | None = None


class AutoscalingSpec(KubeModel):
    enabled: bool = True
    metric: Annotated[ScalingMetric, Field(description="Target-tracking metric; the default is SageMaker's 10-second metric.")] = ScalingMetric.CONCURRENT_REQUESTS_HIGH_RESOLUTION
    target: Annotated[float, Field(gt=0, description="Target value of the metric per instance.")] = 5.0
    scale_out_cooldown_seconds: Annotated[int, Field(ge=0, le=3600)] = 60
    scale_in_cooldown_seconds: Annotated[int, Field(ge=0, le=86400)] = 300
    custom_metric: CustomMetricSpec | None = None
    schedules: list[ScheduleSpec] | None = None


class ServerlessSpec(KubeModel):
    memory_size_mb: Annotated[int, Field(ge=1024, le=6144, multiple_of=1024, description="Memory in MB: 1024 to 6144 in 1024 steps.")] = 2048
    max_concurrency: Annotated[int, Field(ge=1, le=200)] = 20
    provisioned_concurrency: Annotated[int | None, Field(ge=1, le=200)] = None


class AsyncSpec(KubeModel):
    output_path: Annotated[str, Field(pattern=S3_URI, description="S3 URI where results are written.")]
    failure_path: Annotated[str | None, Field(pattern=S3_URI)] = None
    success_topic_arn: str | None = None
    error_topic_arn: str | None = None
    kms_key_id: str | None = None
    max_concurrent_invocations_per_instance: Annotated[int | None, Field(ge=1, le=1000)] = None
    scale_to_zero: bool = False


class MultiModelSpec(KubeModel):
    artifact_prefix: Annotated[str | None, Field(pattern=S3_URI, description="S3 prefix the operator copies the models under; defaults to endpoint-operator/<namespace>/<name>/ in the first model's bucket.")] = None
    model_cache: Annotated[bool, Field(description="SageMaker's ModelCacheSetting; disable for models used once.")] = True


class RolloutStep(KubeModel):
    weight: Annotated[int, Field(ge=0, le=100, description="Percent of traffic on the new model.")]
    pause: Annotated[str | None, Field(pattern=DURATION, description="How long to hold this step, for example 24h; absent waits for promotion.")] = None


class MetricGate(KubeModel):
    name: Annotated[str, Field(description="CloudWatch metric of AWS/SageMaker, for example ModelLatency.")]
    statistic: Annotated[str, Field(pattern=r"^(Average|Minimum|Maximum|Sum|SampleCount|p\d{1,2}(\.\d+)?)$")] = "Average"
    max: float | None = None
    max_ratio_to_primary: Annotated[float | None, Field(gt=0)] = None


class AnalysisSpec(KubeModel):
    alarms: list[str] | None = None
    metrics: list[MetricGate] | None = None
    interval: Annotated[str, Field(pattern=DURATION)] = "30s"


class RolloutSpec(KubeModel):
    steps: Annotated[list[RolloutStep], Field(min_length=1, max_length=10)]
    analysis: AnalysisSpec | None = None
    on_failure: OnFailure = OnFailure.ROLLBACK


class ModelEndpointSpec(KubeModel):
    region: Annotated[str, Field(pattern=REGION, description="AWS region of the endpoint.")]
    execution_role_arn: Annotated[str, Field(pattern=ROLE_ARN, description="IAM role SageMaker assumes to pull the image and model.")]
    mode: Mode = Mode.AUTO
    image: Annotated[str | None, Field(description="Default inference image of the models.")] = None
    models: Annotated[list[ModelSpec], Field(min_length=1, max_length=500)]
    traffic: TrafficSpec | None = None
    instances: InstancesSpec | None = None
    autoscaling: AutoscalingSpec | None = None
    serverless: ServerlessSpec | None = None
    async_: Annotated[AsyncSpec | None, Field(alias="async")] = None
    multi_model: MultiModelSpec | None = None
    rollout: RolloutSpec | None = None
    deletion_policy: DeletionPolicy = DeletionPolicy.DELETE
    endpoint_name: Annotated[str | None, Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", description="SageMaker endpoint name; defaults to <namespace>-<name>.")] = None
    tags: dict[str, str] | None = None
