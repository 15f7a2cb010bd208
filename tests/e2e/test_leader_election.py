"""Two replicas of the operator on one Lease: only the holder touches AWS; when it
dies the other takes over. The emulator's call log tells the replicas apart by the
access key each one signs with."""

from __future__ import annotations

from endpoint_operator.sandbox.emulator.calls import READ_PREFIXES
from endpoint_operator.sandbox.operator_process import OperatorProcess

from . import kit
from .conftest import FAST_ARGS
from .standby import FAST_LEASE, leading, session_operator_stood_down


def replica(control_plane, emulator, namespace: str, key: str, log_path) -> OperatorProcess:
    return OperatorProcess(control_plane.kubeconfig, emulator.url, log_path,
                           extra_args=[*FAST_ARGS, *FAST_LEASE, "--lease-namespace", namespace,
                                       "--lease-name", "replicas"],
                           env={"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": key})


def calls_by(emulator, key: str, after: int) -> list[dict]:
    return [c for c in emulator.client.calls(after=after) if c["access_key"] == key]


def mutations(calls: list[dict]) -> list[dict]:
    return [c for c in calls if c["service"] == "sagemaker" and not c["operation"].startswith(READ_PREFIXES)]


def created_endpoints(calls: list[dict]) -> list[str]:
    return [c["params"]["EndpointName"] for c in mutations(calls) if c["operation"] == "CreateEndpoint"]


def test_only_the_lease_holder_acts_and_a_follower_takes_over(operator, control_plane, emulator, namespace,
                                                              tmp_path):
    with session_operator_stood_down(operator):
        first = replica(control_plane, emulator, namespace, "first", tmp_path / "first.log").start()
        second = None
        try:
            kit.wait_for(lambda: leading(first), timeout=30, what="the first replica to lead")
            second = replica(control_plane, emulator, namespace, "second", tmp_path / "second.log").start()
            assert not leading(second)
            start = _last_seq(emulator)

            kit.apply(control_plane, kit.example("realtime.yaml", namespace, rename="leader-one"), emulator)
            obj = kit.wait_condition(control_plane, namespace, "leader-one", "Ready", timeout=90)
            assert calls_by(emulator, "second", start) == []  # not even a read
            assert created_endpoints(calls_by(emulator, "first", start)) == [obj["status"]["endpoint"]["name"]]
            # The follower tracks the object all the same, ready to take over.
            assert f'endpoint_operator_ready{{name="leader-one",namespace="{namespace}"}} 1.0' in second.metrics()

            # The leader dies without releasing: the follower waits out the lease, then acts.
            first.kill()
            kit.wait_for(lambda: leading(second), timeout=30, what="the follower to take over")
            takeover = _last_seq(emulator)
            kit.apply(control_plane, kit.example("realtime.yaml", namespace, rename="leader-two"), emulator)
            obj = kit.wait_condition(control_plane, namespace, "leader-two", "Ready", timeout=90)
            assert created_endpoints(calls_by(emulator, "second", takeover)) == [obj["status"]["endpoint"]["name"]]
            assert calls_by(emulator, "first", takeover) == []
            kit.delete(control_plane, namespace, "leader-one")
            kit.delete(control_plane, namespace, "leader-two")
        finally:
            first.kill()
            if second is not None:
                second.stop()


def _last_seq(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0
