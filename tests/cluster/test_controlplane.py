"""The local control plane is a real kube-apiserver: versions, CRDs with schema
and CEL validation, the APIs the operator relies on, RBAC, and a clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from endpoint_operator.sandbox.controlplane import (
    BIN_DIR_ENV,
    ControlPlane,
    ControlPlaneError,
    KubectlError,
    ensure_binaries,
    remove_stale_workdirs,
)

from .proc import alive, mentioning

pytestmark = pytest.mark.cluster

GROUP = "controlplane-test.endpoint-operator.io"
CRD_NAME = f"widgets.{GROUP}"
WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": CRD_NAME},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
        "versions": [{
            "name": "v1",
            "served": True,
            "storage": True,
            "subresources": {"status": {}},
            "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {
                    "spec": {
                        "type": "object",
                        "required": ["replicas"],
                        "x-kubernetes-validations": [{
                            "rule": "!has(self.minReplicas) || self.minReplicas <= self.replicas",
                            "message": "minReplicas must not exceed replicas",
                            "fieldPath": ".minReplicas",
                        }],
                        "properties": {
                            "replicas": {"type": "integer", "minimum": 0, "maximum": 10},
                            "minReplicas": {"type": "integer", "minimum": 0},
                        },
                    },
                    "status": {
                        "type": "object",
                        "properties": {"observedReplicas": {"type": "integer"}},
                    },
                },
            }},
        }],
    },
}


def widget(name: str, namespace: str, **spec: object) -> str:
    return yaml.safe_dump({
        "apiVersion": f"{GROUP}/v1",
        "kind": "Widget",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    })


@pytest.fixture(scope="module")
def widget_crd(control_plane: ControlPlane) -> str:
    control_plane.kubectl("apply", "-f", "-", input=yaml.safe_dump(WIDGET_CRD))
    control_plane.wait_for_crd(CRD_NAME)
    return CRD_NAME


def test_the_server_reports_the_pinned_kubernetes_version(control_plane):
    version = json.loads(control_plane.kubectl("get", "--raw", "/version").stdout)

    assert version["gitVersion"] == "v1.36.3"


def test_a_custom_resource_is_stored_through_its_crd(control_plane, widget_crd, namespace):
    control_plane.kubectl("apply", "-f", "-", input=widget("small", namespace, replicas=3))

    stored = json.loads(
        control_plane.kubectl("get", "widget", "small", "-n", namespace, "-o", "json").stdout
    )
    assert stored["spec"] == {"replicas": 3}


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        pytest.param({"replicas": "three"}, "spec.replicas", "must be of type integer",
                     id="wrong-type"),
        pytest.param({"replicas": 11}, "spec.replicas", "less than or equal to 10",
                     id="out-of-range"),
        pytest.param({"replicas": 2, "minReplicas": 5}, "spec.minReplicas",
                     "minReplicas must not exceed replicas", id="cel-rule"),
    ],
)
def test_a_schema_violation_is_refused_naming_the_field(
    control_plane, widget_crd, namespace, spec, field, message
):
    result = control_plane.kubectl(
        "apply", "-f", "-", input=widget("bad", namespace, **spec), check=False
    )

    assert result.returncode != 0
    assert f"{field}: Invalid value" in result.stderr
    assert message in result.stderr
    absent = control_plane.kubectl("get", "widget", "bad", "-n", namespace, check=False)
    assert "NotFound" in absent.stderr


def test_status_is_a_subresource_and_server_side_apply_owns_fields(
    control_plane, widget_crd, namespace
):
    control_plane.kubectl(
        "apply", "--server-side", "--field-manager=test-owner", "-f", "-",
        input=widget("tracked", namespace, replicas=2),
    )
    control_plane.kubectl(
        "patch", "widget", "tracked", "-n", namespace, "--subresource=status",
        "--type=merge", "-p", json.dumps({"status": {"observedReplicas": 2}}),
    )
    # Status sent to the main resource is dropped, as the status subresource demands.
    control_plane.kubectl(
        "patch", "widget", "tracked", "-n", namespace, "--type=merge",
        "-p", json.dumps({"status": {"observedReplicas": 9}}),
    )
    conflict = control_plane.kubectl(
        "apply", "--server-side", "--field-manager=someone-else", "-f", "-",
        input=widget("tracked", namespace, replicas=4), check=False,
    )

    stored = json.loads(
        control_plane.kubectl("get", "widget", "tracked", "-n", namespace, "-o", "json").stdout
    )
    assert stored["status"] == {"observedReplicas": 2}
    assert conflict.returncode != 0 and "conflict" in conflict.stderr.lower()
    assert stored["spec"] == {"replicas": 2}


def test_leases_and_events_are_served(control_plane, namespace):
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "leader", "namespace": namespace},
        "spec": {"holderIdentity": "replica-a", "leaseDurationSeconds": 15},
    }
    event = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "started", "namespace": namespace},
        "eventTime": "2026-01-01T00:00:00.000000Z",
        "reportingController": "endpoint-operator.io/test",
        "reportingInstance": "replica-a",
        "action": "Start",
        "reason": "Started",
        "type": "Normal",
        "note": "the operator started",
        "regarding": {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                      "name": "leader", "namespace": namespace},
    }
    control_plane.kubectl("apply", "-f", "-", input=yaml.safe_dump_all([lease, event]))

    held = control_plane.kubectl(
        "get", "lease", "leader", "-n", namespace, "-o", "jsonpath={.spec.holderIdentity}"
    )
    listed = control_plane.kubectl(
        "get", "events", "-n", namespace, "-o", "jsonpath={.items[*].reason}"
    )
    assert held.stdout == "replica-a"
    assert listed.stdout == "Started"


def test_rbac_is_enforced_for_other_users(control_plane, namespace):
    admin = control_plane.kubectl("auth", "can-i", "create", "leases", "-n", namespace)
    stranger = control_plane.kubectl(
        "get", "leases", "-n", namespace, "--as=stranger", check=False
    )

    assert admin.stdout.strip() == "yes"
    assert stranger.returncode != 0
    assert 'User "stranger" cannot list resource "leases"' in stranger.stderr


def test_kubectl_errors_carry_the_server_message(control_plane):
    with pytest.raises(KubectlError, match='namespaces "no-such-namespace" not found'):
        control_plane.kubectl("get", "namespace", "no-such-namespace")


def test_stop_leaves_no_process_and_no_directory():
    plane = ControlPlane().start()
    pids, workdir = plane.pids, plane.workdir
    assert set(pids) == {"etcd", "kube-apiserver"}
    assert all(alive(pid) for pid in pids.values())

    plane.stop()
    plane.stop()

    assert [pid for pid in pids.values() if alive(pid)] == []
    assert mentioning(str(workdir)) == []
    assert not workdir.exists()


def test_kube_apiserver_restarts_alone_on_the_same_address_and_keeps_the_data():
    with ControlPlane() as plane:
        plane.kubectl("create", "configmap", "kept", "--from-literal=k=v")
        server, etcd_pid, old_pid = plane.server, plane.pids["etcd"], plane.pids["kube-apiserver"]

        plane.stop_apiserver()
        assert not alive(old_pid) and alive(etcd_pid)
        assert plane.kubectl("get", "configmap", "kept", check=False).returncode != 0
        plane.start_apiserver()

        assert plane.server == server and plane.pids["etcd"] == etcd_pid
        assert plane.pids["kube-apiserver"] != old_pid
        assert plane.kubectl("get", "configmap", "kept", "-o", "jsonpath={.data.k}").stdout == "v"


def test_servers_die_with_a_killed_parent_and_the_next_start_sweeps_the_directory():
    script = (
        "import json, sys\n"
        "from endpoint_operator.sandbox.controlplane import ControlPlane\n"
        "plane = ControlPlane().start()\n"
        "print(json.dumps({'pids': plane.pids, 'workdir': str(plane.workdir)}), flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = parent.stdout.readline()
        assert line, parent.stderr.read()
        started = json.loads(line)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    workdir = Path(started["workdir"])

    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in started["pids"].values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in started["pids"].values() if alive(pid)] == []
    assert workdir.exists()

    remove_stale_workdirs()

    assert not workdir.exists()


def test_a_server_that_exits_at_start_fails_with_its_log_and_cleans_up(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "etcd").symlink_to(ensure_binaries() / "etcd")
    broken = bin_dir / "kube-apiserver"
    broken.write_text("#!/bin/sh\necho 'error: unknown flag: --everything' >&2\nexit 3\n")
    broken.chmod(0o755)
    plane = ControlPlane(bin_dir)

    with pytest.raises(ControlPlaneError) as failure:
        plane.start()

    assert "kube-apiserver exited with code 3" in str(failure.value)
    assert "error: unknown flag: --everything" in str(failure.value)
    assert plane.pids == {}
    assert mentioning(str(bin_dir)) == []
    assert list(tmp_path.glob("endpoint-operator-controlplane-*")) == []


def test_a_bin_dir_without_the_binaries_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(BIN_DIR_ENV, str(tmp_path))

    with pytest.raises(ControlPlaneError, match="lacks kube-apiserver, etcd"):
        ensure_binaries()
