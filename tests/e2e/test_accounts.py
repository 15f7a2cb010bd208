"""Several AWS accounts from one cluster: a namespace bound by the operator's
configuration to a role in a second account gets its endpoint there (the emulator,
as moto does, puts the calls signed with that role's credentials in the role's
account); a tenant naming a role its namespace was not given is refused, and nothing
is created in either account."""

from __future__ import annotations

import json

import boto3
import pytest
import yaml

from endpoint_operator.api import constants
from endpoint_operator.plan.accounts import session_name
from endpoint_operator.plan.identity import Owner
from endpoint_operator.sandbox.operator_process import OperatorProcess

from . import kit
from .conftest import FAST_ARGS
from .standby import session_operator_stood_down
from .test_audit import run_audit

OWN_ACCOUNT = "123456789012"  # moto's default: what the operator's own credentials reach
SECOND_ACCOUNT = "222233334444"
SECOND_ROLE = f"arn:aws:iam::{SECOND_ACCOUNT}:role/endpoint-operator-target"


def account_client(emulator, service: str, role_arn: str | None):
    """A client of the operator's own account, or of the role's, assumed as a user would."""
    if role_arn is None:
        return kit.client(emulator, service)
    found = kit.client(emulator, "sts").assume_role(RoleArn=role_arn, RoleSessionName="test-reader")["Credentials"]
    return boto3.client(service, endpoint_url=emulator.url, region_name="us-east-1",
                        aws_access_key_id=found["AccessKeyId"], aws_secret_access_key=found["SecretAccessKey"],
                        aws_session_token=found["SessionToken"])


def last_seq(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0


def names(emulator, role_arn: str | None) -> dict[str, list[str]]:
    sm = account_client(emulator, "sagemaker", role_arn)
    return {"endpoints": [e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]],
            "configs": [c["EndpointConfigName"] for c in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]],
            "models": [m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]]}


@pytest.fixture
def tenants(control_plane, namespace):
    """Two namespaces: `bound` may use the second account (its default role), `other` was given nothing."""
    other = f"{namespace}-x"
    control_plane.kubectl("create", "namespace", other)
    yield namespace, other
    control_plane.kubectl("delete", "mep", "--all", "-n", other, "--wait=false", check=False)


@pytest.fixture
def bound_operator(operator, control_plane, emulator, tenants, tmp_path):
    bound, other = tenants
    bindings = tmp_path / "accounts.yaml"
    bindings.write_text(yaml.safe_dump({"namespaces": {bound: {"roleArn": SECOND_ROLE}}}))
    with session_operator_stood_down(operator):
        process = OperatorProcess(control_plane.kubeconfig, emulator.url, tmp_path / "operator.log",
                                  extra_args=[*FAST_ARGS, "--namespace", bound, "--namespace", other,
                                              "--account-bindings", str(bindings)])
        with process:
            yield process


