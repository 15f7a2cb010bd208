"""At rest, out-of-band changes are seen by the sweeps, not by a per-object resync: with
the resync an hour away, a scaling policy changed behind the operator's back is put back
after the next scaling sweep."""

from __future__ import annotations

from endpoint_operator.sandbox.operator_process import OperatorProcess

from . import kit
from .standby import session_operator_stood_down
from .test_autoscaling import policies, scaled

# The session operator's intervals, but a resync far beyond the test, so only the sweeps can see a change.
SWEEPS_ONLY = ["--fast-poll-seconds", "0.5", "--sweep-seconds", "1", "--scaling-sweep-seconds", "1",
               "--resync-seconds", "3600", "--reads-per-second", "50", "--mutations-per-second", "20"]


def test_a_scaling_policy_changed_out_of_band_is_put_back_by_the_scaling_sweep(
        operator, control_plane, emulator, namespace, tmp_path):
    with session_operator_stood_down(operator), \
            OperatorProcess(control_plane.kubeconfig, emulator.url, tmp_path / "operator.log",
                            extra_args=SWEEPS_ONLY) as own:
        kit.apply(control_plane, scaled(namespace, "steady"), emulator)
        obj = kit.wait_condition(control_plane, namespace, "steady", "Ready", timeout=90)
        endpoint = obj["status"]["endpoint"]["name"]
        [policy] = kit.wait_for(lambda: policies(emulator, endpoint), timeout=30, what="the scaling policy")
        config = policy["TargetTrackingScalingPolicyConfiguration"]
        assert config["TargetValue"] == 8.0
        # At rest: status shows the policy and nothing is in progress any more.
        kit.wait_condition(control_plane, namespace, "steady", "Progressing", status="False", timeout=30)
        kit.wait_for(lambda: (kit.get(control_plane, namespace, "steady")["status"].get("variants") or [{}])[0]
                     .get("policies"), timeout=30, what="the policy in status")

        kit.client(emulator, "application-autoscaling").put_scaling_policy(
            PolicyName=policy["PolicyName"], ServiceNamespace="sagemaker", ResourceId=policy["ResourceId"],
            ScalableDimension=policy["ScalableDimension"], PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={**config, "TargetValue": 20.0})

        def restored():
            [now] = policies(emulator, endpoint)
            return now["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 8.0
        kit.wait_for(restored, timeout=30, what=f"the policy's target put back to 8\n{own.log()}")
        kit.delete(control_plane, namespace, "steady")
