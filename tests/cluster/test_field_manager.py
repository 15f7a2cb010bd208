"""The operator's Kubernetes writes carry its own field manager, so
`kubectl get -o yaml --show-managed-fields` (and server-side apply conflicts) name
`endpoint-operator` as the owner of status, its finalizer, its events and its lease."""

from __future__ import annotations

import json

import pytest
import yaml

from endpoint_operator.api import constants
from endpoint_operator.kube.client import KubeGateway, load_api_client
from endpoint_operator.kube.lease import LeaseElector, LeaseSettings
from endpoint_operator.sandbox.controlplane import repo_root
from cluster.test_crd_validation import install_crd


@pytest.fixture(scope="module")
def crd(control_plane):
    return install_crd(control_plane)


def managed_fields(control_plane, *args: str) -> list[dict]:
    shown = control_plane.kubectl("get", *args, "-o", "json", "--show-managed-fields").stdout
    return json.loads(shown)["metadata"]["managedFields"]


def test_status_finalizer_event_and_lease_writes_are_managed_by_endpoint_operator(control_plane, crd, namespace):
    doc = yaml.safe_load((repo_root() / "examples" / "realtime.yaml").read_text())
    doc["metadata"]["namespace"] = namespace
    control_plane.kubectl("apply", "-f", "-", input=yaml.safe_dump(doc))
    name = doc["metadata"]["name"]
    kube = KubeGateway(load_api_client(str(control_plane.kubeconfig)))
    obj = kube.get(namespace, name)
    kube.set_finalizers(namespace, name, [constants.FINALIZER], obj["metadata"]["resourceVersion"])
    kube.patch_status(namespace, name, {"mode": "RealTime"})
    kube.post_event(obj, "Normal", "FieldManagerProbe", "written by the operator's gateway")
    elector = LeaseElector(load_api_client(str(control_plane.kubeconfig)),
                           LeaseSettings(name="operator", namespace=namespace), identity="replica-0")
    assert elector.try_acquire_or_renew()  # creates the lease
    assert elector.try_acquire_or_renew()  # renews it (a replace)

    entries = managed_fields(control_plane, "mep", name, "-n", namespace)
    status = [e["manager"] for e in entries if e.get("subresource") == "status"]
    finalizers = [e["manager"] for e in entries if "f:finalizers" in e.get("fieldsV1", {}).get("f:metadata", {})]
    assert (status, finalizers) == (["endpoint-operator"], ["endpoint-operator"])

    events = json.loads(control_plane.kubectl("get", "events", "-n", namespace, "-o", "json", "--show-managed-fields").stdout)
    [event] = [e for e in events["items"] if e["reason"] == "FieldManagerProbe"]
    assert {e["manager"] for e in event["metadata"]["managedFields"]} == {"endpoint-operator"}

    lease = managed_fields(control_plane, "lease", "operator", "-n", namespace)
    assert {e["manager"] for e in lease} == {"endpoint-operator"}