def test_a_bound_namespace_serves_from_the_second_account(bound_operator, control_plane, emulator, tenants):
    bound, _ = tenants
    start = last_seq(emulator)
    kit.apply(control_plane, kit.example("realtime.yaml", bound, rename="far-away"), emulator)
    obj = kit.wait_condition(control_plane, bound, "far-away", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    assert f":{SECOND_ACCOUNT}:endpoint/" in obj["status"]["endpoint"]["arn"]

    # Read back with the second account's credentials: it is there, and not in the operator's own.
    described = account_client(emulator, "sagemaker", SECOND_ROLE).describe_endpoint(EndpointName=endpoint)
    assert described["EndpointStatus"] == "InService"
    assert endpoint not in names(emulator, None)["endpoints"]
    # The operator assumed the role with a session name that says which object it acts for.
    assumed = [c for c in emulator.client.calls(service="sts", operation="AssumeRole", after=start)]
    expected = session_name(Owner(bound, "far-away", obj["metadata"]["uid"]))  # cut to STS's 64 characters
    assert len(expected) <= 64 and expected.startswith(bound[:40])
    assert expected in {c["params"]["RoleSessionName"] for c in assumed}
    assert {c["params"]["RoleArn"] for c in assumed} == {SECOND_ROLE}
    # Metrics count the calls per account.
    assert f'endpoint_operator_aws_account_calls_total{{account="{SECOND_ACCOUNT}",outcome="ok",service="sagemaker"}}' \
        in bound_operator.metrics()

    kit.delete(control_plane, bound, "far-away", timeout=90)
    left = names(emulator, SECOND_ROLE)
    assert not [n for kind in left.values() for n in kind if n.startswith(endpoint)], left


def test_a_role_the_namespace_was_not_given_is_refused_and_nothing_is_created(bound_operator, control_plane,
                                                                               emulator, tenants):
    _, other = tenants
    before = {role: names(emulator, role) for role in (None, SECOND_ROLE)}
    start = last_seq(emulator)
    doc = kit.example("realtime.yaml", other, rename="trespasser")
    doc["spec"]["roleArn"] = SECOND_ROLE
    kit.apply(control_plane, doc, emulator)
    obj = kit.wait_condition(control_plane, other, "trespasser", "Ready", status="False", reason="RoleNotAllowed",
                             timeout=60)
    message = kit.condition(obj, "Ready")["message"]
    assert message.startswith("spec.roleArn:") and SECOND_ACCOUNT in message and other in message
    assert kit.condition(obj, "Degraded")["status"] == "True"

    after = {role: names(emulator, role) for role in (None, SECOND_ROLE)}
    assert after == before  # nothing in either account
    calls = emulator.client.calls(after=start)
    assert not [c for c in calls if c["service"] == "sts" and c["operation"] == "AssumeRole"
                and c["params"].get("RoleSessionName", "").startswith(other)], "the role was never assumed for it"
    assert not [c for c in calls if c["service"] == "sagemaker" and "trespasser" in json.dumps(c["params"])]
    kit.delete(control_plane, other, "trespasser", timeout=30)  # no finalizer was ever set


def test_audit_finds_what_was_left_in_the_second_account(crd, control_plane, emulator, tenants):
    bound, _ = tenants
    lost = f"lost-{bound[-6:]}"
    account_client(emulator, "sagemaker", SECOND_ROLE).create_model(
        ModelName=lost, ExecutionRoleArn=f"arn:aws:iam::{SECOND_ACCOUNT}:role/sagemaker-exec",
        PrimaryContainer={"Image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1"},
        Tags=[{"Key": constants.TAG_NAMESPACE, "Value": bound}, {"Key": constants.TAG_NAME, "Value": "lost"},
              {"Key": constants.TAG_UID, "Value": "00000000-dead-beef-0000-000000000000"}])

    own_only = run_audit(control_plane, emulator, "--output", "json")
    assert own_only.returncode in (0, 1) and own_only.stdout, own_only.stderr
    assert lost not in {row["name"] for row in json.loads(own_only.stdout or "[]")}

    found = run_audit(control_plane, emulator, "--role-arn", SECOND_ROLE, "--output", "json")
    assert found.returncode == 1, found.stderr
    [row] = [r for r in json.loads(found.stdout) if r["name"] == lost]
    assert row["account"] == SECOND_ACCOUNT and row["verdict"] == "orphan"

    removed = run_audit(control_plane, emulator, "--role-arn", SECOND_ROLE, "--delete", "--yes")
    assert f"deleted model {lost}" in removed.stderr
    assert lost not in names(emulator, SECOND_ROLE)["models"]


def test_a_binding_taken_away_moves_nothing_to_another_account(bound_operator, control_plane, emulator, tenants,
                                                                tmp_path):
    bound, other = tenants
    kit.apply(control_plane, kit.example("realtime.yaml", bound, rename="stays-put"), emulator)
    obj = kit.wait_condition(control_plane, bound, "stays-put", "Ready", timeout=90)
    endpoint = obj["status"]["endpoint"]["name"]
    bound_operator.stop()
    unbound = tmp_path / "unbound.yaml"
    unbound.write_text(yaml.safe_dump({"namespaces": {}}))
    with OperatorProcess(control_plane.kubeconfig, emulator.url, tmp_path / "unbound.log",
                         extra_args=[*FAST_ARGS, "--namespace", bound, "--namespace", other,
                                     "--account-bindings", str(unbound)]):
        obj = kit.wait_condition(control_plane, bound, "stays-put", "Ready", status="False", reason="AccountChanged",
                                 timeout=60)
        assert kit.condition(obj, "Ready")["message"].startswith("spec.roleArn:")
        assert endpoint not in names(emulator, None)["endpoints"]  # not built again in the operator's account
        kit.delete(control_plane, bound, "stays-put", timeout=60)
        assert ("Warning", "AccountChanged") in {(t, r) for t, r, _ in kit.events(control_plane, bound, "stays-put")}
    # Kept where it was: the operator no longer acts in that account.
    sm = account_client(emulator, "sagemaker", SECOND_ROLE)
    assert sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"] == "InService"
    sm.delete_endpoint(EndpointName=endpoint)
