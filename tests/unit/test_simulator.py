"""The scaling simulator on traces whose answer is known by hand."""

from __future__ import annotations

import math

import pytest

from endpoint_operator.api.spec import ScalingMetric
from endpoint_operator.cli import main
from endpoint_operator.plan.simulator import Policy, compare, p99_seconds, parse_trace, simulate

# 10 req/s on 2 instances of 10 req/s each, then a step to 40 req/s at 600 s.
STEP = [(0.0, 10.0), (600.0, 40.0), (1800.0, 40.0)]
# 300 invocations a minute per instance before the step, 1200 after; the target sits between.
POLICY = Policy(metric=ScalingMetric.INVOCATIONS_PER_INSTANCE, target=400, scale_out_cooldown=300,
                scale_in_cooldown=300, min_instances=2, max_instances=10)
START = 240


def test_a_step_is_detected_after_three_periods_of_each_resolution():
    result = compare(STEP, POLICY, capacity=10, instance_start=START)
    slow, fast = result.standard, result.high_resolution
    assert slow.breach_onset == fast.breach_onset == 600
    # Three whole 60-second datapoints above the target: 600-660, 660-720, 720-780.
    assert slow.decisions == [(780, 2, 6)]  # ceil(1200 x 2 / 400) = 6
    # Three 10-second datapoints: 600-610, 610-620, 620-630.
    assert fast.decisions == [(630, 2, 6)]
    assert (slow.detection_seconds, fast.detection_seconds) == (180, 30)
    assert result.speedup == pytest.approx(6.0)


def test_new_instances_serve_after_their_start_time_and_latency_recovers():
    slow = simulate(STEP, POLICY, capacity=10, instance_start=START, period=60)
    serving = {s.time: s.in_service for s in slow.samples}
    assert (serving[780 + START - 1], serving[780 + START]) == (2, 6)
    before = slow.samples[599]
    assert before.p99_seconds == pytest.approx(math.log(100) / (10 * 0.5))  # M/M/1 at rho 0.5
    assert slow.samples[1000].p99_seconds > 10 * before.p99_seconds  # overloaded while instances start
    assert slow.samples[-1].queue == 0 and slow.samples[-1].p99_seconds < 2 * before.p99_seconds


def test_faster_detection_serves_sooner_at_a_higher_instance_bill():
    result = compare(STEP, POLICY, capacity=10, instance_start=START)
    slow, fast = result.standard, result.high_resolution
    assert slow.instance_hours == pytest.approx((780 * 2 + 1021 * 6) / 3600)
    assert fast.instance_hours == pytest.approx((630 * 2 + 1171 * 6) / 3600)
    assert fast.timed_out < slow.timed_out
    assert fast.seconds_over(2.0) < slow.seconds_over(2.0)  # 6 instances answer within 1.4 s


def test_a_fixed_count_never_scales():
    fixed = Policy(metric=ScalingMetric.INVOCATIONS_PER_INSTANCE, target=400, scale_out_cooldown=60,
                   scale_in_cooldown=300, min_instances=2, max_instances=2, autoscaled=False)
    assert simulate(STEP, fixed, capacity=10, instance_start=START, period=10).decisions == []


def test_quiet_traffic_scales_in_after_fifteen_quiet_minutes():
    quiet = [(0.0, 40.0), (600.0, 4.0), (3600.0, 4.0)]
    policy = Policy(metric=ScalingMetric.INVOCATIONS_PER_INSTANCE, target=400, scale_out_cooldown=60,
                    scale_in_cooldown=300, min_instances=2, max_instances=10)
    run = simulate(quiet, policy, capacity=10, instance_start=0, period=10)
    # 40 req/s on 2 instances breaches at once: 6 instances; quiet from 600 s, the scale-in
    # alarm needs minutes 10-25 below 360: decided at 1500 s, to the floor of 2.
    assert run.decisions[0] == (30, 2, 6)
    assert run.decisions[-1] == (1500, 6, 2)


def test_p99_rises_with_utilisation_and_with_the_queue():
    assert p99_seconds(5, 10, 0) < p99_seconds(9, 10, 0) < p99_seconds(9, 10, 5)


def test_trace_csv_with_header_and_comments():
    assert parse_trace("seconds,rps\n# a comment\n\n60,5\n0,1\n") == [(0.0, 1.0), (60.0, 5.0)]
    with pytest.raises(ValueError, match="line 3"):
        parse_trace("0,1\n10,2\nten,3\n")


def test_the_command_prints_both_runs_and_the_speedup(tmp_path, capsys):
    trace = tmp_path / "step.csv"
    trace.write_text("seconds,requests_per_second\n0,10\n600,40\n1800,40\n")
    manifest = tmp_path / "m.yaml"
    manifest.write_text("""
apiVersion: serving.endpoint-operator.io/v1alpha1
kind: ModelEndpoint
metadata: {name: step, namespace: default}
spec:
  region: us-east-1
  executionRoleArn: arn:aws:iam::111122223333:role/x
  mode: RealTime
  image: img:1
  models: [{name: m, modelDataUrl: s3://models/m/model.tar.gz}]
  instances: {type: ml.m5.large, min: 2, max: 10}
  autoscaling: {metric: InvocationsPerInstance, target: 400, scaleOutCooldownSeconds: 300}
""")
    assert main(["simulate-scaling", "--trace", str(trace), "--manifest", str(manifest), "--capacity", "10",
                 "--instance-start-seconds", "240"]) == 0
    out = capsys.readouterr().out
    assert "planning aid" in out
    assert "60-second metric: scale-out decided at 13:00, 180s" in out
    assert "10-second metric: scale-out decided at 10:30, 30s" in out
    assert "6.0x faster (180s -> 30s)" in out


def test_the_command_refuses_a_bad_trace(tmp_path, capsys):
    trace = tmp_path / "bad.csv"
    trace.write_text("0,1\nx,y\n")
    assert main(["simulate-scaling", "--trace", str(trace), "--manifest", "examples/realtime.yaml", "--capacity", "10"]) == 2
    assert "line 2" in capsys.readouterr().err
