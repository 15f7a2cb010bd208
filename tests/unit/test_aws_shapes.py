"""Every spec field that reaches an AWS call is at least as strict in the CRD as AWS's
own service model (botocore's service-2.json), so what AWS would refuse is refused
at `kubectl apply` instead.

`AWS_BOUND` maps each such field to the request members it becomes; `NOT_SENT` names
the rest, with why; a new field must land in one or the other. For each target:
lengths, enums and numeric ranges are compared, and patterns are probed: strings
made from a valid sample (every printable ASCII character, whitespace, control and
non-ASCII characters inserted, prepended, appended; the empty string; padding to the
lengths that matter). Whatever probe the CRD's schema accepts, AWS's pattern,
lengths and enum must accept too, after the operator's composition (a schedule's
name becomes `<endpoint>-<variant>-<name>`).

The CRD's patterns are RE2 (Go's regexp on the API server) and are judged here
with the `regex` module, searched as the API server does; AWS's are Java patterns,
read as the emulator reads them (sandbox/emulator/shapes.py) and matched whole, as AWS
matches them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import regex
from botocore.loaders import Loader

from endpoint_operator.api.crd import build_crd, key_rule, openapi_schema
from endpoint_operator.api.spec import ModelEndpointSpec
from endpoint_operator.sandbox.emulator.shapes import java_regex

ROLE = "arn:aws:iam::111122223333:role/sagemaker-exec"
IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3"
LONGEST_ENDPOINT = "e" * 63


@dataclass(frozen=True)
class To:
    """One AWS request member a spec field becomes. `shape` is a structure (or a
    map, with member "key" or "value"); `compose` is what the operator sends for a
    spec value; `sample` a value both sides accept, the seed of the probes."""

    service: str
    shape: str
    member: str
    sample: str = "ok"
    compose: Callable[[Any], Any] = lambda value: value


def same(*targets: To) -> list[To]:
    return list(targets)


CW_NAME = To("cloudwatch", "Metric", "MetricName", "ModelLatency")

AWS_BOUND: dict[str, list[To]] = {
    "spec.executionRoleArn": [To("sagemaker", "CreateModelInput", "ExecutionRoleArn", ROLE),
                              # InferenceComponents: the config's role runs the components' containers.
                              To("sagemaker", "CreateEndpointConfigInput", "ExecutionRoleArn", ROLE)],
    "spec.roleArn": [To("sts", "AssumeRoleRequest", "RoleArn", ROLE)],
    "spec.image": [To("sagemaker", "ContainerDefinition", "Image", IMAGE)],
    "spec.endpointName": [To("sagemaker", "CreateEndpointInput", "EndpointName", "fraud-scoring"),
                          To("sagemaker", "CreateEndpointConfigInput", "EndpointConfigName", "fraud-scoring",
                             lambda name: f"{name[:40]}-c-0123456789")],
    "spec.models[].name": [To("s3", "CopyObjectRequest", "Key", "recsys",
                              lambda name: f"endpoint-operator/ns/name/{name}.tar.gz")],
    "spec.models[].modelDataUrl": [
        To("sagemaker", "ContainerDefinition", "ModelDataUrl", "s3://models/recsys/model.tar.gz"),
        # MultiModel: the artifact is copied; CopySource is "<bucket>/<key>".
        To("s3", "CopyObjectRequest", "CopySource", "s3://models/recsys/model.tar.gz", lambda url: url[len("s3://"):]),
    ],
    "spec.models[].image": [To("sagemaker", "ContainerDefinition", "Image", IMAGE)],
    "spec.models[].environment{key}": [To("sagemaker", "EnvironmentMap", "key", "MODEL_SERVER_WORKERS")],
    "spec.models[].environment{}": [To("sagemaker", "EnvironmentMap", "value", "4")],
    "spec.models[].component.memoryMB": [
        To("sagemaker", "InferenceComponentComputeResourceRequirements", "MinMemoryRequiredInMb", 4096)],
    "spec.models[].component.cpuCores": [
        To("sagemaker", "InferenceComponentComputeResourceRequirements", "NumberOfCpuCoresRequired", 1.0)],
    "spec.models[].component.accelerators": [
        To("sagemaker", "InferenceComponentComputeResourceRequirements", "NumberOfAcceleratorDevicesRequired", 1)],
    "spec.models[].component.copies.min": [
        To("sagemaker", "InferenceComponentRuntimeConfig", "CopyCount", 1),
        To("application-autoscaling", "RegisterScalableTargetRequest", "MinCapacity")],
    "spec.models[].component.copies.max": [To("application-autoscaling", "RegisterScalableTargetRequest", "MaxCapacity")],
    "spec.models[].component.targetConcurrency": [
        To("application-autoscaling", "TargetTrackingScalingPolicyConfiguration", "TargetValue")],
    "spec.instances.type": [To("sagemaker", "ProductionVariant", "InstanceType", "ml.m5.large")],
    "spec.instances.min": [To("sagemaker", "ProductionVariant", "InitialInstanceCount", compose=lambda n: max(n, 1)),
                           To("application-autoscaling", "RegisterScalableTargetRequest", "MinCapacity")],
    "spec.instances.max": [To("application-autoscaling", "RegisterScalableTargetRequest", "MaxCapacity")],
    "spec.autoscaling.target": [To("application-autoscaling", "TargetTrackingScalingPolicyConfiguration", "TargetValue")],
    "spec.autoscaling.scaleOutCooldownSeconds": [
        To("application-autoscaling", "TargetTrackingScalingPolicyConfiguration", "ScaleOutCooldown")],
    "spec.autoscaling.scaleInCooldownSeconds": [
        To("application-autoscaling", "TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown")],
    # A customized metric is CloudWatch's: Application Auto Scaling reads it from there.
    "spec.autoscaling.customMetric.namespace": [
        To("application-autoscaling", "CustomizedMetricSpecification", "Namespace", "App"),
        To("cloudwatch", "Metric", "Namespace", "App")],
    "spec.autoscaling.customMetric.metricName": [
        To("application-autoscaling", "CustomizedMetricSpecification", "MetricName", "QueueDepth"),
        To("cloudwatch", "Metric", "MetricName", "QueueDepth")],
    "spec.autoscaling.customMetric.statistic": [
        To("application-autoscaling", "CustomizedMetricSpecification", "Statistic", "Average")],
    "spec.autoscaling.customMetric.dimensions{key}": [
        To("application-autoscaling", "MetricDimension", "Name", "Queue"), To("cloudwatch", "Dimension", "Name", "Queue")],
    "spec.autoscaling.customMetric.dimensions{}": [
        To("application-autoscaling", "MetricDimension", "Value", "jobs"), To("cloudwatch", "Dimension", "Value", "jobs")],
    "spec.autoscaling.schedules[].name": [
        To("application-autoscaling", "PutScheduledActionRequest", "ScheduledActionName", "night",
           lambda name: f"{LONGEST_ENDPOINT}-primary-{name}")],
    "spec.autoscaling.schedules[].cron": [
        To("application-autoscaling", "PutScheduledActionRequest", "Schedule", "0 22 * * *",
           lambda cron: f"cron({' '.join(cron.split())} *)")],  # plan.scaling.aws_cron: fields re-joined
    "spec.autoscaling.schedules[].timeZone": [
        To("application-autoscaling", "PutScheduledActionRequest", "Timezone", "Europe/Berlin")],
    "spec.autoscaling.schedules[].min": [To("application-autoscaling", "ScalableTargetAction", "MinCapacity")],
    "spec.autoscaling.schedules[].max": [To("application-autoscaling", "ScalableTargetAction", "MaxCapacity")],
    "spec.serverless.memorySizeMB": [To("sagemaker", "ProductionVariantServerlessConfig", "MemorySizeInMB")],
    "spec.serverless.maxConcurrency": [To("sagemaker", "ProductionVariantServerlessConfig", "MaxConcurrency")],
    "spec.serverless.provisionedConcurrency": [
        To("sagemaker", "ProductionVariantServerlessConfig", "ProvisionedConcurrency")],
    "spec.async.outputPath": [To("sagemaker", "AsyncInferenceOutputConfig", "S3OutputPath", "s3://out/results/")],
    "spec.async.failurePath": [To("sagemaker", "AsyncInferenceOutputConfig", "S3FailurePath", "s3://out/failed/")],
    "spec.async.successTopicArn": [To("sagemaker", "AsyncInferenceNotificationConfig", "SuccessTopic",
                                      "arn:aws:sns:us-east-1:111122223333:done")],
    "spec.async.errorTopicArn": [To("sagemaker", "AsyncInferenceNotificationConfig", "ErrorTopic",
                                    "arn:aws:sns:us-east-1:111122223333:failed")],
    "spec.async.kmsKeyId": [To("sagemaker", "AsyncInferenceOutputConfig", "KmsKeyId", "alias/results")],
    "spec.async.maxConcurrentInvocationsPerInstance": [
        To("sagemaker", "AsyncInferenceClientConfig", "MaxConcurrentInvocationsPerInstance")],
    "spec.multiModel.artifactPrefix": [To("sagemaker", "ContainerDefinition", "ModelDataUrl", "s3://models/mme/")],
    "spec.network.subnets[]": [To("sagemaker", "VpcConfig", "Subnets", "subnet-0a1b2c3d")],
    "spec.network.securityGroupIds[]": [To("sagemaker", "VpcConfig", "SecurityGroupIds", "sg-0a1b2c3d")],
    "spec.encryption.volumeKmsKeyId": [To("sagemaker", "CreateEndpointConfigInput", "KmsKeyId", "alias/volumes")],
    "spec.encryption.artifactKmsKeyId": [To("s3", "CopyObjectRequest", "SSEKMSKeyId", "alias/models"),
                                         To("s3", "PutObjectRequest", "SSEKMSKeyId", "alias/models")],
    "spec.dataCapture.samplingPercentage": [To("sagemaker", "DataCaptureConfig", "InitialSamplingPercentage")],
    "spec.dataCapture.destination": [To("sagemaker", "DataCaptureConfig", "DestinationS3Uri", "s3://capture/recsys/")],
    "spec.dataCapture.kmsKeyId": [To("sagemaker", "DataCaptureConfig", "KmsKeyId", "alias/capture")],
    "spec.dataCapture.csvContentTypes[]": [To("sagemaker", "CaptureContentTypeHeader", "CsvContentTypes", "text/csv")],
    "spec.dataCapture.jsonContentTypes[]": [To("sagemaker", "CaptureContentTypeHeader", "JsonContentTypes",
                                               "application/json")],
    "spec.provisioning.volumeSizeGB": [To("sagemaker", "ProductionVariant", "VolumeSizeInGB")],
    "spec.provisioning.modelDataDownloadTimeoutSeconds": [
        To("sagemaker", "ProductionVariant", "ModelDataDownloadTimeoutInSeconds")],
    "spec.provisioning.containerStartupHealthCheckTimeoutSeconds": [
        To("sagemaker", "ProductionVariant", "ContainerStartupHealthCheckTimeoutInSeconds")],
    "spec.provisioning.inferenceAmiVersion": [To("sagemaker", "ProductionVariant", "InferenceAmiVersion",
                                                 "al2-ami-sagemaker-inference-gpu-2")],
    "spec.rollout.steps[].weight": [To("sagemaker", "DesiredWeightAndCapacity", "DesiredWeight")],
    "spec.rollout.shadow.samplingPercent": [To("sagemaker", "ProductionVariant", "InitialVariantWeight")],
    "spec.deployment.canaryPercent": [To("sagemaker", "CapacitySize", "Value")],
    "spec.deployment.linearPercent": [To("sagemaker", "CapacitySize", "Value")],
    "spec.deployment.batchPercent": [To("sagemaker", "CapacitySize", "Value")],
    "spec.deployment.waitSeconds": [To("sagemaker", "TrafficRoutingConfig", "WaitIntervalInSeconds"),
                                    To("sagemaker", "RollingUpdatePolicy", "WaitIntervalInSeconds")],
    "spec.deployment.terminationWaitSeconds": [To("sagemaker", "BlueGreenUpdatePolicy", "TerminationWaitInSeconds")],
    "spec.deployment.alarms[]": [To("sagemaker", "Alarm", "AlarmName", "recsys-5xx")],
    "spec.rollout.analysis.alarms[]": [To("cloudwatch", "DescribeAlarmsInput", "AlarmNames", "recsys-5xx")],
    "spec.rollout.analysis.metrics[].name": [CW_NAME],
    "spec.rollout.analysis.metrics[].statistic": [To("cloudwatch", "MetricStat", "Stat", "p99")],
    "spec.replaces.endpoints[]": [To("sagemaker", "DeleteEndpointInput", "EndpointName", "legacy-recs"),
                                  To("cloudwatch", "Dimension", "Value", "legacy-recs")],
    "spec.tags{key}": [To("sagemaker", "Tag", "Key", "team"), To("cloudwatch", "Tag", "Key", "team"),
                       To("application-autoscaling", "TagMap", "key", "team")],
    "spec.tags{}": [To("sagemaker", "Tag", "Value", "ml ops"), To("cloudwatch", "Tag", "Value", "ml ops"),
                    To("application-autoscaling", "TagMap", "value", "ml ops")],
}

NOT_SENT = {
    "spec.region": "picks the regional endpoint the client calls; never a parameter",
    "spec.mode": "the planner's choice of what to build",
    "spec.models[].invocationsPerDay": "a traffic hint for the planner",
    "spec.traffic.pattern": "a traffic hint for the planner",
    "spec.traffic.maxPayloadMB": "a traffic hint for the planner",
    "spec.traffic.maxProcessingSeconds": "a traffic hint for the planner",
    "spec.traffic.p99LatencyTargetMs": "a traffic hint for the planner",
    "spec.traffic.gpu": "a traffic hint for the planner",
    "spec.autoscaling.enabled": "whether the operator registers targets at all",
    "spec.autoscaling.metric": "an enum of ours, mapped to AWS's predefined metric types by the planner",
    "spec.async.scaleToZero": "chooses the scaling recipe",
    "spec.multiModel.modelCache": "a boolean, sent as ModelCacheSetting Enabled or Disabled",
    "spec.multiModel.server": "which model server the image runs; the planner judges it against the instance type",
    "spec.rollout.steps[].pause": "the operator's own clock",
    "spec.rollout.shadow.pause": "the operator's own clock",
    "spec.deployment.strategy": "chooses BlueGreenUpdatePolicy or RollingUpdatePolicy",
    "spec.deployment.trafficShifting": "chooses TrafficRoutingConfig.Type (an enum the operator maps)",
    "spec.rollout.analysis.interval": "the operator's own clock",
    "spec.rollout.analysis.inconclusiveAfter": "the operator's own clock",
    "spec.rollout.analysis.metrics[].max": "judged by the operator",
    "spec.rollout.analysis.metrics[].maxRatioToPrimary": "judged by the operator",
    "spec.rollout.analysis.prometheus[].name": "named in the operator's status and events",
    "spec.rollout.analysis.prometheus[].query": "sent to Prometheus, not to AWS",
    "spec.rollout.analysis.prometheus[].url": "the Prometheus server, not AWS",
    "spec.rollout.analysis.prometheus[].max": "judged by the operator",
    "spec.rollout.analysis.prometheus[].min": "judged by the operator",
    "spec.rollout.onFailure": "judged by the operator",
    "spec.deletionPolicy": "judged by the operator",
    "spec.network.isolation": "a boolean, sent as EnableNetworkIsolation",
    "spec.dataCapture.enabled": "a boolean, sent as EnableCapture",
    "spec.dataCapture.captureRequest": "a boolean, sent as CaptureOptions' CaptureMode Input",
    "spec.dataCapture.captureResponse": "a boolean, sent as CaptureOptions' CaptureMode Output",
    "spec.costControls.suspended": "judged by the operator",
    "spec.costControls.schedule.suspend": "the operator's own clock",
    "spec.costControls.schedule.resume": "the operator's own clock",
    "spec.costControls.schedule.timeZone": "the operator's own clock",
    "spec.costControls.idleAfter": "the operator's own clock",
    "spec.adopt.collectPrevious": "judged by the operator",
    "spec.replaces.idleFor": "the operator's own clock",
}

# ---- AWS's side -----------------------------------------------------------------------

@functools.cache
def service_model(service: str) -> dict[str, Any]:
    return Loader().load_service_model(service, "service-2")


def aws_shape(target: To) -> dict[str, Any]:
    """The member's shape with its constraints; a list member resolves to its items."""
    shapes = service_model(target.service)["shapes"]
    container = shapes[target.shape]
    if container["type"] == "map":
        name = container[target.member]["shape"]
    else:
        name = container["members"][target.member]["shape"]
    shape = shapes[name]
    if shape["type"] == "list":
        shape = shapes[shape["member"]["shape"]]
    return shape


