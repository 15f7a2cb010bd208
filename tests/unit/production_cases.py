"""Cases for spec.network, spec.encryption, spec.dataCapture and spec.provisioning:
part of BAD_SPECS and GOOD_SPECS (test_spec_validation.py), which
tests/cluster/test_crd_validation.py sends to a real API server, so the CRD and
validate_spec refuse the same manifests naming the same field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from endpoint_operator.api.data_capture import DataCaptureSpec
from endpoint_operator.api.endpoint_rules import ENDPOINT_RULES
from endpoint_operator.api.network import NetworkSpec

VPC = {"subnets": ["subnet-0a1b2c3d", "subnet-0e1f2a3b"], "securityGroupIds": ["sg-0a1b2c3d"]}
CAPTURE = {"samplingPercentage": 20, "destination": "s3://example-capture/fraud/"}
PROVISIONING = {"volumeSizeGB": 200, "modelDataDownloadTimeoutSeconds": 1800,
                "containerStartupHealthCheckTimeoutSeconds": 1200,
                "inferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-3-1"}


def _message(rules, start: str) -> str:
    return next(r.message for r in rules if r.message.startswith(start))


def bad_cases(case: Callable[..., Any], REALTIME: dict, SERVERLESS: dict, MODEL: dict) -> list:
    rule = lambda start: _message(ENDPOINT_RULES, start)  # noqa: E731
    return [
        # spec.network
        case("vpc-without-security-groups", REALTIME, {"network": {"subnets": VPC["subnets"]}}, "spec.network.subnets",
             _message(NetworkSpec.rules, "spec.network.subnets and spec.network.securityGroupIds")),
        case("vpc-repeated-subnet", REALTIME, {"network": {**VPC, "subnets": ["subnet-0a1b2c3d"] * 2}},
             "spec.network.subnets", _message(NetworkSpec.rules, "spec.network.subnets must not repeat")),
        case("vpc-repeated-security-group", REALTIME, {"network": {**VPC, "securityGroupIds": ["sg-0a1b2c3d"] * 2}},
             "spec.network.securityGroupIds", _message(NetworkSpec.rules, "spec.network.securityGroupIds must not")),
        case("vpc-not-a-subnet-id", REALTIME, {"network": {**VPC, "subnets": ["vpc-0a1b2c3d"]}}, "spec.network.subnets[0]"),
        case("vpc-too-many-subnets", REALTIME,
             {"network": {**VPC, "subnets": [f"subnet-{i:08x}" for i in range(17)]}}, "spec.network.subnets"),
        case("vpc-too-many-security-groups", REALTIME,
             {"network": {**VPC, "securityGroupIds": [f"sg-{i:08x}" for i in range(6)]}}, "spec.network.securityGroupIds"),
        case("vpc-no-subnets", REALTIME, {"network": {**VPC, "subnets": []}}, "spec.network.subnets"),
        case("network-on-serverless", SERVERLESS, {"network": {"isolation": True}}, "spec.network",
             rule("spec.network is not allowed")),
        # spec.encryption
        case("volume-key-bad-characters", REALTIME, {"encryption": {"volumeKmsKeyId": "alias/my key"}},
             "spec.encryption.volumeKmsKeyId"),
        case("volume-key-on-nvme-instance", REALTIME,
             {"instances": {"type": "ml.g5.xlarge"}, "encryption": {"volumeKmsKeyId": "alias/volumes"}},
             "spec.encryption.volumeKmsKeyId", rule("spec.encryption.volumeKmsKeyId is not allowed on an instance")),
        case("volume-key-on-d-instance", REALTIME,
             {"instances": {"type": "ml.m5d.large"}, "encryption": {"volumeKmsKeyId": "alias/volumes"}},
             "spec.encryption.volumeKmsKeyId", rule("spec.encryption.volumeKmsKeyId is not allowed on an instance")),
        case("volume-key-on-serverless", SERVERLESS, {"encryption": {"volumeKmsKeyId": "alias/volumes"}},
             "spec.encryption.volumeKmsKeyId", rule("spec.encryption.volumeKmsKeyId is not allowed when")),
        case("artifact-key-on-realtime", REALTIME, {"encryption": {"artifactKmsKeyId": "alias/models"}},
             "spec.encryption.artifactKmsKeyId", rule("spec.encryption.artifactKmsKeyId")),
        # spec.dataCapture
        case("capture-over-100-percent", REALTIME, {"dataCapture": {**CAPTURE, "samplingPercentage": 101}},
             "spec.dataCapture.samplingPercentage"),
        case("capture-without-destination", REALTIME, {"dataCapture": {"samplingPercentage": 20}},
             "spec.dataCapture.destination"),
        case("capture-destination-not-s3", REALTIME, {"dataCapture": {**CAPTURE, "destination": "/tmp/capture"}},
             "spec.dataCapture.destination"),
        case("capture-destination-too-long", REALTIME,
             {"dataCapture": {**CAPTURE, "destination": "s3://example-capture/" + "k" * 500}}, "spec.dataCapture.destination"),
        case("capture-nothing", REALTIME, {"dataCapture": {**CAPTURE, "captureRequest": False, "captureResponse": False}},
             "spec.dataCapture", DataCaptureSpec.rules[0].message),
        case("capture-bad-content-type", REALTIME, {"dataCapture": {**CAPTURE, "csvContentTypes": ["csv"]}},
             "spec.dataCapture.csvContentTypes[0]"),
        case("capture-too-many-content-types", REALTIME,
             {"dataCapture": {**CAPTURE, "jsonContentTypes": [f"application/x{i}" for i in range(11)]}},
             "spec.dataCapture.jsonContentTypes"),
        case("capture-on-serverless", SERVERLESS, {"dataCapture": CAPTURE}, "spec.dataCapture",
             rule("spec.dataCapture is not allowed")),
        # spec.provisioning
        case("volume-too-large", REALTIME, {"provisioning": {"volumeSizeGB": 513}}, "spec.provisioning.volumeSizeGB"),
        case("volume-zero", REALTIME, {"provisioning": {"volumeSizeGB": 0}}, "spec.provisioning.volumeSizeGB"),
        case("volume-size-on-nvme-instance", REALTIME,
             {"instances": {"type": "ml.g4dn.xlarge"}, "provisioning": {"volumeSizeGB": 100}},
             "spec.provisioning.volumeSizeGB", rule("spec.provisioning.volumeSizeGB")),
        case("download-timeout-below-60", REALTIME, {"provisioning": {"modelDataDownloadTimeoutSeconds": 59}},
             "spec.provisioning.modelDataDownloadTimeoutSeconds"),
        case("startup-timeout-above-3600", REALTIME,
             {"provisioning": {"containerStartupHealthCheckTimeoutSeconds": 3601}},
             "spec.provisioning.containerStartupHealthCheckTimeoutSeconds"),
        case("unknown-ami", REALTIME, {"provisioning": {"inferenceAmiVersion": "al2-ami-sagemaker-inference-gpu-9"}},
             "spec.provisioning.inferenceAmiVersion"),
        case("provisioning-on-serverless", SERVERLESS, {"provisioning": {"modelDataDownloadTimeoutSeconds": 600}},
             "spec.provisioning", rule("spec.provisioning is not allowed")),
    ]


def good_specs(changed: Callable[..., Any], REALTIME: dict, MODEL: dict) -> list[tuple[str, dict]]:
    return [
        ("production-realtime-everything", changed(REALTIME, {
            "network": {**VPC, "isolation": True},
            "encryption": {"volumeKmsKeyId": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
            "dataCapture": {**CAPTURE, "captureResponse": False, "csvContentTypes": ["text/csv"],
                            "jsonContentTypes": ["application/json", "application/jsonlines"], "kmsKeyId": "alias/capture"},
            "provisioning": PROVISIONING})),
        ("production-isolation-alone", changed(REALTIME, {"network": {"isolation": True}})),
        ("production-nvme-instance-with-timeouts", changed(REALTIME, {
            "instances": {"type": "ml.g5.2xlarge"},
            "provisioning": {"containerStartupHealthCheckTimeoutSeconds": 3600, "modelDataDownloadTimeoutSeconds": 3600}})),
        ("production-multi-model-artifact-key", changed(REALTIME, {
            "mode": "MultiModel", "models": [MODEL, {**MODEL, "name": "m2"}],
            "encryption": {"artifactKmsKeyId": "alias/models", "volumeKmsKeyId": "alias/volumes"}})),
        ("production-capture-zero-percent", changed(REALTIME, {"dataCapture": {**CAPTURE, "samplingPercentage": 0,
                                                                               "enabled": False}})),
    ]
