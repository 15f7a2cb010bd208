"""Kubernetes writes of a replica that is not acting are refused before they are sent:
status and finalizers raise Conflict (the sync requeues), events are dropped."""

from __future__ import annotations

import json

import pytest
import yaml

from endpoint_operator.api import constants
from endpoint_operator.kube.client import Conflict, load_api_client
from endpoint_operator.kube.fenced import FencedKubeGateway
from endpoint_operator.sandbox.controlplane import repo_root
from cluster.test_crd_validation import install_crd


@pytest.fixture(scope="module")
def crd(control_plane):
    return install_crd(control_plane)


def test_writes_pass_only_while_acting(control_plane, crd, namespace):
    doc = yaml.safe_load((repo_root() / "examples" / "realtime.yaml").read_text())
    doc["metadata"]["namespace"] = namespace
    control_plane.kubectl("apply", "-f", "-", input=yaml.safe_dump(doc))
    name = doc["metadata"]["name"]

    def current() -> dict:
        return json.loads(control_plane.kubectl("get", "mep", name, "-n", namespace, "-o", "json").stdout)

    acting = [False]
    kube = FencedKubeGateway(load_api_client(str(control_plane.kubeconfig)), lambda: acting[0])
    obj = kube.get(namespace, name)  # reads pass
    assert obj["metadata"]["name"] == name

    with pytest.raises(Conflict):
        kube.patch_status(namespace, name, {"mode": "RealTime"})
    with pytest.raises(Conflict):
        kube.set_finalizers(namespace, name, [constants.FINALIZER], obj["metadata"]["resourceVersion"])
    kube.post_event(obj, "Normal", "Fenced", "must not be posted")
    after = current()
    assert "status" not in after and not after["metadata"].get("finalizers")
    events = control_plane.kubectl("get", "events", "-n", namespace, "-o", "json").stdout
    assert "Fenced" not in events

    acting[0] = True
    kube.patch_status(namespace, name, {"mode": "RealTime"})
    kube.post_event(obj, "Normal", "Unfenced", "posted")
    assert current()["status"]["mode"] == "RealTime"
    assert "Unfenced" in control_plane.kubectl("get", "events", "-n", namespace, "-o", "json").stdout
