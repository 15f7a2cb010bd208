"""`endpoint-operator assess` on the seeded brownfield account: eleven one-model GPU
endpoints become at most three logical endpoints for more than half the money, document
parsing leaves real-time, the account is only read, and every manifest it writes is
accepted by the API server and by validate_spec."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
import yaml

from cluster.test_crd_validation import install_crd
from endpoint_operator.api.spec import validate_spec
from endpoint_operator.aws.fence import READ_PREFIXES
from endpoint_operator.sandbox.brownfield import HINTS, USE_CASE_TAG, seed_brownfield

pytestmark = pytest.mark.cluster


def run_assess(url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    hints = tmp_path / "hints.yaml"
    hints.write_text(yaml.safe_dump(HINTS))
    return subprocess.run(
        [sys.executable, "-m", "endpoint_operator.cli", "assess", "--aws-endpoint-url", url,
         "--region", "us-east-1", "--region", "eu-west-1",
         "--hints", str(hints), "--group-by-tag", USE_CASE_TAG, *extra],
        capture_output=True, text=True, timeout=300,
        env={"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox", "PATH": "/usr/bin:/bin"})


def test_assess_consolidates_the_seeded_account_into_accepted_manifests(aws, control_plane, namespace, tmp_path):
    install_crd(control_plane)
    seed_brownfield(aws)
    aws.emulator.clear_log()

    manifests = tmp_path / "manifests"
    found = run_assess(aws.url, tmp_path, "--output", "json", "--namespace", namespace,
                       "--manifests", str(manifests), "--report", str(tmp_path / "report.md"))
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)

    assert len(result["endpoints"]) == 11 and {e["region"] for e in result["endpoints"]} == {"us-east-1"}
    hourly = result["endpoints"][0]["variants"][0]["invocationsByHour"]
    assert len(hourly) == 14 * 24 and sum(h or 0 for h in hourly) > 0  # the whole 14-day history, by hour
    assert all(not e["autoscaling"] and e["instances"] == 1 for e in result["endpoints"])
    assert all(e["instanceType"] == "ml.g4dn.xlarge" and 12 <= e["gpuOffPeak"] <= 14 for e in result["endpoints"])
    calls = sorted(e["invocationsPerDay"] for e in result["endpoints"])
    assert all(c > 800 for c in calls[-3:]) and all(c < 400 for c in calls[:-3])  # three hot, eight far below
    proposed = [e for e in result["logicalEndpoints"] if e["manifest"] is not None]
    assert 1 <= len(proposed) <= 3, [e["name"] for e in proposed]
    assert sorted(m for e in proposed for m in e["members"]) == sorted(e["name"] for e in result["endpoints"])
    assert result["savingShare"] >= 0.55, (result["monthlyBeforeUSD"], result["monthlyAfterUSD"])
    parsing = next(e for e in proposed if "docparse-contracts" in e["members"])
    assert parsing["mode"] not in ("RealTime", "MultiModel"), parsing

    made = aws.emulator.calls()
    assert {c["operation"] for c in made if not c["operation"].startswith(READ_PREFIXES)} == set()
    assert "GetMetricData" in {c["operation"] for c in made}
    assert {c["region"] for c in made if c["operation"] == "ListEndpoints"} == {"us-east-1", "eu-west-1"}

    files = sorted(manifests.glob("*.yaml"))
    assert len(files) == len(proposed)
    for path in files:
        doc = yaml.safe_load(path.read_text())
        validate_spec(doc["spec"])
        applied = control_plane.kubectl("apply", "--dry-run=server", "-f", str(path), check=False)
        assert applied.returncode == 0, (path.name, applied.stderr)
    report = (tmp_path / "report.md").read_text()
    assert "## Proposed logical endpoints" in report and "docparse-contracts" in report


def test_assess_reads_the_account_of_a_role_and_its_manifests_name_the_role(aws, control_plane, namespace, tmp_path):
    install_crd(control_plane)
    role = "arn:aws:iam::222233334444:role/endpoint-operator-assess"
    creds = aws.client("sts").assume_role(RoleArn=role, RoleSessionName="test-seeder")["Credentials"]
    other = boto3.client("sagemaker", endpoint_url=aws.url, region_name="us-east-1",
                         aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"])
    other.create_model(ModelName="team-b-model", ExecutionRoleArn="arn:aws:iam::222233334444:role/sagemaker",
                       PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgb:1",
                                         "ModelDataUrl": "s3://team-b/model.tar.gz"})
    other.create_endpoint_config(EndpointConfigName="team-b-config", ProductionVariants=[
        {"VariantName": "primary", "ModelName": "team-b-model", "InstanceType": "ml.m5.large",
         "InitialInstanceCount": 1}])
    other.create_endpoint(EndpointName="team-b-scoring", EndpointConfigName="team-b-config")
    seed_brownfield(aws)  # the caller's own account: not what --role-arn reads

    manifests = tmp_path / "manifests"
    found = run_assess(aws.url, tmp_path, "--output", "json", "--namespace", namespace, "--role-arn", role,
                       "--manifests", str(manifests))
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert [e["name"] for e in result["endpoints"]] == ["team-b-scoring"]
    written = [yaml.safe_load(p.read_text()) for p in sorted(manifests.glob("*.yaml"))]
    assert written and all(doc["spec"]["roleArn"] == role for doc in written)
    for doc in written:
        validate_spec(doc["spec"])
    assumed = [c for c in aws.emulator.calls() if c["service"] == "sts" and c["operation"] == "AssumeRole"]
    assert any(c["params"].get("RoleSessionName") == "endpoint-operator-assess" for c in assumed), assumed
