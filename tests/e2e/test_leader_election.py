"""Two replicas of the operator on one Lease: only the holder touches AWS; when it
dies the other takes over. The emulator's call log tells the replicas apart by the
access key each one signs with."""

from __future__ import annotations

from endpoint_operator.sandbox.emulator.calls import READ_PREFIXES
from endpoint_operator.sandbox.operator_process import OperatorProcess

from . import kit
from .conftest import FAST_ARGS, LEASE_ARGS

LEADER_KEY = "sandbox"  # what OperatorProcess signs with by default
STANDBY_KEY = "standby"


def leading(process: OperatorProcess) -> bool:
    return "endpoint_operator_leader 1.0" in process.metrics()


def calls_by(emulator, key: str, after: int) -> list[dict]:
    return [c for c in emulator.client.calls(after=after) if c["access_key"] == key]


def mutations(calls: list[dict]) -> list[dict]:
    return [c for c in calls if c["service"] == "sagemaker" and not c["operation"].startswith(READ_PREFIXES)]


def test_only_the_lease_holder_acts_and_a_follower_takes_over(operator, control_plane, emulator, namespace,
                                                              tmp_path):
    kit.wait_for(lambda: leading(operator), timeout=30, what="the session operator to lead")
    second = OperatorProcess(control_plane.kubeconfig, emulator.url, tmp_path / "second.log",
                             extra_args=[*FAST_ARGS, *LEASE_ARGS],
                             env={"AWS_ACCESS_KEY_ID": STANDBY_KEY, "AWS_SECRET_ACCESS_KEY": STANDBY_KEY})
    second.start()
    try:
        assert not leading(second)
        start = _last_seq(emulator)

        first = kit.example("realtime.yaml", namespace, rename="leader-one")
        kit.apply(control_plane, first, emulator)
        obj = kit.wait_condition(control_plane, namespace, "leader-one", "Ready", timeout=90)
        endpoint = obj["status"]["endpoint"]["name"]
        assert calls_by(emulator, STANDBY_KEY, start) == []
        created = [c for c in mutations(calls_by(emulator, LEADER_KEY, start)) if c["operation"] == "CreateEndpoint"]
        assert [c["params"]["EndpointName"] for c in created] == [endpoint]
        assert "endpoint_operator_objects 1.0" in second.metrics()  # the follower tracks it all the same

        # The leader dies without releasing: the follower waits out the lease, then acts.
        operator.kill()
        kit.wait_for(lambda: leading(second), timeout=30, what="the follower to take over")
        takeover = _last_seq(emulator)
        later = kit.example("realtime.yaml", namespace, rename="leader-two")
        kit.apply(control_plane, later, emulator)
        obj = kit.wait_condition(control_plane, namespace, "leader-two", "Ready", timeout=90)
        created = [c for c in mutations(calls_by(emulator, STANDBY_KEY, takeover))
                   if c["operation"] == "CreateEndpoint"]
        assert [c["params"]["EndpointName"] for c in created] == [obj["status"]["endpoint"]["name"]]
        # The dead replica sent nothing; the test's own S3 seeding signs with the same key.
        assert [c for c in calls_by(emulator, LEADER_KEY, takeover) if c["service"] == "sagemaker"] == []
    finally:
        # Hand the lease back to the session operator for the tests after this one:
        # a clean stop releases it, so the restarted replica takes over at once.
        if operator.process is None or operator.process.poll() is not None:
            operator.start()
        second.stop()
    kit.wait_for(lambda: leading(operator), timeout=30, what="the session operator to lead again")
    kit.delete(control_plane, namespace, "leader-one")
    kit.delete(control_plane, namespace, "leader-two")


def _last_seq(emulator) -> int:
    calls = emulator.client.calls()
    return calls[-1]["seq"] if calls else 0
