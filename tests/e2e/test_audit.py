"""`endpoint-operator audit`: Delete leaves nothing, Retain is not an orphan, and what a
lost object left behind is found, reported with a non-zero exit, and removed."""

from __future__ import annotations

import json
import subprocess
import sys

from endpoint_operator.api import constants

from . import kit


def run_audit(control_plane, emulator, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "endpoint_operator.cli", "audit", "--kubeconfig", str(control_plane.kubeconfig),
         "--aws-endpoint-url", emulator.url, "--region", "us-east-1", *extra],
        capture_output=True, text=True, timeout=120,
        env={"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox", "PATH": "/usr/bin:/bin"})


def test_audit_finds_removes_and_then_passes(operator, control_plane, emulator, namespace):
    for name, policy in (("gone-for-good", "Delete"), ("left-serving", "Retain")):
        doc = kit.example("realtime.yaml", namespace, rename=name)
        doc["spec"]["deletionPolicy"] = policy
        kit.apply(control_plane, doc, emulator)
    for name in ("gone-for-good", "left-serving"):
        kit.wait_condition(control_plane, namespace, name, "Ready", timeout=90)
        kit.delete(control_plane, namespace, name, timeout=90)
    # What a lost object would leave: a model tagged for an object that no longer exists.
    sm = kit.client(emulator, "sagemaker")
    sm.create_model(ModelName="lost-model", ExecutionRoleArn="arn:aws:iam::111122223333:role/sagemaker-exec",
                    PrimaryContainer={"Image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/x:1"},
                    Tags=[{"Key": constants.TAG_NAMESPACE, "Value": namespace},
                          {"Key": constants.TAG_NAME, "Value": "lost"},
                          {"Key": constants.TAG_UID, "Value": "00000000-dead-beef-0000-000000000000"}])

    found = run_audit(control_plane, emulator, "--output", "json")
    assert found.returncode == 1, found.stderr
    orphans = {row["name"] for row in json.loads(found.stdout)}
    assert orphans == {"lost-model"}, found.stdout

    everything = run_audit(control_plane, emulator, "--all", "--output", "json")
    rows = json.loads(everything.stdout)
    retained = [r["kind"] for r in rows if r["verdict"] == "retained" and f"{namespace}/left-serving" in r["why"]]
    assert sorted(retained) == ["endpoint", "endpoint-config", "model"], rows  # what Retain kept, released on purpose

    removed = run_audit(control_plane, emulator, "--delete", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert run_audit(control_plane, emulator).returncode == 0
    assert "lost-model" not in [m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]]
