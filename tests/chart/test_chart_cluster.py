"""The rendered chart against the real API server: every object of every values set
passes a server-side dry run, and a real `helm install` creates every object (no pod
runs here: there is no scheduler or kubelet, but the Deployment must be accepted)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
import yaml

from fixtures.helm import CHART

from .values import VALUE_SETS, values_file

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def prerequisites(control_plane):
    """What a cluster has before the chart: the ServiceMonitor CRD (Prometheus
    Operator) and the namespaces a values set lists."""
    control_plane.kubectl("apply", "--server-side", "-f", str(HERE / "servicemonitor-crd.yaml"))
    control_plane.wait_for_crd("servicemonitors.monitoring.coreos.com")
    for namespace in ("team-a", "team-b"):
        control_plane.kubectl("create", "namespace", namespace, check=False)
    return control_plane


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_rendered_manifests_pass_a_server_side_dry_run(helm, prerequisites, namespace, tmp_path, name):
    rendered = helm("template", "seo", str(CHART), "-n", namespace, "--include-crds",
                    "-f", str(values_file(tmp_path, name))).stdout
    docs = [d for d in yaml.safe_load_all(rendered) if d]
    # Every namespaced object names its namespace (the chart sets it), as helm sends them.
    assert all(d["metadata"].get("namespace") for d in docs
               if d["kind"] not in ("CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"))
    result = prerequisites.kubectl("apply", "--server-side", "--force-conflicts", "--dry-run=server",
                                   "-f", "-", input=rendered)
    accepted = [line for line in result.stdout.splitlines() if "serverside-applied" in line]
    assert len(accepted) == len(docs), result.stdout


def test_helm_install_creates_every_object(helm, prerequisites, namespace, tmp_path):
    release = f"seo-{secrets.token_hex(3)}"
    kubeconfig = str(prerequisites.kubeconfig)
    values = values_file(tmp_path, "namespaces", {"metrics": {"service": {"enabled": True},
                                                              "serviceMonitor": {"enabled": True}}})
    helm("install", release, str(CHART), "-n", namespace, "--kubeconfig", kubeconfig, "-f", str(values))
    try:
        manifest = helm("get", "manifest", release, "-n", namespace, "--kubeconfig", kubeconfig).stdout
        docs = [d for d in yaml.safe_load_all(manifest) if d]
        kinds = sorted(d["kind"] for d in docs)
        assert kinds == sorted(["ServiceAccount", "Role", "Role", "Role", "RoleBinding", "RoleBinding",
                                "RoleBinding", "Deployment", "Service", "ServiceMonitor",
                                "ConfigMap"])  # the account bindings
        for doc in docs:
            meta = doc["metadata"]
            found = prerequisites.kubectl("get", f"{doc['kind'].lower()}.{_group(doc)}", meta["name"],
                                          "-n", meta.get("namespace", namespace), "-o", "json")
            live = json.loads(found.stdout)
            assert live["metadata"]["labels"]["app.kubernetes.io/instance"] == release
        status = json.loads(helm("status", release, "-n", namespace, "--kubeconfig", kubeconfig,
                                 "-o", "json").stdout)
        assert status["info"]["status"] == "deployed"
        crd = prerequisites.kubectl("get", "crd", "modelendpoints.serving.endpoint-operator.io", "-o", "name")
        assert crd.stdout.strip()
    finally:
        helm("uninstall", release, "-n", namespace, "--kubeconfig", kubeconfig, check=False)


def _group(doc: dict) -> str:
    api_version = doc["apiVersion"]
    return api_version.split("/")[0] if "/" in api_version else ""