# RE2's \d, \w and \s are ASCII (its \s lacks \x0B); written out for the `regex`
# module, whose own are Unicode.
_RE2_CLASSES = {"d": "0-9", "w": "a-zA-Z0-9_", "s": r" \t\n\f\r"}


def re2_regex(pattern: str) -> regex.Pattern:
    """A CRD (RE2) pattern for the `regex` module: ASCII classes, and `$` is the end
    of the text, never before a final newline."""
    out, depth, i = [], 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            letter = pattern[i + 1]
            body = _RE2_CLASSES.get(letter.lower())
            if body is None:
                out.append(pattern[i:i + 2])
            elif letter.isupper():
                out.append(f"[^{body}]")
            else:
                out.append(body if depth else f"[{body}]")
            i += 2
            continue
        if char == "[":
            depth += 1
        elif char == "]" and depth:
            depth -= 1
        elif char == "$" and not depth:
            char = r"\Z"
        out.append(char)
        i += 1
    return regex.compile("".join(out), regex.V1)


@functools.cache
def compiled(pattern: str, java: bool) -> regex.Pattern:
    # AWS's Java patterns are read as the emulator reads them when it judges requests.
    return java_regex(pattern) if java else re2_regex(pattern)


def aws_refusal(target: To, value: Any) -> str | None:
    """Why AWS refuses `value` for the member, or None."""
    shape = aws_shape(target)
    if shape["type"] in ("integer", "long", "float", "double"):
        if "min" in shape and value < shape["min"]:
            return f"below {shape['min']}"
        if "max" in shape and value > shape["max"]:
            return f"above {shape['max']}"
        return None
    if "enum" in shape and value not in shape["enum"]:
        return "not in the enum"
    if len(value) < shape.get("min", 0):
        return f"shorter than {shape['min']}"
    if "max" in shape and len(value) > shape["max"]:
        return f"longer than {shape['max']}"
    if "pattern" in shape and not compiled(shape["pattern"], java=True).fullmatch(value):
        return f"does not match {shape['pattern']}"
    return None


