"""Values that pass no AWS call: each must be refused at `kubectl apply` and by
`validate_spec`, naming the same field. Part of BAD_SPECS (test_spec_validation.py),
which tests/cluster/test_crd_validation.py sends to a real API server.

Each case is a value the service model refuses (botocore's service-2.json; the shape
is named beside it); tests/unit/test_aws_shapes.py proves the general claim field by
field, these record the cases users met.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CUSTOM = {"metric": "Custom", "customMetric": {"namespace": "App", "metricName": "QueueDepth"}}


def _custom(**changes) -> dict:
    return {"autoscaling": {**CUSTOM, "customMetric": {**CUSTOM["customMetric"], **changes}}}


def _alarms(*names: str) -> dict:
    return {"rollout": {"steps": [{"weight": 100}], "analysis": {"alarms": list(names)}}}


def aws_refusals(case: Callable[..., Any], REALTIME: dict, ASYNC: dict, MODEL: dict) -> list:
    """The cases, built with test_spec_validation's `case` on its base specs."""

    def _model(**changes) -> dict:
        return {"models": [{**MODEL, **changes}]}

    return [
        # sagemaker ContainerDefinition.Image (ContainerImage): [\S]+, at most 255
        case("image-empty", REALTIME, {"image": ""}, "spec.image"),
        case("image-256-characters", REALTIME, {"image": "a" * 256}, "spec.image"),
        case("model-image-with-space", REALTIME, _model(image="registry.example.com/serve: 1"), "spec.models[0].image"),
        # sagemaker CreateModel.ExecutionRoleArn (RoleArn)
        case("role-arn-with-space", REALTIME, {"executionRoleArn": "arn:aws:iam::111122223333:role/sagemaker exec"},
             "spec.executionRoleArn"),
        # sagemaker ContainerDefinition.Environment (EnvironmentKey, EnvironmentValue)
        case("environment-key-outside-pattern", REALTIME, _model(environment={"MODEL-NAME": "x"}),
             "spec.models[0].environment"),
        case("environment-key-empty", REALTIME, _model(environment={"": "x"}), "spec.models[0].environment"),
        # sagemaker AsyncInferenceNotificationConfig.SuccessTopic / ErrorTopic (SnsTopicArn)
        case("sns-topic-not-an-arn", ASYNC, {"async": {"successTopicArn": "fraud-results"}}, "spec.async.successTopicArn"),
        case("sns-error-topic-of-another-service", ASYNC,
             {"async": {"errorTopicArn": "arn:aws:sqs:us-east-1:111122223333:errors"}}, "spec.async.errorTopicArn"),
        # sagemaker AsyncInferenceOutputConfig.KmsKeyId (KmsKeyId)
        case("kms-key-id-with-space", ASYNC, {"async": {"kmsKeyId": "alias/results key"}}, "spec.async.kmsKeyId"),
        # sagemaker AsyncInferenceOutputConfig.S3OutputPath (DestinationS3Uri): at most 512
        case("s3-output-path-513-characters", ASYNC, {"async": {"outputPath": "s3://example-models/" + "k" * 493}},
             "spec.async.outputPath"),
        # sagemaker Tag.Value (TagValue): [\p{L}\p{Z}\p{N}_.:/=+\-@]*
        case("tag-value-outside-aws-class", REALTIME, {"tags": {"team": "ml<ops>"}}, "spec.tags.team"),
        case("tag-key-outside-aws-class", REALTIME, {"tags": {"team#1": "ml"}}, "spec.tags"),
        case("tag-key-empty", REALTIME, {"tags": {"": "ml"}}, "spec.tags"),
        # cloudwatch DescribeAlarms.AlarmNames (AlarmName): 1-255
        case("alarm-name-empty", REALTIME, _alarms(""), "spec.rollout.analysis.alarms[0]"),
        case("alarm-name-256-characters", REALTIME, _alarms("ok", "a" * 256), "spec.rollout.analysis.alarms[1]"),
        # cloudwatch Metric.Namespace / MetricName, where Application Auto Scaling reads a customized metric
        case("custom-metric-namespace-empty", REALTIME, _custom(namespace=""), "spec.autoscaling.customMetric.namespace"),
        case("custom-metric-name-empty", REALTIME, _custom(metricName=""), "spec.autoscaling.customMetric.metricName"),
        case("custom-metric-dimension-value-empty", REALTIME, _custom(dimensions={"Queue": ""}),
             "spec.autoscaling.customMetric.dimensions.Queue"),
        case("custom-metric-dimension-name-empty", REALTIME, _custom(dimensions={"": "q"}),
             "spec.autoscaling.customMetric.dimensions"),
        # s3 CopyObject.CopySource (\/?.+\/.+) and Key (min 1): a multi-model artifact is an object
        case("multimodel-model-data-url-without-key", REALTIME,
             {"mode": "MultiModel", "models": [{**MODEL, "modelDataUrl": "s3://example-models"}]},
             "spec.models[0].modelDataUrl"),
        case("model-data-url-bucket-root", REALTIME, _model(modelDataUrl="s3://example-models/"),
             "spec.models[0].modelDataUrl"),
        # sagemaker ProductionVariant.InstanceType (ProductionVariantInstanceType): an enum
        case("instance-type-no-one-sells", REALTIME, {"instances": {"type": "ml.m5.huge"}}, "spec.instances.type"),
    ]
