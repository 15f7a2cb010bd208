"""The Helm chart, with a real helm: lint, render each values set and check what
matters (restricted pods, least-privilege RBAC, leader election, watched namespaces),
refuse bad values by the schema, keep the CRD identical to the generated one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from endpoint_operator.api.accounts import AccountBindings
from endpoint_operator.api.crd import CHART_CRD_FILE, CRD_FILE
from endpoint_operator.sandbox.controlplane import repo_root
from fixtures.helm import CHART

from .values import VALUE_SETS, values_file

WATCH_RULES = [
    {"apiGroups": ["serving.endpoint-operator.io"], "resources": ["modelendpoints"],
     "verbs": ["get", "list", "watch", "patch"]},
    {"apiGroups": ["serving.endpoint-operator.io"], "resources": ["modelendpoints/status"], "verbs": ["patch"]},
    {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]},
]


def render(helm, tmp_path: Path, name: str, namespace: str = "operators") -> list[dict[str, Any]]:
    out = helm("template", "seo", str(CHART), "-n", namespace, "-f", str(values_file(tmp_path, name))).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def load_account_bindings_text(text: str) -> AccountBindings:
    return AccountBindings.model_validate(yaml.safe_load(text))


def of_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def test_chart_crd_is_the_generated_one():
    root, chart = repo_root() / CRD_FILE, repo_root() / CHART_CRD_FILE
    assert chart.read_bytes() == root.read_bytes(), (
        f"{CHART_CRD_FILE} differs from {CRD_FILE}; write both from the models:\n"
        f"  python -m endpoint_operator.api.crd --write")


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_lint(helm, tmp_path, name):
    result = helm("lint", "--strict", str(CHART), "-f", str(values_file(tmp_path, name)))
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_every_pod_is_restricted_with_resources_and_probes(helm, tmp_path, name):
    [deployment] = of_kind(render(helm, tmp_path, name), "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    [container] = pod["containers"]
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"health": 8080, "metrics": 8081}
    assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]


def test_defaults_two_replicas_on_a_lease_cluster_wide(helm, tmp_path):
    docs = render(helm, tmp_path, "defaults")
    [deployment] = of_kind(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 2
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--leader-election" in args
    assert "--lease-namespace=operators" in args
    assert not any(a.startswith("--namespace=") for a in args)
    [cluster_role] = of_kind(docs, "ClusterRole")
    assert cluster_role["rules"] == WATCH_RULES
    [binding] = of_kind(docs, "ClusterRoleBinding")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "seo-sagemaker-endpoint-operator",
                                    "namespace": "operators"}]
    [lease_role] = of_kind(docs, "Role")
    assert lease_role["metadata"]["namespace"] == "operators"
    assert lease_role["rules"] == [
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
         "resourceNames": ["seo-sagemaker-endpoint-operator"], "verbs": ["get", "update"]},
    ]
    assert f"--lease-name=seo-sagemaker-endpoint-operator" in args
    assert of_kind(docs, "Service") == [] and of_kind(docs, "ServiceMonitor") == []


def test_listed_namespaces_get_a_role_each_and_no_cluster_access(helm, tmp_path):
    docs = render(helm, tmp_path, "namespaces")
    assert of_kind(docs, "ClusterRole") == [] and of_kind(docs, "ClusterRoleBinding") == []
    roles = {r["metadata"]["namespace"]: r["rules"] for r in of_kind(docs, "Role")
             if not r["metadata"]["name"].endswith("leader-election")}
    assert roles == {"team-a": WATCH_RULES, "team-b": WATCH_RULES}
    assert {b["metadata"]["namespace"] for b in of_kind(docs, "RoleBinding")} == {"team-a", "team-b", "operators"}
    [deployment] = of_kind(docs, "Deployment")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert [a for a in args if a.startswith("--namespace=")] == ["--namespace=team-a", "--namespace=team-b"]
    # The account bindings reach the operator as the file it reads, from a ConfigMap.
    assert "--account-bindings=/etc/endpoint-operator/accounts/accounts.yaml" in args
    [bindings] = [c for c in of_kind(docs, "ConfigMap") if c["metadata"]["name"].endswith("-accounts")]
    assert load_account_bindings_text(bindings["data"]["accounts.yaml"]).binding("team-b").allowed_accounts == [
        "333344445555"]
    mounts = deployment["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    assert {"name": "accounts", "mountPath": "/etc/endpoint-operator/accounts", "readOnly": True} in mounts
    [account] = of_kind(docs, "ServiceAccount")
    assert account["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/sagemaker-endpoint-operator"}


def test_metrics_service_and_monitor_select_the_pods(helm, tmp_path):
    docs = render(helm, tmp_path, "metrics")
    [service] = of_kind(docs, "Service")
    [monitor] = of_kind(docs, "ServiceMonitor")
    [deployment] = of_kind(docs, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert service["spec"]["ports"] == [{"name": "metrics", "port": 8081, "targetPort": "metrics", "protocol": "TCP"}]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[-2:] == ["--verbose", "--workers=4"]


def test_the_prometheus_gates_server_is_passed_to_the_operator(helm, tmp_path):
    [deployment] = of_kind(render(helm, tmp_path, "metrics"), "Deployment")
    assert "--prometheus-url=http://prometheus-server.monitoring:80" in deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    [deployment] = of_kind(render(helm, tmp_path, "defaults"), "Deployment")
    assert not any(a.startswith("--prometheus-url") for a in deployment["spec"]["template"]["spec"]["containers"][0]["args"])


def test_single_replica_without_lease_or_service_account(helm, tmp_path):
    docs = render(helm, tmp_path, "single")
    assert of_kind(docs, "ServiceAccount") == []
    assert [r for r in of_kind(docs, "Role") if r["metadata"]["name"].endswith("leader-election")] == []
    [deployment] = of_kind(docs, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "existing-operator"
    container = pod["containers"][0]
    assert container["image"] == "registry.example.com/seo:1.2.3"
    assert "--leader-election" not in container["args"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["AWS_REGION"] == "eu-west-1"


@pytest.mark.parametrize("bad, complaint", [
    ({"replicaCount": 2, "leaderElection": {"enabled": False}}, "replicaCount"),
    ({"replicaCount": "two"}, "replicaCount"),
    ({"watchNamespaces": ["Not_A_Namespace"]}, "watchNamespaces"),
    ({"serviceAccount": {"roleArn": "not-an-arn"}}, "roleArn"),
    ({"metrics": {"port": 70000}}, "port"),
    ({"image": {"pullPolicy": "Sometimes"}}, "pullPolicy"),
    ({"unknownKey": 1}, "unknownKey"),
    ({"operator": {"prometheusUrl": "prometheus:9090"}}, "prometheusUrl"),
    ({"accounts": {"namespaces": {"team-b": {"roleArn": "team-b-role"}}}}, "roleArn"),
])
def test_schema_refuses_bad_values(helm, tmp_path, bad, complaint):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    result = helm("template", "seo", str(CHART), "-f", str(path), check=False)
    assert result.returncode != 0
    assert complaint in result.stderr