# ---- the CRD's side -------------------------------------------------------------------

@functools.cache
def spec_schema() -> dict[str, Any]:
    return build_crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]


def _keep_key_schemas(node: Any) -> Any:
    """pydantic's schema with each map's `propertyNames` kept aside as `x-keys`, which
    the CRD's conversion passes through untouched (in the CRD it became a CEL rule)."""
    if isinstance(node, dict):
        node = dict(node)
        if "patternProperties" in node:  # pydantic's map with a key pattern
            [(key_pattern, values)] = node.pop("patternProperties").items()
            node["additionalProperties"] = values
            node["propertyNames"] = {**node.get("propertyNames", {}), "pattern": key_pattern}
        return {("x-keys" if k == "propertyNames" else k): _keep_key_schemas(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_keep_key_schemas(v) for v in node]
    return node


@functools.cache
def key_schemas() -> dict[str, dict[str, Any]]:
    """spec path of each map (`spec.tags`) -> what pydantic says of its keys."""
    schema = openapi_schema(_keep_key_schemas(ModelEndpointSpec.model_json_schema(by_alias=True)), nullable=False)
    return {path.removesuffix("{key}"): node["x-keys"] for path, node in leaves(schema) if path.endswith("{key}")}


def leaves(node: dict[str, Any], path: str = "spec") -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, schema) of every value the user writes; a map yields `{key}` (its own
    node: a rule on it judges the keys) and `{}` (its values)."""
    if "properties" in node:
        for name, child in node["properties"].items():
            yield from leaves(child, f"{path}.{name}")
    elif node.get("type") == "array":
        yield from leaves(node["items"], f"{path}[]")
    elif isinstance(node.get("additionalProperties"), dict):
        yield f"{path}{{key}}", node
        yield from leaves(node["additionalProperties"], f"{path}{{}}")
    else:
        yield path, node


LEAVES = dict(leaves(spec_schema()))


def key_schema(path: str, node: dict[str, Any]) -> dict[str, Any] | None:
    """A map's key constraints, if the CRD carries the rule that enforces them."""
    keys = key_schemas().get(path.removesuffix("{key}"))
    if keys is None or key_rule(keys) not in node.get("x-kubernetes-validations", []):
        return None
    return {"type": "string", **keys}


