"""docs/iam-policy.json grants exactly what the gateway calls.

The calls are read from the code, not listed by hand: every string in a gateway
module that names an operation of the module's service (botocore's own service
model says which names exist) is an operation the operator may call, whether it is
passed to `_call`/`_pages` directly or through a table. Each operation maps to the
IAM actions AWS checks for it."""

from __future__ import annotations

import ast
import copy
import fnmatch
import json
from functools import cache
from pathlib import Path

import botocore.session
import pytest

REPO = Path(__file__).resolve().parents[2]
GATEWAYS = REPO / "operator" / "endpoint_operator" / "aws"
POLICY = REPO / "docs" / "iam-policy.json"

# IAM prefixes per boto3 service name (the action prefix is not always the client name).
IAM_PREFIX = {"sagemaker": "sagemaker", "application-autoscaling": "application-autoscaling",
              "cloudwatch": "cloudwatch", "sts": "sts"}
# S3's IAM actions are not its API operation names.
S3_ACTIONS = {
    "HeadObject": ["s3:GetObject"],
    "GetObject": ["s3:GetObject"],
    "CopyObject": ["s3:GetObject", "s3:PutObject"],
    "PutObject": ["s3:PutObject"],
    "UploadPartCopy": ["s3:GetObject", "s3:PutObject"],
    "CreateMultipartUpload": ["s3:PutObject"],
    "CompleteMultipartUpload": ["s3:PutObject"],
    "AbortMultipartUpload": ["s3:AbortMultipartUpload"],
    "DeleteObject": ["s3:DeleteObject"],
    "ListObjectsV2": ["s3:ListBucket"],
}
# What AWS checks besides the operation's own action.
ALSO_NEEDS = {
    ("sagemaker", "CreateModel"): ["iam:PassRole", "sagemaker:AddTags"],  # the execution role; tags on create
    ("sagemaker", "CreateEndpointConfig"): ["sagemaker:AddTags"],
    # The first registration creates the service-linked role Application Auto Scaling acts with.
    ("application-autoscaling", "RegisterScalableTarget"): ["iam:CreateServiceLinkedRole"],
    # Target tracking creates and removes its own alarms in the caller's name.
    ("application-autoscaling", "PutScalingPolicy"): ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms",
                                                      "cloudwatch:DeleteAlarms"],
    # spec.encryption.volumeKmsKeyId. SageMaker's API permissions reference: CreateEndpoint needs
    # "kms:CreateGrant (required only if the associated EndPointConfig has a KmsKeyId specified)";
    # CreateEndpointConfig's KmsKeyId: "The KMS key policy must grant permission to the IAM role
    # that you specify in your CreateEndpoint, UpdateEndpoint requests".
    ("sagemaker", "CreateEndpoint"): ["sagemaker:AddTags", "kms:CreateGrant"],
    ("sagemaker", "UpdateEndpoint"): ["kms:CreateGrant"],
    # spec.encryption.artifactKmsKeyId: S3's CopyObject and PutObject, "If the object is encrypted
    # with SSE-KMS, you must also have the kms:GenerateDataKey and kms:Decrypt permissions";
    # CreateMultipartUpload needs kms:GenerateDataKey, UploadPartCopy kms:Decrypt.
    ("s3", "CopyObject"): ["kms:GenerateDataKey", "kms:Decrypt"],
    ("s3", "PutObject"): ["kms:GenerateDataKey", "kms:Decrypt"],
    ("s3", "CreateMultipartUpload"): ["kms:GenerateDataKey"],
    ("s3", "UploadPartCopy"): ["kms:GenerateDataKey", "kms:Decrypt"],
}


@cache
def operation_names(service: str) -> frozenset[str]:
    return frozenset(botocore.session.get_session().get_service_model(service).operation_names)


def called_operations(gateways: Path = GATEWAYS) -> set[tuple[str, str]]:
    """(service, operation) for every operation name a gateway module mentions (the
    modules directly in `gateways`: aws/inventory/ has a policy of its own)."""
    found: set[tuple[str, str]] = set()
    for module in sorted(gateways.glob("*.py")):
        tree = ast.parse(module.read_text())
        services = {node.value.value for node in ast.walk(tree)
                    if isinstance(node, (ast.Assign, ast.AnnAssign))
                    and any(isinstance(t, ast.Name) and t.id == "service"
                            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
                    and isinstance(node.value, ast.Constant)}
        strings = {node.value for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        for service in services:
            found |= {(service, name) for name in strings & operation_names(service)}
    return found


def required_actions(operations: set[tuple[str, str]]) -> set[str]:
    actions: set[str] = set()
    for service, operation in operations:
        if service == "s3":
            assert operation in S3_ACTIONS, f"map S3 {operation} to the IAM actions it needs in S3_ACTIONS"
            actions.update(S3_ACTIONS[operation])
        else:
            assert service in IAM_PREFIX, f"add the IAM prefix of {service} to IAM_PREFIX"
            actions.add(f"{IAM_PREFIX[service]}:{operation}")
        actions.update(ALSO_NEEDS.get((service, operation), []))
    return actions


def granted_actions(policy: dict) -> set[str]:
    granted: set[str] = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        actions = statement["Action"]
        granted.update([actions] if isinstance(actions, str) else actions)
    return granted


def missing(policy: dict, operations: set[tuple[str, str]] | None = None) -> set[str]:
    granted = granted_actions(policy)
    return {a for a in required_actions(called_operations() if operations is None else operations)
            if not any(fnmatch.fnmatchcase(a, pattern) for pattern in granted)}


def load_policy() -> dict:
    return json.loads(POLICY.read_text())


def test_the_scan_finds_every_service_the_gateway_uses():
    services = {service for service, _ in called_operations()}
    assert {"sagemaker", "s3", "application-autoscaling", "cloudwatch"} <= services
    assert ("sagemaker", "CreateEndpoint") in called_operations()


def test_policy_grants_every_action_the_gateway_calls():
    assert missing(load_policy()) == set(), "add these actions to docs/iam-policy.json"


def test_policy_grants_nothing_else_and_no_wildcard_actions():
    granted = granted_actions(load_policy())
    assert not [a for a in granted if "*" in a]
    extra = granted - required_actions(called_operations())
    assert extra == set(), "docs/iam-policy.json grants actions the operator never needs"


def test_mutations_on_sagemaker_and_alarms_are_scoped_by_the_owner_tag():
    for statement in load_policy()["Statement"]:
        actions = statement["Action"]
        mutating = [a for a in actions if a.split(":")[0] == "sagemaker"
                    and not a.split(":")[1].startswith(("Describe", "List"))]
        if mutating:
            keys = set(statement.get("Condition", {}).get("StringEquals", {}))
            assert keys & {"aws:RequestTag/app.kubernetes.io/managed-by",
                           "aws:ResourceTag/app.kubernetes.io/managed-by"}, statement["Sid"]
        if "iam:PassRole" in actions:
            assert statement["Condition"]["StringEquals"]["iam:PassedToService"] == "sagemaker.amazonaws.com"


@pytest.mark.parametrize("action", sorted(required_actions(called_operations())))
def test_removing_any_action_is_caught(action):
    policy = copy.deepcopy(load_policy())
    for statement in policy["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != action]
    assert action in missing(policy)
