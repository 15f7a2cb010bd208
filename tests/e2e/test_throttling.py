"""SageMaker throttling above a few calls a second: the shared client-side limiter backs
off, no ThrottlingException ever reaches a condition as a failure, and every object
gets to Ready."""

from __future__ import annotations

import yaml

from endpoint_operator.sandbox.seed import artifact_urls, seed_artifacts

from . import kit
from .history import ConditionHistory

OBJECTS = 30
SAGEMAKER_TPS = 8  # per operation class (reads, writes): under the read budget of 10/s, so AWS does throttle
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"


def small(name: str, namespace: str) -> dict:
    return kit.manifest(name, namespace, {
        "mode": "RealTime", "image": IMAGE,
        "models": [{"name": "m", "modelDataUrl": f"s3://throttled-models/{name}/model.tar.gz"}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 1},
    })


def test_a_throttled_burst_reaches_ready_without_a_failure_condition(operator, control_plane, emulator, namespace):
    docs = [small(f"burst-{i:02d}", namespace) for i in range(OBJECTS)]
    seed_artifacts(emulator.url, artifact_urls(docs))
    start = _last_seq(emulator)
    rule = emulator.client.rate_limit(per_second=SAGEMAKER_TPS, service="sagemaker")
    try:
        with ConditionHistory(control_plane.kubeconfig, namespace) as history:
            control_plane.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(docs))
            ready = [kit.wait_condition(control_plane, namespace, doc["metadata"]["name"], "Ready", timeout=300)
                     for doc in docs]
    finally:
        emulator.client.remove_fault(rule)

    calls = emulator.client.calls(service="sagemaker", after=start)
    throttled = [c for c in calls if c["error_code"] == "ThrottlingException"]
    assert throttled, "the emulator never throttled: the test proved nothing"
    assert history.failures() == []
    mentions = [s for s in history.seen if "Throttl" in s.message and s.type != "Progressing"]
    assert mentions == []
    # Each object made exactly one endpoint, whatever was retried on the way.
    created = [c["params"]["EndpointName"] for c in calls if c["operation"] == "CreateEndpoint" and c["status"] < 400]
    assert sorted(created) == sorted(obj["status"]["endpoint"]["name"] for obj in ready)
    for doc in docs:
        kit.delete(control_plane, namespace, doc["metadata"]["name"], wait=False)


def _last_seq(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0
