"""The operator SIGKILLed in the exact window where SageMaker has taken a rollout's call
and the operator has not yet heard back, let alone written status: after the canary
UpdateEndpoint, after a weight shift, and after the promotion UpdateEndpoint.

The emulator's stall fault holds the answer after the call took effect; the test kills
the operator while it waits, then starts a new one. The rollout must finish as if
nothing happened: each call once, the steps walked once and in order, the endpoint on
the new model alone."""

from __future__ import annotations

import pytest

from e2e import kit
from endpoint_operator.sandbox.operator_process import OperatorProcess

pytestmark = pytest.mark.timeout(300)

NAMESPACE = "default"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
STEPS = [{"weight": 20, "pause": "2s"}, {"weight": 60, "pause": "2s"}, {"weight": 100}]
FAST_ARGS = ["--fast-poll-seconds", "0.5", "--sweep-seconds", "1", "--resync-seconds", "30"]
STALL_SECONDS = 20.0  # far longer than the kill takes; shorter than the client's read timeout


def model_url(name: str, version: int) -> str:
    return f"s3://crash-window-models/{name}/v{version}/model.tar.gz"


def doc(name: str, version: int) -> dict:
    return kit.manifest(name, NAMESPACE, {
        "mode": "RealTime", "image": IMAGE,
        "models": [{"name": "m", "modelDataUrl": model_url(name, version)}],
        "instances": {"type": "ml.m5.large", "min": 1, "max": 1},
        "rollout": {"steps": STEPS},
    })


def rollout_of(plane, name: str) -> dict:
    return ((kit.get(plane, NAMESPACE, name) or {}).get("status") or {}).get("rollout") or {}


def sagemaker_calls(emulator, operation: str, endpoint: str) -> list[dict]:
    return [c for c in emulator.client.calls(service="sagemaker", operation=operation)
            if c["status"] < 400 and c["params"].get("EndpointName") == endpoint]


@pytest.mark.parametrize("window", ["canary-update", "weight-shift", "promotion-update"])
def test_a_kill_between_a_rollout_call_and_its_answer_repeats_nothing(plane, emulator, logs, window):
    name = f"crash-{window}"
    kit.seed_artifacts(emulator.url, [model_url(name, 1), model_url(name, 2)])
    operator = OperatorProcess(plane.kubeconfig, emulator.url, logs / "operator.log", extra_args=FAST_ARGS)
    operator.start()
    try:
        kit.apply(plane, doc(name, 1))
        ready = kit.wait_condition(plane, NAMESPACE, name, "Ready", timeout=90)
        endpoint = ready["status"]["endpoint"]["name"]

        params = {"EndpointName": endpoint}
        # The first UpdateEndpoint of a rollout places the canary; the promotion's goes to its target.
        operation = "UpdateEndpointWeightsAndCapacities" if window == "weight-shift" else "UpdateEndpoint"
        if window != "promotion-update":
            emulator.client.stall(STALL_SECONDS, service="sagemaker", operation=operation, params=params)
        kit.patch_spec(plane, NAMESPACE, name, {"models": [{"name": "m", "modelDataUrl": model_url(name, 2)}]})
        if window == "promotion-update":
            params["EndpointConfigName"] = kit.wait_for(lambda: rollout_of(plane, name).get("toRevision"),
                                                        timeout=60, what="the rollout's target")
            emulator.client.stall(STALL_SECONDS, service="sagemaker", operation=operation, params=params)

        # The emulator logs a call once it took effect, before the held answer goes out.
        kit.wait_for(lambda: [c for c in sagemaker_calls(emulator, operation, endpoint)
                              if params.items() <= c["params"].items()],
                     timeout=90, what=f"SageMaker to take the {window} call")
        operator.kill()
        emulator.client.clear_faults()
        operator.start()

        def succeeded():
            obj = kit.get(plane, NAMESPACE, name) or {}
            ready = kit.condition(obj, "Ready") or {}
            phase = ((obj.get("status") or {}).get("rollout") or {}).get("phase")
            return obj if phase == "Succeeded" and ready.get("status") == "True" else None
        done = kit.wait_for(succeeded, timeout=120, what="the rollout Succeeded and the object Ready")
        rollout = done["status"]["rollout"]
        shifts = [{row["VariantName"]: row["DesiredWeight"] for row in c["params"]["DesiredWeightsAndCapacities"]}
                  for c in sagemaker_calls(emulator, "UpdateEndpointWeightsAndCapacities", endpoint)]
        assert [s["canary"] for s in shifts] == [60.0, 100.0], "a step was shifted twice, skipped, or walked again"
        updates = [c["params"]["EndpointConfigName"] for c in sagemaker_calls(emulator, "UpdateEndpoint", endpoint)]
        assert updates == [rollout["canaryConfig"], rollout["toRevision"]], "the rollout's endpoint updates, once each"
        assert len(sagemaker_calls(emulator, "CreateEndpoint", endpoint)) == 1
        sm = kit.client(emulator, "sagemaker")
        assert sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"] == rollout["toRevision"]
        events = [reason for _, reason, _ in kit.events(plane, NAMESPACE, name)]
        assert "DriftCorrected" not in events and events.count("RolloutStarted") == 1
        kit.delete(plane, NAMESPACE, name, timeout=120)
    finally:
        operator.stop()
