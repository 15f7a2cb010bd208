"""Two replicas on one Lease while the leader is SIGKILLed again and again: never both
reconciling. Each replica signs with its own access key, so the emulator's call log
says who sent what; the SageMaker calls, in arrival order, change hands at most once
per kill."""

from __future__ import annotations

import random
import time

import pytest

from e2e import kit
from endpoint_operator.sandbox.operator_process import OperatorProcess

from .test_operator_kills import FAST_ARGS
from .test_outages import doc

pytestmark = pytest.mark.timeout(600)

SEED = 7
KILLS = 5
LEASE_ARGS = ["--leader-election", "--lease-namespace", "default", "--lease-name", "chaos-operator",
              "--lease-duration", "3", "--renew-deadline", "2", "--retry-period", "0.5"]
KEYS = ("replica-a", "replica-b")


def leading(process: OperatorProcess) -> bool:
    try:
        return "endpoint_operator_leader 1.0" in process.metrics()
    except OSError:
        return False


def test_two_replicas_never_reconcile_at_once(plane, emulator, logs):
    rng = random.Random(SEED)
    plane.kubectl("create", "namespace", "replicas")
    replicas = [OperatorProcess(plane.kubeconfig, emulator.url, logs / f"{key}.log", extra_args=[*FAST_ARGS, *LEASE_ARGS],
                                env={"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": key}).start()
                for key in KEYS]
    start = emulator.client.calls()[-1]["seq"] if emulator.client.calls() else 0
    names = [f"pair-{i}" for i in range(8)]
    try:
        for name in names:
            kit.apply(plane, doc(name, "replicas"), emulator)
        for _ in range(KILLS):
            leader = kit.wait_for(lambda: next((r for r in replicas if leading(r)), None), timeout=30,
                                  what="a leader")
            time.sleep(rng.uniform(0.5, 3.0))  # the kill point, not a wait for a state
            leader.kill()
            leader.start()  # back as a follower: the other one takes the lease when it expires
        ready = [kit.wait_condition(plane, "replicas", n, "Ready", timeout=180) for n in names]
    finally:
        for replica in replicas:
            replica.stop()

    calls = [c for c in emulator.client.calls(service="sagemaker", after=start) if c["access_key"] in KEYS]
    hands = [c["access_key"] for c in calls]
    switches = sum(1 for a, b in zip(hands, hands[1:]) if a != b)
    assert set(hands) == set(KEYS), "the leadership never moved: the test proved nothing"
    assert switches <= KILLS, f"calls changed hands {switches} times for {KILLS} kills: both replicas acted"
    created = sorted(c["params"]["EndpointName"] for c in calls if c["operation"] == "CreateEndpoint" and c["status"] < 400)
    assert created == sorted(o["status"]["endpoint"]["name"] for o in ready)
