"""The operator SIGKILLed at seeded random moments while objects are created, updated
(plain updates and canary rollouts walking their steps) and deleted.

Each cycle changes one object, starts the operator, lets it run for a random fraction
of a few seconds and kills it, so every kill lands with work in flight. Afterwards the
emulator's call log must show one CreateEndpoint per endpoint, each rollout's traffic
shifts exactly once per step and in order, no weights summing to 0, and the orphan
audit must find nothing."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time

import pytest

from e2e import kit
from endpoint_operator.sandbox.operator_process import OperatorProcess

pytestmark = pytest.mark.timeout(900)

SEED = 9
OBJECTS = 18  # one per cycle and phase: 54 kills
ROLLOUT_EVERY = 3  # every third object has a canary rollout
STEPS = [{"weight": 20, "pause": "1s"}, {"weight": 60, "pause": "1s"}, {"weight": 100}]
SHIFTS = [60.0, 100.0]  # the first step comes with the two-variant config
RUN_SECONDS = (0.2, 2.5)  # how long the operator lives before each kill
FAST_ARGS = ["--fast-poll-seconds", "0.5", "--sweep-seconds", "1", "--resync-seconds", "30"]
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
NAMESPACE = "default"


def name_of(i: int) -> str:
    return f"{'canary' if i % ROLLOUT_EVERY == 0 else 'plain'}-{i:02d}"


def model_url(i: int, version: int) -> str:
    return f"s3://chaos-models/{name_of(i)}/v{version}/model.tar.gz"


def doc(i: int, version: int = 1) -> dict:
    spec = {"mode": "RealTime", "image": IMAGE,
            "models": [{"name": "m", "modelDataUrl": model_url(i, version)}],
            "instances": {"type": "ml.m5.large", "min": 1, "max": 1}}
    if i % ROLLOUT_EVERY == 0:
        spec["rollout"] = {"steps": STEPS}
    return kit.manifest(name_of(i), NAMESPACE, spec)


class Killer:
    def __init__(self, operator: OperatorProcess, rng: random.Random):
        self.operator, self.rng, self.kills = operator, rng, 0

    def cycle(self) -> None:
        self.operator.start()
        time.sleep(self.rng.uniform(*RUN_SECONDS))  # the kill point, not a wait for a state
        self.operator.kill()
        self.kills += 1

    def settle(self, probe, what: str, timeout: float = 240) -> None:
        """Let one operator run undisturbed until `probe` holds, then stop it."""
        self.operator.start()
        try:
            kit.wait_for(probe, timeout=timeout, interval=0.5, what=what)
        finally:
            self.operator.kill()


def objects(plane) -> dict[str, dict]:
    result = plane.kubectl("get", "mep", "-n", NAMESPACE, "-o", "json")
    return {o["metadata"]["name"]: o for o in json.loads(result.stdout)["items"]}


def converged(plane, generation: int) -> bool:
    found = objects(plane)
    if len(found) != OBJECTS:
        return False
    for name, obj in found.items():
        ready = kit.condition(obj, "Ready") or {}
        if ready.get("status") != "True" or ready.get("observedGeneration") != obj["metadata"]["generation"]:
            return False
        if obj["metadata"]["generation"] != generation:
            return False
        rollout = (obj.get("status") or {}).get("rollout")
        if generation > 1 and name.startswith("canary") and (rollout or {}).get("phase") != "Succeeded":
            return False
    return True


def test_kills_across_create_update_rollout_and_delete_leave_no_trace(plane, emulator, logs):
    rng = random.Random(SEED)
    kit.seed_artifacts(emulator.url, [model_url(i, v) for i in range(OBJECTS) for v in (1, 2)])
    operator = OperatorProcess(plane.kubeconfig, emulator.url, logs / "operator.log", extra_args=FAST_ARGS)
    killer = Killer(operator, rng)

    for i in range(OBJECTS):  # create
        kit.apply(plane, doc(i))
        killer.cycle()
    killer.settle(lambda: converged(plane, 1), "every object Ready")
    endpoints = {name: obj["status"]["endpoint"]["name"] for name, obj in objects(plane).items()}

    for i in range(OBJECTS):  # update: a new model; canary objects walk their steps
        kit.patch_spec(plane, NAMESPACE, name_of(i), {"models": [{"name": "m", "modelDataUrl": model_url(i, 2)}]})
        killer.cycle()
    killer.settle(lambda: converged(plane, 2), "every object Ready on generation 2, rollouts Succeeded")

    for i in range(OBJECTS):  # delete
        plane.kubectl("delete", "mep", name_of(i), "-n", NAMESPACE, "--wait=false")
        killer.cycle()
    killer.settle(lambda: not objects(plane), "every object gone")

    assert killer.kills >= 50
    calls = emulator.client.calls(service="sagemaker")
    ok = [c for c in calls if c["status"] < 400]

    created = sorted(c["params"]["EndpointName"] for c in ok if c["operation"] == "CreateEndpoint")
    assert created == sorted(endpoints.values()), "an endpoint was created twice, or not at all"

    shifts = [c for c in ok if c["operation"] == "UpdateEndpointWeightsAndCapacities"]
    off_walk = {}
    for name, endpoint in endpoints.items():
        if name.startswith("canary"):
            walked = [_weights(c)["canary"] for c in shifts if c["params"]["EndpointName"] == endpoint]
            if walked != SHIFTS:
                off_walk[name] = walked
    assert [c for c in shifts if sum(_weights(c).values()) <= 0] == []
    configs = [c for c in ok if c["operation"] == "CreateEndpointConfig"]
    assert [c for c in configs if sum(v["InitialVariantWeight"] for v in c["params"]["ProductionVariants"]) <= 0] == []

    audit = subprocess.run(
        [sys.executable, "-m", "endpoint_operator.cli", "audit", "--kubeconfig", str(plane.kubeconfig),
         "--aws-endpoint-url", emulator.url, "--region", "us-east-1"],
        capture_output=True, text=True, env=_aws_env(), timeout=120)
    assert audit.returncode == 0, audit.stdout + audit.stderr
    sm = kit.client(emulator, "sagemaker")
    assert sm.list_endpoints()["Endpoints"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    assert sm.list_models()["Models"] == []
    assert off_walk == {}, "a rollout shifted a step twice, skipped one, or walked its steps again"


def _weights(call: dict) -> dict[str, float]:
    return {row["VariantName"]: row["DesiredWeight"] for row in call["params"]["DesiredWeightsAndCapacities"]}


def _aws_env() -> dict[str, str]:
    return {**os.environ, "AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox",
            "AWS_DEFAULT_REGION": "us-east-1"}