def crd_accepts(path: str, node: dict[str, Any], value: str) -> bool:
    if path.endswith("{key}"):
        keys = key_schema(path, node)
        return keys is not None and crd_accepts(path.removesuffix("{key}"), keys, value)
    if "enum" in node:
        return value in node["enum"]
    if len(value) < node.get("minLength", 0) or len(value) > node.get("maxLength", len(value)):
        return False
    return "pattern" not in node or compiled(node["pattern"], java=False).search(value) is not None


EXTRA_CHARACTERS = [
    "\t", "\n", "\r", "\x0b", "\x0c", "\x00", "\x1f", "\x7f", "\x85", "\xa0", "\u2028", "\u2029", "\u3000",
    "\u200b", "é", "ß", "Ж", "中", "٣", "😀",
]
ALPHABET = [chr(code) for code in range(0x20, 0x7F)] + EXTRA_CHARACTERS


def probes(sample: str, lengths: list[int]) -> Iterator[str]:
    yield ""
    yield sample
    middle = len(sample) // 2
    for char in ALPHABET:
        yield char
        yield char + sample
        yield sample + char
        yield sample[:middle] + char + sample[middle:]
        yield sample[:middle] + char + sample[middle + 1:]
    for length in lengths:
        for size in (length - 1, length, length + 1):
            if size > len(sample):
                yield sample + "a" * (size - len(sample))


