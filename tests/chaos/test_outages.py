"""Outages around a running operator: kube-apiserver restarted mid-run, SageMaker
answering 5xx and then throttling everything, and AWS unreachable for 60 s. Objects
converge afterwards, one endpoint each, and while it lasted their conditions said
what was happening (Progressing, WaitingForAWS, naming AWS's answer) without ever
calling an object failed."""

from __future__ import annotations

import time

import pytest

from e2e import kit
from e2e.history import ConditionHistory
from endpoint_operator.sandbox.operator_process import OperatorProcess

from .test_operator_kills import FAST_ARGS, IMAGE

pytestmark = pytest.mark.timeout(600)

OUTAGE_SECONDS = 60.0


def doc(name: str, namespace: str, version: int = 1) -> dict:
    return kit.manifest(name, namespace, {
        "mode": "RealTime", "image": IMAGE,
        "models": [{"name": "m", "modelDataUrl": f"s3://outage-models/{name}/v{version}/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 1},
    })


@pytest.fixture
def space(plane, request) -> str:
    name = request.node.name.replace("_", "-")[5:40].strip("-")
    plane.kubectl("create", "namespace", name)
    return name


def apply_all(plane, emulator, docs: list[dict]) -> None:
    for d in docs:
        kit.apply(plane, d, emulator)


def all_ready(plane, namespace: str, names: list[str], timeout: float) -> list[dict]:
    return [kit.wait_condition(plane, namespace, n, "Ready", timeout=timeout) for n in names]


def created_once(emulator, ready: list[dict], after: int) -> None:
    created = sorted(c["params"]["EndpointName"] for c in emulator.client.calls(operation="CreateEndpoint", after=after)
                     if c["status"] < 400)
    assert created == sorted(o["status"]["endpoint"]["name"] for o in ready)


def waiting_messages(history: ConditionHistory) -> list[str]:
    return [s.message for s in history.seen if s.type == "Progressing" and s.reason == "WaitingForAWS"]


def last_seq(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0


def test_kube_apiserver_restarted_mid_run(plane, emulator, space, logs):
    operator = OperatorProcess(plane.kubeconfig, emulator.url, logs / "operator.log", extra_args=FAST_ARGS).start()
    try:
        start = last_seq(emulator)
        docs = [doc(f"api-{i}", space) for i in range(6)]
        with ConditionHistory(plane.kubeconfig, space) as history:
            apply_all(plane, emulator, docs)
            kit.wait_for(lambda: emulator.client.calls(operation="CreateEndpoint", after=start), timeout=60,
                         what="a first CreateEndpoint")
            plane.stop_apiserver()
            time.sleep(5)  # the outage itself
            plane.start_apiserver()
            ready = all_ready(plane, space, [d["metadata"]["name"] for d in docs], timeout=180)
        assert operator.process.poll() is None, "the operator died with the API server"
        created_once(emulator, ready, start)
        assert history.failures() == []
    finally:
        operator.stop()


def test_server_errors_then_throttling_storms(plane, emulator, space, logs):
    operator = OperatorProcess(plane.kubeconfig, emulator.url, logs / "operator.log", extra_args=FAST_ARGS).start()
    try:
        start = last_seq(emulator)
        docs = [doc(f"storm-{i}", space) for i in range(6)]
        with ConditionHistory(plane.kubeconfig, space) as history:
            storm = emulator.client.server_error(service="sagemaker", status=500)
            apply_all(plane, emulator, docs)
            kit.wait_for(lambda: any("InternalFailure" in m for m in waiting_messages(history)), timeout=60,
                         what="a condition saying SageMaker answered 5xx")
            emulator.client.remove_fault(storm)
            storm = emulator.client.throttle(service="sagemaker")
            kit.wait_for(lambda: any("ThrottlingException" in m for m in waiting_messages(history)), timeout=60,
                         what="a condition saying SageMaker throttled")
            emulator.client.remove_fault(storm)
            ready = all_ready(plane, space, [d["metadata"]["name"] for d in docs], timeout=240)
        created_once(emulator, ready, start)
        assert history.failures() == []
    finally:
        emulator.client.clear_faults()
        operator.stop()


def test_aws_unreachable_for_a_minute(plane, emulator, proxy, space, logs):
    operator = OperatorProcess(plane.kubeconfig, proxy.url, logs / "operator.log", extra_args=FAST_ARGS).start()
    try:
        start = last_seq(emulator)
        before = [doc(f"early-{i}", space) for i in range(3)]
        apply_all(plane, emulator, before)
        all_ready(plane, space, [d["metadata"]["name"] for d in before], timeout=120)
        during = [doc(f"late-{i}", space) for i in range(3)]
        with ConditionHistory(plane.kubeconfig, space) as history:
            proxy.cut()
            cut_at = time.monotonic()
            apply_all(plane, emulator, during)
            kit.seed_artifacts(emulator.url, ["s3://outage-models/early-0/v2/model.tar.gz"])
            kit.patch_spec(plane, space, "early-0", {"models": [
                {"name": "m", "modelDataUrl": "s3://outage-models/early-0/v2/model.tar.gz"}]})
            kit.wait_for(lambda: {s.name for s in history.seen if s.reason == "WaitingForAWS"
                                  and "EndpointConnectionError" in s.message} >= {"late-0", "late-1", "late-2", "early-0"},
                         timeout=OUTAGE_SECONDS, what="conditions saying AWS cannot be reached")
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))  # the rest of the outage
            proxy.restore()
            ready = all_ready(plane, space, [d["metadata"]["name"] for d in before + during], timeout=240)
            kit.wait_condition(plane, space, "early-0", "Ready", generation=2, timeout=120)
        created_once(emulator, ready, start)
        assert history.failures() == []
        assert operator.process.poll() is None
    finally:
        proxy.restore()
        operator.stop()
