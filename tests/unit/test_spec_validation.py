"""The pydantic side of spec validation: the same refusals the API server makes.

`BAD_SPECS` is shared with tests/cluster/test_crd_validation.py, which sends every case
to a real API server: the two sides must refuse the same manifests, naming the same
field (and, for cross-field rules, with the same message).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from endpoint_operator.api.adoption import SPEC_RULES as ADOPTION_RULES, ReplacesSpec
from endpoint_operator.api.rules import SpecModel
from unit.aws_refusals import aws_refusals
from unit.production_cases import bad_cases as production_bad_cases, good_specs as production_good_specs
from endpoint_operator.api.spec import (
    ASYNC_GATE_METRICS_RULE,
    ROLLOUT_NOT_FOR_COMPONENTS,
    InvalidSpec,
    MetricGate,
    ModelEndpointSpec,
    Mode,
    validate_spec,
    validate_update,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("**/*.yaml"))
DELETE = object()  # in a change: remove the key


def load_example(name: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / "examples" / name).read_text())


def changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` deep-merged with `changes`; DELETE removes a key, lists are replaced."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DELETE:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = changed(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


REALTIME = load_example("realtime.yaml")["spec"]
MODEL = {"name": "m", "modelDataUrl": "s3://example-models/m/model.tar.gz"}
SERVERLESS = changed(REALTIME, {"mode": "Serverless", "instances": DELETE, "serverless": {"memorySizeMB": 2048}})
ASYNC = changed(REALTIME, {"mode": "Async", "async": {"outputPath": "s3://example-models/out/"}})
PYTORCH_GPU = "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311"
TRITON = "785573368785.dkr.ecr.us-east-1.amazonaws.com/sagemaker-tritonserver:24.09-py3"
TWO_MODELS = [MODEL, {**MODEL, "name": "m2"}]
# What examples/multimodel.yaml used to be: a PyTorch GPU image on a multi-model g4dn endpoint.
GPU_MULTI_MODEL = changed(REALTIME, {"mode": "MultiModel", "image": PYTORCH_GPU, "models": TWO_MODELS,
                                     "instances": {"type": "ml.g4dn.xlarge"}, "rollout": DELETE})
COMPONENT = {"memoryMB": 4096, "accelerators": 1}
COMPONENTS = changed(REALTIME, {"mode": "InferenceComponents", "image": PYTORCH_GPU, "rollout": DELETE,
                                "instances": {"type": "ml.g5.12xlarge", "min": 0, "max": 4},
                                "models": [{**MODEL, "component": {**COMPONENT, "copies": {"min": 1, "max": 3}}},
                                           {**MODEL, "name": "m2", "component": {**COMPONENT, "copies": {"min": 0, "max": 1}}}]})
SHADOW_RULE = ("spec.rollout.shadow is allowed only when spec.mode is RealTime or Auto: SageMaker hosts no shadow "
               "variant on a serverless, asynchronous or multi-model endpoint")
GPU_TRITON, GPU_TYPES = (next(r.message for r in ModelEndpointSpec.rules if r.field == f)
                         for f in ("multiModel.server", "instances.type"))


@dataclass(frozen=True)
class Case:
    id: str
    spec: dict[str, Any]
    field: str  # the field both sides must name
    message: str | None = None  # a cross-field rule's message, the same on both sides
    not_also: str | None = None  # a field neither side may name as well (the spec is refused for `field` alone)


def case(id: str, base: dict, changes: dict, field: str, message: str | None = None, not_also: str | None = None) -> Case:
    return Case(id, changed(base, changes), field, message, not_also)


def gate_rule(start: str) -> str:
    """The full message of the metric-gate rule whose message starts so."""
    return next(r.message for r in MetricGate.rules if r.message.startswith(start))


LATENCY_NEEDS_UNIT = gate_rule("spec.rollout.analysis.metrics[].max must carry a time unit for")
INCONCLUSIVE_BOUNDS = "spec.rollout.analysis.inconclusiveAfter must be between 1m and 168h"


def gates(*metrics: dict, **analysis) -> dict:
    """A rollout whose analysis holds these metric gates (and other analysis fields)."""
    body = {**analysis, **({"metrics": list(metrics)} if metrics else {"alarms": ["a-5xx"]})}
    return {"rollout": {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}], "analysis": body}}


BAD_SPECS = [
    # cross-field rules: CEL on the server, a model validator here
    case("gpu-multi-model-without-triton", GPU_MULTI_MODEL, {}, "spec.multiModel.server", GPU_TRITON),
    case("gpu-auto-several-models-without-triton", GPU_MULTI_MODEL, {"mode": "Auto"}, "spec.multiModel.server", GPU_TRITON),
    case("gpu-multi-model-on-unlisted-type", GPU_MULTI_MODEL,
         {"image": TRITON, "multiModel": {"server": "Triton"}, "instances": {"type": "ml.g6.xlarge"}},
         "spec.instances.type", GPU_TYPES),
    case("multi-model-on-inferentia", GPU_MULTI_MODEL,
         {"image": TRITON, "multiModel": {"server": "Triton"}, "instances": {"type": "ml.inf2.xlarge"}},
         "spec.instances.type", GPU_TYPES),
    # a list keyed by name (x-kubernetes-list-type: map): the repeated item is named
    case("duplicate-model-names", REALTIME, {"mode": "MultiModel", "models": [MODEL, MODEL]},
         "spec.models[1]", "Duplicate value"),
    case("model-without-image", REALTIME, {"image": DELETE},
         "spec.models", "spec.models[].image or spec.image is required for every model"),
    case("instances-min-above-max", REALTIME, {"instances": {"min": 5, "max": 2}},
         "spec.instances.min", "spec.instances.min must be <= spec.instances.max"),
    case("instances-min-above-default-max", REALTIME, {"instances": {"min": 3, "max": DELETE}},
         "spec.instances.min", "spec.instances.min must be <= spec.instances.max"),
    case("realtime-without-instances", REALTIME, {"instances": DELETE},
         "spec.instances", "spec.instances is required when spec.mode is RealTime, MultiModel or Async"),
    case("multimodel-without-instances", REALTIME, {"mode": "MultiModel", "instances": DELETE},
         "spec.instances", "spec.instances is required when spec.mode is RealTime, MultiModel or Async"),
    case("realtime-two-models", REALTIME, {"models": [MODEL, {**MODEL, "name": "second"}]},
         "spec.models", "spec.models must hold exactly one model when spec.mode is RealTime"),
    case("serverless-two-models", SERVERLESS, {"models": [MODEL, {**MODEL, "name": "second"}]},
         "spec.models", "spec.models must hold exactly one model when spec.mode is Serverless"),
    case("serverless-with-instances", SERVERLESS, {"instances": {"type": "ml.m5.large"}},
         "spec.instances", "spec.instances is not allowed when spec.mode is Serverless"),
    case("serverless-with-multimodel", SERVERLESS, {"multiModel": {"modelCache": False}},
         "spec.multiModel", "spec.multiModel is allowed only when spec.mode is MultiModel or Auto"),
    case("serverless-large-payload", SERVERLESS, {"traffic": {"maxPayloadMB": 6}},
         "spec.traffic.maxPayloadMB", "spec.traffic.maxPayloadMB must be <= 4 when spec.mode is Serverless"),
    case("serverless-long-processing", SERVERLESS, {"traffic": {"maxProcessingSeconds": 120}},
         "spec.traffic.maxProcessingSeconds",
         "spec.traffic.maxProcessingSeconds must be <= 60 when spec.mode is Serverless"),
    case("serverless-gpu", SERVERLESS, {"traffic": {"gpu": True}},
         "spec.traffic.gpu", "spec.traffic.gpu must not be true when spec.mode is Serverless"),
    case("serverless-provisioned-above-max", SERVERLESS,
         {"serverless": {"maxConcurrency": 5, "provisionedConcurrency": 10}},
         "spec.serverless.provisionedConcurrency",
         "spec.serverless.provisionedConcurrency must be <= spec.serverless.maxConcurrency"),
    case("serverless-provisioned-above-default-max", SERVERLESS, {"serverless": {"provisionedConcurrency": 30}},
         "spec.serverless.provisionedConcurrency",
         "spec.serverless.provisionedConcurrency must be <= spec.serverless.maxConcurrency"),
    case("async-two-models", ASYNC, {"models": [MODEL, {**MODEL, "name": "second"}]},
         "spec.models", "spec.models must hold exactly one model when spec.mode is Async"),
    case("async-without-async", ASYNC, {"async": DELETE},
         "spec.async", "spec.async is required when spec.mode is Async"),
    case("async-on-realtime", REALTIME, {"async": {"outputPath": "s3://example-models/out/"}},
         "spec.async", "spec.async is allowed only when spec.mode is Async or Auto"),
    case("serverless-settings-on-realtime", REALTIME, {"serverless": {"maxConcurrency": 5}},
         "spec.serverless", "spec.serverless is allowed only when spec.mode is Serverless or Auto"),
    case("multimodel-settings-on-realtime", REALTIME, {"multiModel": {"modelCache": False}},
         "spec.multiModel", "spec.multiModel is allowed only when spec.mode is MultiModel or Auto"),
    case("rollout-weights-falling", REALTIME, {"rollout": {"steps": [{"weight": 50}, {"weight": 15}, {"weight": 100}]}},
         "spec.rollout.steps", "spec.rollout.steps[].weight must rise strictly from step to step"),
    case("rollout-weights-repeated", REALTIME, {"rollout": {"steps": [{"weight": 50}, {"weight": 50}, {"weight": 100}]}},
         "spec.rollout.steps", "spec.rollout.steps[].weight must rise strictly from step to step"),
    case("rollout-not-ending-at-100", REALTIME, {"rollout": {"steps": [{"weight": 15}, {"weight": 50}]}},
         "spec.rollout.steps", "spec.rollout.steps[].weight of the last step must be 100"),
    case("min-zero-on-realtime", REALTIME, {"instances": {"min": 0}},
         "spec.instances.min",
         "spec.instances.min may be 0 only when spec.mode is Async or Auto and spec.async.scaleToZero is true, "
         "or when spec.mode is InferenceComponents"),
    case("min-zero-async-without-scale-to-zero", ASYNC, {"instances": {"min": 0}},
         "spec.instances.min",
         "spec.instances.min may be 0 only when spec.mode is Async or Auto and spec.async.scaleToZero is true, "
         "or when spec.mode is InferenceComponents"),
    case("min-zero-auto-without-scale-to-zero", ASYNC, {"mode": "Auto", "instances": {"min": 0}},
         "spec.instances.min",
         "spec.instances.min may be 0 only when spec.mode is Async or Auto and spec.async.scaleToZero is true, "
         "or when spec.mode is InferenceComponents"),
    case("custom-metric-missing", REALTIME, {"autoscaling": {"metric": "Custom"}},
         "spec.autoscaling.customMetric",
         "spec.autoscaling.customMetric is required when spec.autoscaling.metric is Custom"),
    case("custom-metric-unused", REALTIME,
         {"autoscaling": {"customMetric": {"namespace": "App", "metricName": "QueueDepth"}}},
         "spec.autoscaling.customMetric",
         "spec.autoscaling.customMetric is allowed only when spec.autoscaling.metric is Custom"),
    case("async-tracking-invocations", ASYNC, {"autoscaling": {"metric": "InvocationsPerInstance"}},
         "spec.autoscaling.metric",
         "spec.autoscaling.metric must be ApproximateBacklogSizePerInstance or Custom when spec.mode is Async:"
         " asynchronous endpoints do not publish ConcurrentRequestsPerModel or InvocationsPerInstance"),
    case("realtime-tracking-the-backlog", REALTIME, {"autoscaling": {"metric": "ApproximateBacklogSizePerInstance"}},
         "spec.autoscaling.metric",
         "spec.autoscaling.metric ApproximateBacklogSizePerInstance is allowed only when spec.mode is Async or Auto:"
         " only asynchronous endpoints have a backlog"),
    case("schedule-min-above-max", REALTIME,
         {"autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * * *", "min": 4, "max": 2}]}},
         "spec.autoscaling.schedules[0].min",
         "spec.autoscaling.schedules[].min must be <= spec.autoscaling.schedules[].max"),
    case("schedule-without-bounds", REALTIME,
         {"autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * * *"}]}},
         "spec.autoscaling.schedules[0]", "spec.autoscaling.schedules[] must set min, max or both"),
    case("time-zone-directory", REALTIME,
         {"autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * * *", "timeZone": "America", "min": 1}]}},
         "spec.autoscaling.schedules[0].timeZone",
         "spec.autoscaling.schedules[].timeZone must be an IANA time zone name such as Europe/Berlin"),
    case("time-zone-unknown", REALTIME,
         {"autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * * *", "timeZone": "Mars/Olympus", "min": 1}]}},
         "spec.autoscaling.schedules[0].timeZone",
         "spec.autoscaling.schedules[].timeZone must be an IANA time zone name such as Europe/Berlin"),
    case("rollout-pause-over-30-days", REALTIME, {"rollout": {"steps": [{"weight": 15, "pause": "3000000d"}, {"weight": 100}]}},
         "spec.rollout.steps[0].pause", "spec.rollout.steps[].pause must be at most 30d"),
    case("rollout-pause-just-over-30-days", REALTIME, {"rollout": {"steps": [{"weight": 15, "pause": "30d1s"}, {"weight": 100}]}},
         "spec.rollout.steps[0].pause", "spec.rollout.steps[].pause must be at most 30d"),
    case("analysis-interval-zero", REALTIME,
         {"rollout": {"steps": [{"weight": 100}], "analysis": {"alarms": ["a"], "interval": "0s"}}},
         "spec.rollout.analysis.interval", "spec.rollout.analysis.interval must be between 10s and 1h"),
    case("analysis-interval-below-10s", REALTIME,
         {"rollout": {"steps": [{"weight": 100}], "analysis": {"alarms": ["a"], "interval": "9500ms"}}},
         "spec.rollout.analysis.interval", "spec.rollout.analysis.interval must be between 10s and 1h"),
    case("analysis-interval-over-1h", REALTIME,
         {"rollout": {"steps": [{"weight": 100}], "analysis": {"alarms": ["a"], "interval": "1h1m"}}},
         "spec.rollout.analysis.interval", "spec.rollout.analysis.interval must be between 10s and 1h"),
    # the schema: ranges, patterns, enums, required fields
    case("scaling-target-zero", REALTIME, {"autoscaling": {"target": 0}}, "spec.autoscaling.target"),
    case("instances-max-zero", REALTIME, {"instances": {"min": 1, "max": 0}}, "spec.instances.max"),
    case("cron-not-cron", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "at ten; pm now ok", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("time-zone-empty", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * * *", "timeZone": "", "min": 1}]}},
         "spec.autoscaling.schedules[0].timeZone"),
    case("async-without-output-path", ASYNC, {"async": {"outputPath": DELETE, "scaleToZero": True}},
         "spec.async.outputPath"),
    case("rollout-weight-zero", REALTIME, {"rollout": {"steps": [{"weight": 0}, {"weight": 100}]}},
         "spec.rollout.steps[0].weight"),
    case("rollout-weight-above-100", REALTIME, {"rollout": {"steps": [{"weight": 50}, {"weight": 120}]}},
         "spec.rollout.steps[1].weight"),
    case("serverless-memory-off-step", SERVERLESS, {"serverless": {"memorySizeMB": 1500}},
         "spec.serverless.memorySizeMB"),
    case("serverless-memory-too-large", SERVERLESS, {"serverless": {"memorySizeMB": 8192}},
         "spec.serverless.memorySizeMB"),
    case("serverless-memory-too-small", SERVERLESS, {"serverless": {"memorySizeMB": 512}},
         "spec.serverless.memorySizeMB"),
    case("cron-hour-25", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 25 * * *", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("cron-minute-60", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "60 22 * * *", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("cron-hour-range-past-23", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 20-24 * * *", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("cron-nth-weekday-6", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 9 * * 1#6", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("cron-nth-weekday-in-a-list", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 9 * * 1#2,3", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("cron-weekday-step", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 9 * * 1-5/2", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("cron-step-zero", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "*/0 9 * * *", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("cron-four-fields", REALTIME, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * *", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("unknown-deletion-policy", REALTIME, {"deletionPolicy": "Keep"}, "spec.deletionPolicy"),
    case("unknown-mode", REALTIME, {"mode": "Batch"}, "spec.mode"),
    case("bad-endpoint-name", REALTIME, {"endpointName": "fraud_scoring"}, "spec.endpointName"),
    case("bad-region", REALTIME, {"region": "us-east"}, "spec.region"),
    case("bad-role-arn", REALTIME, {"executionRoleArn": "sagemaker-exec"}, "spec.executionRoleArn"),
    case("bad-account-role-arn", REALTIME, {"roleArn": "arn:aws:iam::2222:role/x"}, "spec.roleArn"),
    # cost controls: a weekly schedule in a known time zone, an idle time CloudWatch can judge
    case("suspension-schedule-bad-time-zone", REALTIME,
         {"costControls": {"schedule": {"suspend": "0 20 * * 1-5", "resume": "0 7 * * 1-5", "timeZone": "Mars/Olympus"}}},
         "spec.costControls.schedule.timeZone",
         "spec.costControls.schedule.timeZone must be an IANA time zone name such as Europe/Berlin"),
    case("suspension-schedule-resume-equals-suspend", REALTIME,
         {"costControls": {"schedule": {"suspend": "0 20 * * *", "resume": "0 20 * * *"}}},
         "spec.costControls.schedule.resume",
         "spec.costControls.schedule.resume must differ from spec.costControls.schedule.suspend"),
    case("suspension-schedule-day-of-month", REALTIME,
         {"costControls": {"schedule": {"suspend": "0 20 1 * *", "resume": "0 7 * * *"}}},
         "spec.costControls.schedule.suspend"),
    case("idle-after-too-short", REALTIME, {"costControls": {"idleAfter": "5m"}}, "spec.costControls.idleAfter",
         "spec.costControls.idleAfter must be between 10m and 30d"),
    case("idle-after-too-long", REALTIME, {"costControls": {"idleAfter": "31d"}}, "spec.costControls.idleAfter",
         "spec.costControls.idleAfter must be between 10m and 30d"),
    case("bad-model-data-url", REALTIME, {"models": [{**MODEL, "modelDataUrl": "https://example.com/m.tar.gz"}]},
         "spec.models[0].modelDataUrl"),
    case("no-models", REALTIME, {"models": []}, "spec.models"),
    case("instances-above-100", REALTIME, {"instances": {"max": 500}}, "spec.instances.max"),
    case("unknown-field", REALTIME, {"replicas": 3}, "spec.replicas"),
    # gate thresholds carry CloudWatch's units
    case("latency-max-without-unit", REALTIME, gates({"name": "ModelLatency", "statistic": "p99", "max": 1100}),
         "spec.rollout.analysis.metrics[0].max", LATENCY_NEEDS_UNIT),
    case("latency-max-plain-string", REALTIME, gates({"name": "OverheadLatency", "max": "20"}),
         "spec.rollout.analysis.metrics[0].max", LATENCY_NEEDS_UNIT),
    case("time-unit-on-a-count", REALTIME, gates({"name": "Invocations", "statistic": "Sum", "max": "5s"}),
         "spec.rollout.analysis.metrics[0].max",
         gate_rule("spec.rollout.analysis.metrics[].max may carry a time unit only for")),
    case("percent-on-a-sum", REALTIME, gates({"name": "Invocation5XXErrors", "statistic": "Sum", "max": "2%"}),
         "spec.rollout.analysis.metrics[0].max",
         gate_rule("spec.rollout.analysis.metrics[].max may be a percentage only for the Average of")),
    case("error-rate-above-one", REALTIME, gates({"name": "Invocation5XXErrors", "max": 5}),
         "spec.rollout.analysis.metrics[0].max", gate_rule("spec.rollout.analysis.metrics[].max of the Average of")),
    case("threshold-a-json-fraction", REALTIME, gates({"name": "Invocation5XXErrors", "max": 0.02}),
         "spec.rollout.analysis.metrics[0].max"),
    case("threshold-not-a-number", REALTIME, gates({"name": "Invocations", "max": "many"}),
         "spec.rollout.analysis.metrics[0].max"),
    case("ratio-of-sample-counts", REALTIME, gates({"name": "ModelLatency", "statistic": "SampleCount", "maxRatioToPrimary": 2}),
         "spec.rollout.analysis.metrics[0].maxRatioToPrimary",
         gate_rule("spec.rollout.analysis.metrics[].maxRatioToPrimary cannot compare SampleCount")),
    case("gate-without-bound", REALTIME, gates({"name": "ModelLatency"}),
         "spec.rollout.analysis.metrics[0]", "spec.rollout.analysis.metrics[] must set max, maxRatioToPrimary or both"),
    case("shadow-pause-too-long", REALTIME, {"rollout": {"shadow": {"pause": "31d"}, "steps": [{"weight": 100}]}},
         "spec.rollout.shadow.pause", "spec.rollout.shadow.pause must be at most 30d"),
    case("rollout-on-serverless", SERVERLESS, {"rollout": {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]}},
         "spec.rollout",
         "spec.rollout is not allowed when spec.mode is Serverless: SageMaker hosts one production variant on a "
         "serverless endpoint (no canary, no shadow); it is updated all at once"),
    case("gate-on-a-metric-async-does-not-publish", ASYNC, gates({"name": "Invocations", "statistic": "Sum", "max": 10}),
         "spec.rollout.analysis.metrics", ASYNC_GATE_METRICS_RULE),
    case("gate-on-the-endpoint-wide-backlog-of-async", ASYNC,
         gates({"name": "ApproximateBacklogSizePerInstance", "max": 5}), "spec.rollout.analysis.metrics",
         ASYNC_GATE_METRICS_RULE),
    case("rollout-on-inference-components", COMPONENTS, {"rollout": {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]}},
         "spec.rollout", f"spec.rollout is not allowed when spec.mode is InferenceComponents: {ROLLOUT_NOT_FOR_COMPONENTS}"),
    case("rollout-shadow-on-multi-model", GPU_MULTI_MODEL,
         {"image": TRITON, "multiModel": {"server": "Triton"},
          "rollout": {"shadow": {"pause": "1h"}, "steps": [{"weight": 50}, {"weight": 100}]}},
         "spec.rollout.shadow", SHADOW_RULE, not_also="spec.rollout"),
    case("rollout-shadow-on-async", ASYNC, {"rollout": {"shadow": {"pause": "1h"}, "steps": [{"weight": 100}]}},
         "spec.rollout.shadow", SHADOW_RULE, not_also="spec.rollout"),
    case("deployment-on-serverless", SERVERLESS, {"deployment": {"strategy": "BlueGreen"}}, "spec.deployment",
         "spec.deployment is not allowed when spec.mode is Serverless: SageMaker's deployment guardrails are for "
         "real-time and asynchronous endpoints only; a serverless endpoint is updated all at once"),
    case("traffic-shifting-on-a-rolling-deployment", REALTIME,
         {"deployment": {"strategy": "Rolling", "trafficShifting": "Linear"}}, "spec.deployment.trafficShifting",
         "spec.deployment.trafficShifting applies only to spec.deployment.strategy BlueGreen"),
    case("canary-above-half-the-fleet", REALTIME, {"deployment": {"canaryPercent": 60}}, "spec.deployment.canaryPercent"),
    case("prometheus-gate-without-bound", REALTIME, gates(prometheus=[{"name": "checkouts", "query": "sum(up)"}]),
         "spec.rollout.analysis.prometheus[0]", "spec.rollout.analysis.prometheus[] must set max, min or both"),
    case("prometheus-gate-min-above-max", REALTIME,
         gates(prometheus=[{"name": "checkouts", "query": "sum(up)", "min": 2, "max": 1}]),
         "spec.rollout.analysis.prometheus[0].min",
         "spec.rollout.analysis.prometheus[].min must be <= spec.rollout.analysis.prometheus[].max"),
    case("prometheus-url-not-http", REALTIME,
         gates(prometheus=[{"name": "checkouts", "query": "sum(up)", "max": 1, "url": "prometheus:9090"}]),
         "spec.rollout.analysis.prometheus[0].url"),
    case("inconclusive-after-too-short", REALTIME, gates(inconclusiveAfter="30s"),
         "spec.rollout.analysis.inconclusiveAfter", INCONCLUSIVE_BOUNDS),
    case("inconclusive-after-too-long", REALTIME, gates(inconclusiveAfter="169h"),
         "spec.rollout.analysis.inconclusiveAfter", INCONCLUSIVE_BOUNDS),
    case("inconclusive-after-in-days", REALTIME, gates(inconclusiveAfter="2d"),
         "spec.rollout.analysis.inconclusiveAfter"),
    case("custom-metric-without-target", REALTIME,
         {"autoscaling": {"metric": "Custom", "customMetric": {"namespace": "App", "metricName": "QueueDepth"}}},
         "spec.autoscaling.target", "spec.autoscaling.target is required when spec.autoscaling.metric is Custom"),
    # regex: RE2's \d and \s are ASCII; pydantic's engine would read them as Unicode
    case("region-arabic-indic-digit", REALTIME, {"region": "us-east-\u0661"}, "spec.region"),
    case("role-arn-fullwidth-digits", REALTIME,
         {"executionRoleArn": "arn:aws:iam::\uff11\uff11\uff11\uff11\uff12\uff12\uff12\uff12\uff13\uff13\uff13\uff13:role/x"},
         "spec.executionRoleArn"),
    case("cron-no-break-space", REALTIME,
         {"autoscaling": {"schedules": [{"name": "night", "cron": "0\u00a022 * * *", "min": 1}]}},
         "spec.autoscaling.schedules[0].cron"),
    case("region-trailing-newline", REALTIME, {"region": "us-east-1\n"}, "spec.region"),
    # types: no coercion, as the API server makes none
    case("string-for-integer", REALTIME, {"instances": {"max": "2"}}, "spec.instances.max"),
    case("boolean-for-integer", REALTIME, {"instances": {"max": True}}, "spec.instances.max"),
    case("integer-for-boolean", REALTIME, {"traffic": {"gpu": 0}}, "spec.traffic.gpu"),
    case("string-for-boolean", REALTIME, {"multiModel": {"modelCache": "false"}, "mode": "MultiModel"},
         "spec.multiModel.modelCache"),
    case("fraction-for-integer", REALTIME, {"instances": {"max": 2.5}}, "spec.instances.max"),
    case("integer-for-string", REALTIME, {"models": [{**MODEL, "image": 7}]}, "spec.models[0].image"),
    case("boolean-for-number", REALTIME, {"autoscaling": {"target": True}}, "spec.autoscaling.target"),
    case("string-for-number", REALTIME, {"autoscaling": {"target": "5"}}, "spec.autoscaling.target"),
    case("boolean-env-value", REALTIME, {"models": [{**MODEL, "environment": {"DEBUG": True}}]},
         "spec.models[0].environment.DEBUG"),
    # names: the wire's camelCase only; snake_case attribute names are unknown fields
    case("snake-case-endpoint-name", REALTIME, {"endpoint_name": "fraud-scoring"}, "spec.endpoint_name"),
    case("snake-case-async", ASYNC, {"async_": {"outputPath": "s3://example-models/out/"}}, "spec.async_"),
    case("snake-case-nested", REALTIME, {"instances": {"type": "ml.m5.large", "max_": 2}}, "spec.instances.max_"),
    case("snake-case-model-field", REALTIME,
         {"models": [{"name": "m", "model_data_url": "s3://example-models/m/model.tar.gz"}]},
         "spec.models[0].model_data_url"),
    # numbers: int64 and finite, as the API server parses them
    case("integer-beyond-int64", REALTIME, {"traffic": {"p99LatencyTargetMs": 2**63}},
         "spec.traffic.p99LatencyTargetMs"),
    case("integer-beyond-its-bound", REALTIME, {"traffic": {"p99LatencyTargetMs": 2**53}},
         "spec.traffic.p99LatencyTargetMs"),
    case("integer-far-beyond-int64", REALTIME, {"models": [{**MODEL, "invocationsPerDay": 10**30}]},
         "spec.models[0].invocationsPerDay"),
    case("number-beyond-float64", REALTIME, {"autoscaling": {"target": 10**400}}, "spec.autoscaling.target"),
    # null: pruned where the API server prunes it, so a required field is then missing
    case("null-required-field", REALTIME, {"region": None}, "spec.region"),
    case("null-list-item", REALTIME, {"rollout": {"steps": [{"weight": 100}], "analysis": {"alarms": [None]}}},
         "spec.rollout.analysis.alarms[0]"),
    case("null-model", REALTIME, {"models": [None]}, "spec.models[0]"),
    # bounds that keep the largest object inside etcd's request limit
    case("too-many-models", REALTIME, {"mode": "MultiModel", "models": [
        {**MODEL, "name": f"m{i}"} for i in range(101)]}, "spec.models"),
    case("environment-key-too-long", REALTIME, {"models": [{**MODEL, "environment": {"K" * 129: "v"}}]},
         "spec.models[0].environment"),
    case("environment-value-too-long", REALTIME, {"models": [{**MODEL, "environment": {"K": "v" * 257}}]},
         "spec.models[0].environment.K"),
    case("too-many-environment-variables", REALTIME,
         {"models": [{**MODEL, "environment": {f"K{i}": "v" for i in range(17)}}]}, "spec.models[0].environment"),
    case("tag-key-too-long", REALTIME, {"tags": {"k" * 129: "v"}}, "spec.tags"),
    case("percentile-too-long", REALTIME,
         {"rollout": {"steps": [{"weight": 100}], "analysis": {"metrics": [{"name": "ModelLatency", "statistic": "p99." + "9" * 20}]}}},
         "spec.rollout.analysis.metrics[0].statistic"),
]
BAD_SPECS += [
    case("components-without-instances", COMPONENTS, {"instances": DELETE}, "spec.instances",
         "spec.instances is required when spec.mode is InferenceComponents: its type and min/max are the endpoint's "
         "managed instance scaling"),
    case("component-missing", COMPONENTS, {"models": [{**MODEL, "component": COMPONENT}, {**MODEL, "name": "m2"}]},
         "spec.models", "spec.models[].component is required for every model when spec.mode is InferenceComponents"),
    case("component-on-multimodel", COMPONENTS, {"mode": "MultiModel", "instances": {"type": "ml.c5.xlarge", "min": 1},
                                                 "image": REALTIME["image"]},
         "spec.models", "spec.models[].component is allowed only when spec.mode is InferenceComponents or Auto"),
    case("copies-min-above-max", COMPONENTS, {"models": [{**MODEL, "component": {**COMPONENT, "copies": {"min": 2}}}]},
         "spec.models[0].component.copies.min",
         "spec.models[].component.copies.min must be <= spec.models[].component.copies.max"),
    case("sleeping-component-without-autoscaling", COMPONENTS, {"autoscaling": {"enabled": False}},
         "spec.autoscaling.enabled",
         "spec.autoscaling.enabled must not be false when a component may sleep (spec.models[].component.copies.min 0):"
         " Application Auto Scaling wakes it"),
    case("schedules-on-components", COMPONENTS, {"autoscaling": {"schedules": [{"name": "night", "cron": "0 22 * * *", "min": 1}]}},
         "spec.autoscaling.schedules",
         "spec.autoscaling.schedules is not allowed when spec.mode is InferenceComponents: managed instance scaling"
         " sizes the instances, each component's autoscaling its copies"),
    case("component-memory-below-aws-minimum", COMPONENTS, {"models": [{**MODEL, "component": {"memoryMB": 64}}]},
         "spec.models[0].component.memoryMB"),
    case("component-cpu-below-aws-minimum", COMPONENTS, {"models": [{**MODEL, "component": {**COMPONENT, "cpuCores": 0.1}}]},
         "spec.models[0].component.cpuCores"),
]
BAD_SPECS += aws_refusals(case, REALTIME, ASYNC, MODEL)  # what AWS's own constraints refuse
BAD_SPECS += production_bad_cases(case, REALTIME, SERVERLESS, MODEL)  # network, encryption, capture, provisioning
# adoption and replacement (api/adoption.py)
BAD_SPECS += [
    case("adopt-without-endpoint-name", REALTIME, {"adopt": {}}, "spec.adopt", ADOPTION_RULES[0].message),
    case("replaces-itself", REALTIME, {"endpointName": "old-one", "replaces": {"endpoints": ["old-one"]}},
         "spec.replaces", ADOPTION_RULES[1].message),
    case("replaces-idle-too-short", REALTIME, {"replaces": {"endpoints": ["old-one"], "idleFor": "30s"}},
         "spec.replaces.idleFor", ReplacesSpec.rules[0].message),
    case("replaces-a-name-twice", REALTIME, {"replaces": {"endpoints": ["old-one", "old-one"]}},
         "spec.replaces.endpoints", ReplacesSpec.rules[1].message),
    case("replaces-nothing", REALTIME, {"replaces": {"endpoints": []}}, "spec.replaces.endpoints"),
    case("replaces-a-bad-name", REALTIME, {"replaces": {"endpoints": ["old_one"]}}, "spec.replaces.endpoints[0]"),
]

# Not parseable by the API server at all (the request is refused before any field is
# judged): the Python side refuses them naming the field.
UNPARSEABLE_SPECS = [
    case("number-infinite", REALTIME, {"autoscaling": {"target": float("inf")}}, "spec.autoscaling.target"),
    case("number-nan", REALTIME, {"traffic": {"maxPayloadMB": float("nan")}}, "spec.traffic.maxPayloadMB"),
]

@dataclass(frozen=True)
class MetadataCase:
    id: str
    name: str
    namespace: str | None
    field: str


# `plan` checks a manifest's name and namespace as the API server does (the cluster test
# applies each); a name with dots is a valid subdomain.
BAD_METADATA = [
    MetadataCase("upper-case-name", "Fraud", None, "metadata.name"),
    MetadataCase("underscore-name", "fraud_scoring", None, "metadata.name"),
    MetadataCase("name-ending-in-dash", "fraud-", None, "metadata.name"),
    MetadataCase("name-too-long", "a" * 254, None, "metadata.name"),
    MetadataCase("non-ascii-name", "fr\u00e4ud", None, "metadata.name"),
    MetadataCase("dotted-namespace", "fraud", "ml.team", "metadata.namespace"),
    MetadataCase("upper-case-namespace", "fraud", "ML", "metadata.namespace"),
    MetadataCase("namespace-too-long", "fraud", "n" * 64, "metadata.namespace"),
]
GOOD_METADATA = [("fraud.scoring.v2", "ml"), ("a" * 253, None), ("0fraud", "n" * 63)]

GOOD_SPECS = [
    pytest.param(changed(REALTIME, {"endpointName": "legacy-recs", "adopt": {"collectPrevious": True},
                                    "replaces": {"endpoints": ["legacy-a", "legacy-b"], "idleFor": "2h"}}),
                 id="adopts-one-endpoint-and-replaces-two"),
    pytest.param(changed(GPU_MULTI_MODEL, {"image": TRITON, "multiModel": {"server": "Triton"}}), id="gpu-multi-model-on-triton"),
    pytest.param(changed(GPU_MULTI_MODEL, {"image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
                                           "instances": {"type": "ml.c5.xlarge"}}), id="cpu-multi-model-on-the-default-server"),
    pytest.param(changed(GPU_MULTI_MODEL, {"mode": "RealTime", "models": [MODEL]}), id="gpu-real-time-needs-no-triton"),
    pytest.param(changed(GPU_MULTI_MODEL, {"mode": "Auto", "models": [MODEL]}), id="gpu-auto-one-model-needs-no-triton"),
    pytest.param(changed(REALTIME, {}), id="realtime-example"),
    pytest.param(COMPONENTS, id="inference-components-pinned-and-sleeping"),
    pytest.param(changed(COMPONENTS, {"mode": "Auto", "instances": {"min": 1}}), id="auto-with-components"),
    pytest.param(changed(SERVERLESS, {"traffic": {"maxPayloadMB": 4, "maxProcessingSeconds": 60, "gpu": False},
                                      "serverless": {"maxConcurrency": 50, "provisionedConcurrency": 50}}),
                 id="serverless-at-its-limits"),
    pytest.param(changed(ASYNC, {"instances": {"min": 0, "max": 3}, "async": {"scaleToZero": True},
                                 "traffic": {"maxPayloadMB": 500, "maxProcessingSeconds": 900}}),
                 id="async-scale-to-zero"),
    pytest.param({"region": "eu-west-1", "executionRoleArn": REALTIME["executionRoleArn"],
                  "models": [{**MODEL, "image": "registry.example.com/serve:1"}]}, id="auto-minimal"),
    pytest.param(changed(REALTIME, {"mode": "Auto", "instances": DELETE,
                                    "serverless": {"memorySizeMB": 6144},
                                    "async": {"outputPath": "s3://example-models/out/"},
                                    "multiModel": {"modelCache": True}}), id="auto-with-every-mode's-settings"),
    pytest.param(changed(REALTIME, {"autoscaling": {"metric": "Custom", "target": 10, "customMetric": {
        "namespace": "App", "metricName": "QueueDepth"},
        "schedules": [{"name": "night", "cron": "0 22 * * 1-5", "min": 1, "max": 2}]}}), id="custom-metric"),
    pytest.param(changed(REALTIME, {"rollout": {"steps": [{"weight": 100}]}}), id="rollout-one-step"),
    pytest.param(changed(ASYNC, {"rollout": {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}]}}),
                 id="rollout-on-async"),
    pytest.param(changed(ASYNC, gates({"name": "InvocationFailures", "statistic": "Sum", "maxRatioToPrimary": 2},
                                      {"name": "TimeInBacklog", "statistic": "p99", "max": "30s"},
                                      {"name": "Invocation5XXErrors", "max": "2%"})),
                 id="rollout-on-async-gated-on-what-it-publishes"),
    pytest.param(changed(ASYNC, {"mode": "Auto", "instances": {"min": 0, "max": 2}, "async": {"scaleToZero": True},
                                 "traffic": {"pattern": "Scheduled"}}), id="auto-scale-to-zero"),
    pytest.param(changed(REALTIME, {"rollout": {"steps": [{"weight": 15, "pause": "30d"}, {"weight": 100}],
                                                "analysis": {"alarms": ["a"], "interval": "10s"}}}),
                 id="rollout-at-its-bounds"),
    pytest.param(changed(REALTIME, {"rollout": {"steps": [{"weight": 15, "pause": "29d23h59m59s"}, {"weight": 100}],
                                                "analysis": {"alarms": ["a"], "interval": "1h"}}}),
                 id="rollout-compound-durations"),
    pytest.param(changed(REALTIME, {"autoscaling": {"schedules": [
        {"name": "second-tuesday", "cron": "0 9 * * 2#2", "timeZone": "America/New_York", "min": 2},
        {"name": "weekdays", "cron": "*/15 8-18 * * mon-fri", "timeZone": "Etc/GMT+9", "min": 1},
        {"name": "mid-month", "cron": "30 6 1,15 jan-mar ?", "min": 1}]}}), id="cron-and-zones"),
    pytest.param(changed(REALTIME, {"rollout": {"steps": [{"weight": 1, "pause": "1h30m"}, {"weight": 100}]}}),
                 id="rollout-from-one-percent"),
    pytest.param(changed(REALTIME, {"traffic": DELETE, "image": None, "models": [{**MODEL, "image": "img:1"}]}),
                 id="null-means-absent"),
    pytest.param(changed(REALTIME, {"rollout": {"steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}], "analysis": {
        "inconclusiveAfter": "2h30m", "metrics": [
            {"name": "ModelLatency", "statistic": "p99", "max": "1100ms"},
            {"name": "OverheadLatency", "max": "0.05s", "maxRatioToPrimary": 2},
            {"name": "ModelLatency", "statistic": "SampleCount", "max": 100000},
            {"name": "Invocation5XXErrors", "max": "2%", "maxRatioToPrimary": 1.5},
            {"name": "Invocation4XXErrors", "max": "0.1"},
            {"name": "Invocation5XXErrors", "statistic": "Sum", "max": 50, "maxRatioToPrimary": 1.5},
            {"name": "CPUUtilization", "statistic": "Maximum", "max": 90}]}}}), id="gates-with-units"),
    pytest.param(changed(REALTIME, {"mode": None, "deletionPolicy": None, "instances": {"min": None, "max": None},
                                    "autoscaling": {"target": None, "schedules": None}}),
                 id="null-field-with-a-default"),
    pytest.param(changed(REALTIME, {"models": [{**MODEL, "environment": {"A": None, "B": "b"}}], "tags": {"team": None}}),
                 id="null-map-value"),
    pytest.param(changed(REALTIME, {"replicas": None}), id="unknown-field-null-is-left-out"),
    pytest.param(changed(REALTIME, {"instances": {"max": 2.0}, "autoscaling": {"target": 5, "scaleInCooldownSeconds": 600.0}}),
                 id="integral-float-is-an-integer"),
    pytest.param(changed(REALTIME, {"traffic": {"p99LatencyTargetMs": 2**53 - 1},
                                    "models": [{**MODEL, "invocationsPerDay": 2**53 - 1}]}), id="integers-at-their-limit"),
    pytest.param(changed(REALTIME, {"autoscaling": {"target": 2**70}}), id="large-integer-for-number"),
    # (all of them at once: tests/cluster/test_object_size.py, with server-side apply)
    pytest.param(changed(REALTIME, {"mode": "MultiModel", "models": [
        {**MODEL, "name": f"m{i:03}".ljust(40, "x"),
         "environment": {f"K{j}".ljust(128, "K"): "v" * 256 for j in range(16 if i == 0 else 0)}}
        for i in range(100)]}), id="models-and-environment-at-their-limits"),
]
GOOD_SPECS += [
    # Canary steps on a multi-model endpoint: primary on the old artifact folder, canary on the new.
    pytest.param(changed(GPU_MULTI_MODEL, {"image": TRITON, "multiModel": {"server": "Triton"},
                                           "rollout": {"steps": [{"weight": 50}, {"weight": 100}],
                                                       "analysis": {"metrics": [{"name": "ModelLoadingWaitTime", "max": "2s"}]}}}),
                 id="rollout-on-multi-model"),
]
GOOD_SPECS += [pytest.param(spec, id=id) for id, spec in production_good_specs(changed, REALTIME, MODEL)]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_parse(example: Path):
    manifest = yaml.safe_load(example.read_text())
    assert manifest["apiVersion"] == "serving.endpoint-operator.io/v1alpha1"
    assert manifest["kind"] == "ModelEndpoint"
    validate_spec(manifest["spec"])


@pytest.mark.parametrize("spec", GOOD_SPECS)
def test_good_spec_is_accepted(spec):
    assert isinstance(validate_spec(spec), ModelEndpointSpec)


@pytest.mark.parametrize("bad", BAD_SPECS + UNPARSEABLE_SPECS, ids=lambda c: c.id)
def test_bad_spec_is_refused_naming_the_field(bad: Case):
    with pytest.raises(InvalidSpec) as refused:
        validate_spec(bad.spec)
    errors = refused.value.errors
    assert bad.field in [e.field for e in errors], f"no error names {bad.field}: {errors}"
    if bad.message:
        assert any(bad.message in e.message for e in errors), errors
    if bad.not_also:
        assert bad.not_also not in [e.field for e in errors], errors


def test_bad_cases_cover_every_rule():
    """Each rule has a case, so the cluster test proves its CEL twin says the same."""
    messages = {c.message for c in BAD_SPECS}
    assert "Duplicate value" in messages  # the list keyed by model name
    models = SpecModel.__subclasses__()
    assert ModelEndpointSpec in models and len(models) > 10
    for model in models:
        for rule in model.rules:
            if not rule.transition:
                assert rule.message in messages, f"{model.__name__}: no bad case for {rule.message!r}"


def test_defaults_are_applied_by_parsing():
    spec = validate_spec({**REALTIME, "instances": {"type": "ml.m5.large"}, "autoscaling": {}})
    assert spec.mode is Mode.REAL_TIME
    assert (spec.instances.min, spec.instances.max) == (1, 1)
    assert spec.autoscaling.metric is None  # the mode picks it: see plan.scaling.tracked_metric
    assert spec.deletion_policy.value == "Delete"


def test_wire_names_round_trip():
    spec = validate_spec(changed(SERVERLESS, {"traffic": {"maxPayloadMB": 2}}))
    wire = spec.to_wire()
    assert wire["traffic"]["maxPayloadMB"] == 2
    assert wire["serverless"]["memorySizeMB"] == 2048
    assert validate_spec(wire) == spec


def test_errors_are_all_reported_with_paths():
    spec = changed(REALTIME, {"mode": "Serverless", "models": [MODEL, {**MODEL, "name": "second"}], "image": DELETE})
    with pytest.raises(InvalidSpec) as refused:
        validate_spec(spec)
    text = str(refused.value)
    for message in ("spec.models must hold exactly one model when spec.mode is Serverless",
                    "spec.models[].image or spec.image is required for every model",
                    "spec.instances is not allowed when spec.mode is Serverless"):
        assert message in text


@pytest.mark.parametrize("change, field", [
    ({"region": "us-west-2"}, "spec.region"),
    ({"endpointName": "fraud-scoring-v2"}, "spec.endpointName"),
    ({"roleArn": "arn:aws:iam::222233334444:role/endpoint-operator-target"}, "spec.roleArn"),
])
def test_update_of_an_immutable_field_is_refused(change, field):
    old = validate_spec(REALTIME)
    new = validate_spec(changed(REALTIME, change))
    errors = validate_update(old, new)
    assert [e.field for e in errors] == [field]
    assert errors[0].message.startswith(f"{field} is immutable")


def test_update_of_other_fields_is_allowed():
    old = validate_spec(REALTIME)
    new = validate_spec(changed(REALTIME, {"instances": {"max": 10}, "models": [MODEL]}))
    assert validate_update(old, new) == []


def test_manifests_are_parsed_only_through_validate_spec():
    """Strictness, wire names and nulls live in validate_spec: a direct model_validate of
    a manifest's spec in the operator's code would take what the API server refuses."""
    package = REPO / "operator" / "endpoint_operator"
    offenders = [str(p.relative_to(REPO)) for p in package.rglob("*.py")
                 if "ModelEndpointSpec.model_validate" in p.read_text()]
    assert offenders == []


def test_snake_case_names_do_not_act():
    """Before, `endpoint_name:` in a manifest named the SageMaker endpoint offline."""
    with pytest.raises(InvalidSpec) as refused:
        validate_spec(changed(REALTIME, {"endpoint_name": "other-endpoint"}))
    assert [e.field for e in refused.value.errors] == ["spec.endpoint_name"]