# ---- the walk -------------------------------------------------------------------------

def test_every_spec_field_is_mapped_to_aws_or_said_not_to_be_sent():
    fields = set(LEAVES)
    unknown = fields - set(AWS_BOUND) - set(NOT_SENT)
    assert not unknown, f"say which AWS member each becomes (AWS_BOUND) or why none (NOT_SENT): {sorted(unknown)}"
    assert not (set(AWS_BOUND) | set(NOT_SENT)) - fields, "the tables name fields the CRD does not have"
    assert not set(AWS_BOUND) & set(NOT_SENT)


CASES = [(path, target) for path, targets in AWS_BOUND.items() for target in targets]


@pytest.mark.parametrize("path, target", CASES,
                         ids=[f"{p}->{t.service}:{t.shape}.{t.member}" for p, t in CASES])
def test_field_is_at_least_as_strict_as_aws(path: str, target: To):
    node = LEAVES[path]
    shape = aws_shape(target)
    if shape["type"] in ("integer", "long", "float", "double"):
        assert node["type"] in ("integer", "number")
        if shape["type"] in ("integer", "long"):
            assert node["type"] == "integer", f"{path}: AWS takes an integer"
        if "min" in shape:
            assert "minimum" in node, f"{path}: AWS needs >= {shape['min']}, the CRD has no minimum"
            assert aws_refusal(target, target.compose(node["minimum"])) is None, f"{path}: minimum {node['minimum']}"
        if "max" in shape:
            assert "maximum" in node, f"{path}: AWS needs <= {shape['max']}, the CRD has no maximum"
            assert aws_refusal(target, target.compose(node["maximum"])) is None, f"{path}: maximum {node['maximum']}"
        return
    assert node["type"] == "string" or path.endswith("{key}")
    if path.endswith("{key}"):
        assert key_schema(path, node) is not None, f"{path}: no rule in the CRD judges the keys"
    assert crd_accepts(path, node, target.sample), f"{path}: the sample {target.sample!r} is refused by the CRD"
    if "enum" in node:  # the complete check
        looser = [v for v in node["enum"] if aws_refusal(target, target.compose(v))]
        assert not looser, f"{path}: the CRD allows what AWS refuses: {looser[:5]}"
        return
    bounds = key_schema(path, node) if path.endswith("{key}") else node
    lengths = [n for n in (bounds.get("maxLength"), shape.get("max"), shape.get("min")) if n]
    looser = []
    for probe in set(probes(target.sample, lengths)):
        if crd_accepts(path, node, probe):
            why = aws_refusal(target, target.compose(probe))
            if why:
                looser.append((probe[:80], why))
    assert not looser, f"{path}: the CRD accepts what AWS refuses ({len(looser)} probes), e.g. {looser[:3]}"


def test_crd_patterns_are_re2():
    """The API server compiles patterns with Go's regexp: no lookaround, no backreferences."""
    for path, node in LEAVES.items():
        pattern = node.get("pattern", "")
        for construct in ("(?=", "(?!", "(?<=", "(?<!", "\\1"):
            assert construct not in pattern, f"{path}: {construct} is not RE2"
