"""Chaos fixtures: a control plane, an emulator and operators of their own, so killing
processes and restarting kube-apiserver never reaches the shared session fixtures.
Poll intervals are short, as in the end-to-end tests."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from endpoint_operator.sandbox.controlplane import ControlPlane, repo_root
from endpoint_operator.sandbox.emulator import Emulator

from .proxy import CuttableProxy

CRD = repo_root() / "crds" / "modelendpoints.serving.endpoint-operator.io.yaml"


@pytest.fixture(scope="module")
def plane():
    with ControlPlane() as running:
        running.kubectl("apply", "--server-side", "-f", str(CRD))
        running.wait_for_crd("modelendpoints.serving.endpoint-operator.io")
        yield running


@pytest.fixture(scope="module")
def emulator():
    with Emulator(delay_seconds=1.0) as running:
        yield running


@pytest.fixture(scope="module")
def proxy(emulator):
    address = urlparse(emulator.url)
    running = CuttableProxy(address.hostname, address.port).start()
    yield running
    running.stop()


@pytest.fixture
def logs(tmp_path) -> Path:
    return tmp_path
