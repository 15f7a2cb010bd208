"""Least privilege, proven: the chart's RBAC installed for real, and the operator run
with nothing but its ServiceAccount's token through a whole lifecycle (create, Ready,
events, delete with the finalizer). Any verb the chart forgot fails here as a 403.
The session operator stands down meanwhile and takes its lease back afterwards."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
import yaml

from endpoint_operator.api import constants
from endpoint_operator.sandbox.operator_process import OperatorProcess
from fixtures.helm import CHART

from . import kit
from .conftest import FAST_ARGS
from .standby import FAST_LEASE, session_operator_stood_down

LEASE = "seo-lease"


def service_account_kubeconfig(control_plane, namespace: str, account: str, path: Path) -> Path:
    token = control_plane.kubectl("create", "token", account, "-n", namespace, "--duration=1h").stdout.strip()
    config = yaml.safe_load(Path(control_plane.kubeconfig).read_text())
    config["users"] = [{"name": config["users"][0]["name"], "user": {"token": token}}]
    path.write_text(yaml.safe_dump(config))
    return path


def can_i(control_plane, account: str, verb: str, resource: str, namespace: str) -> bool:
    result = control_plane.kubectl("auth", "can-i", verb, resource, "-n", namespace, f"--as={account}", check=False)
    return result.stdout.strip() == "yes"


@pytest.mark.parametrize("scope", ["all-namespaces", "listed-namespaces"])
def test_the_operator_runs_on_the_charts_rbac_alone(scope, operator, control_plane, emulator, helm, namespace,
                                                    tmp_path):
    release_namespace = f"ops-{secrets.token_hex(3)}"
    control_plane.kubectl("create", "namespace", release_namespace)
    release = f"rbac-{secrets.token_hex(3)}"
    values = {"leaderElection": {"leaseName": LEASE},
              "watchNamespaces": [namespace] if scope == "listed-namespaces" else []}
    values_path = tmp_path / "values.yaml"
    values_path.write_text(yaml.safe_dump(values))
    kubeconfig = str(control_plane.kubeconfig)
    helm("install", release, str(CHART), "-n", release_namespace, "--kubeconfig", kubeconfig, "-f", str(values_path))
    account = f"{release}-sagemaker-endpoint-operator"
    who = f"system:serviceaccount:{release_namespace}:{account}"
    try:
        # Nothing beyond what the operator does.
        assert can_i(control_plane, who, "patch", "modelendpoints", namespace)
        assert not can_i(control_plane, who, "delete", "modelendpoints", namespace)
        assert not can_i(control_plane, who, "update", "modelendpoints", namespace)
        assert not can_i(control_plane, who, "list", "secrets", namespace)
        assert not can_i(control_plane, who, "update", "leases", namespace)
        assert can_i(control_plane, who, "create", "leases", release_namespace)
        if scope == "listed-namespaces":
            assert not can_i(control_plane, who, "list", "modelendpoints", release_namespace)

        sa_kubeconfig = service_account_kubeconfig(control_plane, release_namespace, account,
                                                   tmp_path / "kubeconfig")
        args = [*FAST_ARGS, *FAST_LEASE, "--lease-name", LEASE, "--lease-namespace", release_namespace]
        if scope == "listed-namespaces":
            args += ["--namespace", namespace]
        log_path = tmp_path / "operator.log"
        with session_operator_stood_down(operator):
            with OperatorProcess(sa_kubeconfig, emulator.url, log_path, extra_args=args) as restricted:
                doc = kit.example("realtime.yaml", namespace, rename="least-privilege")
                kit.apply(control_plane, doc, emulator)
                obj = kit.wait_condition(control_plane, namespace, "least-privilege", "Ready", timeout=90)
                assert constants.FINALIZER in obj["metadata"]["finalizers"]
                reasons = {reason for _, reason, _ in kit.events(control_plane, namespace, "least-privilege")}
                assert "CreateEndpoint" in reasons
                kit.delete(control_plane, namespace, "least-privilege", timeout=90)
                assert kit.get(control_plane, namespace, "least-privilege") is None
                log = restricted.log()
        refusals = [line for line in log.splitlines() if "Forbidden" in line or " 403" in line]
        assert [line for line in refusals if not _in_terminating_namespace(control_plane, line)] == [], log
    finally:
        helm("uninstall", release, "-n", release_namespace, "--kubeconfig", kubeconfig, check=False)


def _in_terminating_namespace(control_plane, line: str) -> bool:
    """Objects other tests left behind sit in namespaces that stay Terminating here (no
    controller-manager finalizes them); the API server refuses new events there with a
    403 whatever the RBAC. Such a refusal is not a missing permission."""
    found = re.search(r" on ([a-z0-9-]+)/[a-z0-9-]+: Forbidden", line)
    if not found:
        return False
    phase = control_plane.kubectl("get", "namespace", found.group(1), "-o", "jsonpath={.status.phase}",
                                  check=False).stdout
    return phase == "Terminating"
