"""docs/iam-policy-assess.json grants exactly what `assess` calls, and only reads.

The calls are read from aws/inventory/*.py the way tests/unit/test_iam_policy.py reads
the operator's gateways: every string naming an operation of a module's service."""

from __future__ import annotations

import copy
import json

import pytest

from endpoint_operator.aws.fence import READ_PREFIXES
from unit import test_iam_policy as main_policy

INVENTORY = main_policy.GATEWAYS / "inventory"
POLICY = main_policy.REPO / "docs" / "iam-policy-assess.json"


def called_operations() -> set[tuple[str, str]]:
    return main_policy.called_operations(INVENTORY)


def load_policy() -> dict:
    return json.loads(POLICY.read_text())


def missing(policy: dict) -> set[str]:
    return main_policy.missing(policy, called_operations())


def test_the_scan_finds_what_assess_reads():
    assert {("sagemaker", "ListEndpoints"), ("cloudwatch", "GetMetricData"),
            ("application-autoscaling", "DescribeScalingPolicies")} <= called_operations()


def test_assess_calls_only_reads():
    assert [op for _, op in called_operations() if not op.startswith(READ_PREFIXES)] == []


def test_policy_grants_every_action_assess_calls_and_nothing_else():
    assert missing(load_policy()) == set()
    granted = main_policy.granted_actions(load_policy())
    assert not [a for a in granted if "*" in a]
    assert granted - main_policy.required_actions(called_operations()) == set()


@pytest.mark.parametrize("action", sorted(main_policy.required_actions(called_operations())))
def test_removing_any_action_is_caught(action):
    policy = copy.deepcopy(load_policy())
    for statement in policy["Statement"]:
        statement["Action"] = [a for a in statement["Action"] if a != action]
    assert action in missing(policy)
