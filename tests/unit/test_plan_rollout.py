"""The canary state machine, transition by transition, then a whole walk in a tiny
in-memory world (weights move only when the planner shifts them)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_plan_kit import bp_of, conditions_by_type, realtime_spec, short

from endpoint_operator.api.resources import ObservedConfig, ObservedEndpoint, ObservedVariant
from endpoint_operator.api.status import EndpointStatus, ModelEndpointStatus, RolloutStatus
from endpoint_operator.plan import actions as a
from endpoint_operator.plan import rollout as ro
from endpoint_operator.plan.duration import parse_duration
from endpoint_operator.plan.gates import GateReadings, judge, query_for
from endpoint_operator.plan.observed import Observed
from endpoint_operator.plan.reconcile import reconcile

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
ALARM = "canary-5xx"
STEPS = [{"weight": 15, "pause": "1h"}, {"weight": 50, "pause": "1h"}, {"weight": 100}]
ROLL = {"steps": STEPS, "analysis": {"alarms": [ALARM], "interval": "30s"}}
V8, V9 = "s3://models/recsys/v8/model.tar.gz", "s3://models/recsys/v9/model.tar.gz"

OLD = bp_of(realtime_spec(rollout=ROLL))
NEW = bp_of(realtime_spec(data=V8, rollout=ROLL))
NEWER = bp_of(realtime_spec(data=V9, rollout=ROLL))
PLAIN_NEW = bp_of(realtime_spec(data=V8))
K = ro.canary_config(NEW, OLD.config.variants[0], 1, 15)
K_NEWER = ro.canary_config(NEWER, OLD.config.variants[0], 1, 15)

OK = GateReadings(alarms={ALARM: "OK"}, metrics={})
FIRING = GateReadings(alarms={ALARM: "ALARM"}, metrics={})
NO_DATA = GateReadings(alarms={ALARM: "INSUFFICIENT_DATA"}, metrics={})


def with_rollout(bp, **rollout):
    return bp_of(realtime_spec(data=bp.models[0].container.model_data_url, rollout={**ROLL, **rollout}))


def ep_on(config, status="InService", canary=None, failure=None) -> ObservedEndpoint:
    if canary is None:
        variants = (ObservedVariant(name="primary", weight=1.0, current_instances=1, desired_instances=1),)
    else:
        variants = (ObservedVariant(name="primary", weight=float(100 - canary), current_instances=1, desired_instances=1),
                    ObservedVariant(name="canary", weight=float(canary), current_instances=1, desired_instances=1))
    return ObservedEndpoint(name=OLD.endpoint_name, arn="arn:aws:sagemaker:us-east-1:1:endpoint/x", status=status,
                            config_name=config.name, failure_reason=failure, variants=variants)


def world(config, status="InService", canary=None, failure=None, configs=(OLD.config, NEW.config, K)) -> Observed:
    described = {c.name: ObservedConfig(name=c.name, variant_models=tuple(v.model_name for v in c.variants), variants=c.variants)
                 for c in configs}
    models = frozenset(v.model_name for c in configs for v in c.variants)
    return Observed(endpoint=ep_on(config, status, canary, failure), models=models, configs=described)


def prev(phase=None, step=0, weight=15, started=T0, endpoint_status="InService", target=None, config=None,
         handled=None, bp=NEW, canary=K, message=None, last_gate=None) -> ModelEndpointStatus:
    rollout = None
    if phase is not None or handled is not None:
        rollout = RolloutStatus(phase=phase, step=step, weight=weight, steps=len(STEPS), step_started_at=started,
                                from_revision=OLD.config.name, to_revision=bp.config.name, canary_config=canary.name,
                                handled_command=handled, message=message, last_gate=last_gate)
        if phase is None:
            rollout = RolloutStatus(handled_command=handled)
    return ModelEndpointStatus(
        observed_generation=2, revision=bp.revision, rollout=rollout,
        endpoint=EndpointStatus(name=OLD.endpoint_name, status=endpoint_status, config_name=(config or K).name, target_config=target),
    )


def later(**delta) -> datetime:
    return T0 + timedelta(**delta)


def shorts(plan) -> list[str]:
    out = []
    for action in plan.step.actions if plan.step else ():
        if isinstance(action, a.ShiftTraffic):
            out.append(f"ShiftTraffic:{dict(action.weights)['canary']:g}")
        else:
            out.append(short(action))
    return out


def notices(plan) -> list[str]:
    return [reason for _, reason, _ in plan.notices]


# (id, blueprint, observed, previous, gates, command, now) ->
#   (actions, phase, step, weight, progressing reason or None when not engaged, notices)
TRANSITIONS = [
    ("no-rollout-at-rest", OLD, world(OLD.config), None, None, None, T0,
     [], None, None, None, None, []),
    ("model-change-starts-canary", NEW, world(OLD.config, configs=(OLD.config, NEW.config)), None, None, None, T0,
     [f"CreateEndpointConfig:{K.name}", f"UpdateEndpoint:{K.name}"], ro.STARTING, 0, 15, "CanaryStarting", ["RolloutStarted"]),
    ("no-spec-rollout-is-a-plain-update", PLAIN_NEW, world(OLD.config), None, None, None, T0,
     [], None, None, None, None, []),
    ("same-model-is-a-plain-update", with_rollout(OLD, analysis=None), world(OLD.config), None, None, None, T0,
     [], None, None, None, None, []),
    ("starting-waits-while-updating", NEW, world(OLD.config, "Updating"), prev(ro.STARTING, started=None, config=OLD.config, target=K.name),
     None, None, T0, [], ro.STARTING, 0, 15, "CanaryStarting", []),
    ("starting-resends-a-lost-update", NEW, world(OLD.config), prev(ro.STARTING, started=None, config=OLD.config, target=K.name),
     None, None, T0, [f"UpdateEndpoint:{K.name}"], ro.STARTING, 0, 15, "CanaryStarting", []),
    ("starting-canary-config-vanished-is-rebuilt", NEW, world(OLD.config, configs=(OLD.config, NEW.config)),
     prev(ro.STARTING, started=None, config=OLD.config, target=K.name), None, None, T0,
     [f"CreateEndpointConfig:{K.name}", f"UpdateEndpoint:{K.name}"], ro.STARTING, 0, 15, "CanaryStarting", ["RolloutStarted"]),
    ("moved-off-the-canary-out-of-band-places-it-again", NEW, world(OLD.config), prev(ro.PROGRESSING, 1, 50), OK, None, T0,
     [f"UpdateEndpoint:{K.name}"], ro.STARTING, 0, 15, "CanaryStarting", ["DriftCorrected"]),
    ("starting-lands-on-step-1", NEW, world(K, canary=15), prev(ro.STARTING, started=None, endpoint_status="Updating", target=K.name),
     None, None, T0, [], ro.PROGRESSING, 0, 15, "CanaryStep", ["CanaryStep"]),
    ("starting-update-rolled-back-by-sagemaker", NEW, world(OLD.config, failure="health check failed"),
     prev(ro.STARTING, started=None, endpoint_status="Updating", target=K.name, config=OLD.config), None, None, T0,
     [], ro.ROLLED_BACK, 0, 0, "RolledBack", ["RolledBack"]),
    ("step-holds-during-pause", NEW, world(K, canary=15), prev(ro.PROGRESSING), OK, None, later(minutes=10),
     [], ro.PROGRESSING, 0, 15, "CanaryStep", []),
    ("pause-over-gates-pass-shifts-to-50", NEW, world(K, canary=15), prev(ro.PROGRESSING), OK, None, later(hours=1),
     ["ShiftTraffic:50"], ro.PROGRESSING, 1, 50, "CanaryStep", []),
    ("pause-over-insufficient-data-waits", NEW, world(K, canary=15), prev(ro.PROGRESSING), NO_DATA, None, later(minutes=119),
     [], ro.PROGRESSING, 0, 15, "CanaryStep", []),
    ("pause-over-missing-alarm-waits", NEW, world(K, canary=15), prev(ro.PROGRESSING), GateReadings({ALARM: None}, {}), None,
     later(minutes=119), [], ro.PROGRESSING, 0, 15, "CanaryStep", []),
    ("pause-over-gates-unread-waits", NEW, world(K, canary=15), prev(ro.PROGRESSING), None, None, later(hours=2),
     [], ro.PROGRESSING, 0, 15, "CanaryStep", []),
    ("alarm-mid-pause-rolls-back-at-once", NEW, world(K, canary=50), prev(ro.PROGRESSING, 1, 50), FIRING, None, later(minutes=5),
     ["ShiftTraffic:0"], ro.ROLLING_BACK, 1, 50, "RollingBack", ["RollingBack"]),
    ("alarm-under-onfailure-pause-halts", with_rollout(NEW, onFailure="Pause"), world(K, canary=50), prev(ro.PROGRESSING, 1, 50),
     FIRING, None, later(minutes=5), [], ro.HALTED, 1, 50, "Paused", ["RolloutHalted"]),
    ("halted-holds-even-after-pause", with_rollout(NEW, onFailure="Pause"), world(K, canary=50),
     prev(ro.HALTED, 1, 50, message="Gate failed"), None, None, later(hours=3), [], ro.HALTED, 1, 50, "Paused", []),
    ("halted-promote-continues", with_rollout(NEW, onFailure="Pause"), world(K, canary=50),
     prev(ro.HALTED, 1, 50, message="Gate failed"), None, "promote", later(minutes=5),
     ["ShiftTraffic:100"], ro.PROGRESSING, 2, 100, "CanaryStep", ["RolloutPromoted"]),
    ("rolling-back-then-stable-config", NEW, world(K, canary=0), prev(ro.ROLLING_BACK, 1, 50, message="alarm"), None, None, T0,
     [f"UpdateEndpoint:{OLD.config.name}"], ro.ROLLING_BACK, 1, 0, "RollingBack", []),
    ("rolling-back-lands", NEW, world(OLD.config), prev(ro.ROLLING_BACK, 1, 50, message="alarm", endpoint_status="Updating",
                                                         config=K, target=OLD.config.name), None, None, T0,
     [], ro.ROLLED_BACK, 1, 0, "RolledBack", ["RolledBack"]),
    ("rolled-back-stays", NEW, world(OLD.config), prev(ro.ROLLED_BACK, 1, 50, message="alarm", config=OLD.config), None, None,
     later(days=3), [], ro.ROLLED_BACK, 1, 0, "RolledBack", []),
    ("rolled-back-retry-starts-again", NEW, world(OLD.config), prev(ro.ROLLED_BACK, 1, 50, message="alarm", config=OLD.config),
     None, "retry", T0, [f"UpdateEndpoint:{K.name}"], ro.STARTING, 0, 15, "CanaryStarting", ["RolloutRetried", "RolloutStarted"]),
    ("rolled-back-new-model-starts-over", NEWER, world(OLD.config, configs=(OLD.config, NEW.config, K, NEWER.config)),
     prev(ro.ROLLED_BACK, 1, 50, message="alarm", config=OLD.config), None, None, T0,
     [f"CreateEndpointConfig:{K_NEWER.name}", f"UpdateEndpoint:{K_NEWER.name}"], ro.STARTING, 0, 15, "CanaryStarting", ["RolloutStarted"]),
    ("pause-annotation-holds-past-the-pause", NEW, world(K, canary=15), prev(ro.PROGRESSING), OK, "pause", later(hours=5),
     [], ro.PAUSED, 0, 15, "Paused", ["RolloutPaused"]),
    ("paused-still-rolls-back-on-alarm", NEW, world(K, canary=15), prev(ro.PAUSED), FIRING, "pause", later(hours=5),
     ["ShiftTraffic:0"], ro.ROLLING_BACK, 0, 15, "RollingBack", ["RollingBack"]),
    ("resume-after-pause-advances", NEW, world(K, canary=15), prev(ro.PAUSED), OK, None, later(hours=5),
     ["ShiftTraffic:50"], ro.PROGRESSING, 1, 50, "CanaryStep", []),
    ("promote-skips-the-pause", NEW, world(K, canary=15), prev(ro.PROGRESSING), NO_DATA, "promote", later(minutes=1),
     ["ShiftTraffic:50"], ro.PROGRESSING, 1, 50, "CanaryStep", ["RolloutPromoted"]),
    ("promote-handled-once", NEW, world(K, canary=50), prev(ro.PROGRESSING, 1, 50, handled="promote"), OK, "promote",
     later(minutes=1), [], ro.PROGRESSING, 1, 50, "CanaryStep", []),
    ("promote-new-value-promotes-again", NEW, world(K, canary=50), prev(ro.PROGRESSING, 1, 50, handled="promote"), OK,
     "promote:2", later(minutes=1), ["ShiftTraffic:100"], ro.PROGRESSING, 2, 100, "CanaryStep", ["RolloutPromoted"]),
    ("abort-rolls-back", NEW, world(K, canary=50), prev(ro.PROGRESSING, 1, 50), OK, "abort", later(minutes=1),
     ["ShiftTraffic:0"], ro.ROLLING_BACK, 1, 50, "RollingBack", ["RollingBack"]),
    ("no-pause-awaits-promotion", with_rollout(NEW, steps=[{"weight": 15}, {"weight": 100}]), world(K, canary=15),
     prev(ro.AWAITING), OK, None, later(days=30), [], ro.AWAITING, 0, 15, "AwaitingPromotion", []),
    ("last-step-passes-promotes", NEW, world(K, canary=100), prev(ro.PROGRESSING, 2, 100), OK, None, later(minutes=1),
     [f"UpdateEndpoint:{NEW.config.name}"], ro.PROMOTING, 2, 100, "CanaryPromoting", []),
    ("last-step-waits-for-data", NEW, world(K, canary=100), prev(ro.PROGRESSING, 2, 100), NO_DATA, None, later(minutes=1),
     [], ro.PROGRESSING, 2, 100, "CanaryStep", []),
    ("promoting-lands-succeeds", NEW, world(NEW.config), prev(ro.PROMOTING, 2, 100, endpoint_status="Updating",
                                                               target=NEW.config.name), None, None, T0,
     [], ro.SUCCEEDED, 2, 100, None, ["RolloutSucceeded"]),
    ("crash-after-promotion-update-succeeds-without-walking-again", NEW, world(NEW.config),
     prev(ro.PROGRESSING, 2, 100), OK, None, later(minutes=1),
     [], ro.SUCCEEDED, 2, 100, None, ["RolloutSucceeded"]),
    ("crash-after-promotion-update-waits-while-updating", NEW, world(NEW.config, "Updating"),
     prev(ro.PROGRESSING, 2, 100), None, None, later(minutes=1),
     [], ro.PROGRESSING, 2, 100, "CanaryStep", []),
    ("crash-after-shift-adopts-the-next-step", NEW, world(K, canary=50), prev(ro.PROGRESSING), OK, None, later(hours=1),
     [], ro.PROGRESSING, 1, 50, "CanaryStep", []),
    ("weight-drift-is-corrected", NEW, world(K, canary=30), prev(ro.PROGRESSING, 1, 50), OK, None, later(minutes=1),
     ["ShiftTraffic:50"], ro.PROGRESSING, 1, 50, "CanaryStep", []),
    ("steps-changed-continue-at-equal-weight", with_rollout(NEW, steps=[{"weight": 10, "pause": "1h"}, {"weight": 25, "pause": "1h"},
                                                                        {"weight": 50, "pause": "1h"}, {"weight": 100}]),
     world(K, canary=50), prev(ro.PROGRESSING, 1, 50), OK, None, later(minutes=10),
     [], ro.PROGRESSING, 2, 50, "CanaryStep", ["RolloutStepsChanged"]),
    ("steps-changed-continue-below", with_rollout(NEW, steps=[{"weight": 20, "pause": "1h"}, {"weight": 100}]),
     world(K, canary=50), prev(ro.PROGRESSING, 1, 50), OK, None, later(minutes=10),
     ["ShiftTraffic:20"], ro.PROGRESSING, 0, 20, "CanaryStep", ["RolloutStepsChanged"]),
    ("new-model-mid-rollout-drains-canary", NEWER, world(K, canary=50, configs=(OLD.config, NEW.config, K, NEWER.config)),
     prev(ro.PROGRESSING, 1, 50), OK, None, later(minutes=10),
     ["ShiftTraffic:0"], ro.SUPERSEDED, 1, 50, "CanaryStarting", ["RolloutSuperseded"]),
    ("new-model-mid-rollout-starts-over", NEWER, world(K, canary=0, configs=(OLD.config, NEW.config, K, NEWER.config)),
     prev(ro.SUPERSEDED, 1, 50), None, None, later(minutes=10),
     [f"CreateEndpointConfig:{ro.canary_config(NEWER, OLD.config.variants[0].model_copy(update={'weight': 50.0}), 1, 15).name}",
      f"UpdateEndpoint:{ro.canary_config(NEWER, OLD.config.variants[0].model_copy(update={'weight': 50.0}), 1, 15).name}"],
     ro.STARTING, 0, 15, "CanaryStarting", ["RolloutStarted"]),
    ("old-model-back-mid-rollout-drains-then-releases", OLD, world(K, canary=0), prev(ro.SUPERSEDED, 1, 50), None, None, T0,
     [], None, None, None, None, []),
    ("rollout-removed-mid-rollout-releases", PLAIN_NEW, world(K, canary=50), prev(ro.PROGRESSING, 1, 50, bp=PLAIN_NEW), None, None, T0,
     [], None, None, None, None, ["RolloutCancelled"]),
    ("endpoint-gone-abandons", NEW, Observed(endpoint=None), prev(ro.PROGRESSING, 1, 50), None, None, T0,
     [], None, None, None, None, ["RolloutAbandoned"]),
    ("command-without-rollout-is-recorded-and-ignored", OLD, world(OLD.config), None, None, "promote", T0,
     [], None, None, None, None, ["RolloutCommandIgnored"]),
    ("unknown-command-is-reported", NEW, world(K, canary=15), prev(ro.PROGRESSING), OK, "promot", later(minutes=1),
     [], ro.PROGRESSING, 0, 15, "CanaryStep", ["RolloutCommandUnknown"]),
]


@pytest.mark.parametrize("bp, observed, previous, gates, command, now, actions, phase, step, weight, reason, events",
                         [pytest.param(*row[1:], id=row[0]) for row in TRANSITIONS])
def test_transition(bp, observed, previous, gates, command, now, actions, phase, step, weight, reason, events):
    plan = ro.plan_rollout(bp, observed, previous, now=now, gates=gates, command=command)
    assert shorts(plan) == actions
    status = plan.status
    assert (status.phase if status else None) == phase
    if phase is not None:
        assert (status.step, status.weight) == (step, weight)
    assert (plan.step.reason if plan.step else None) == reason
    assert notices(plan) == events


def test_step_records_its_start_and_pause_end_and_wakes_for_both():
    plan = ro.plan_rollout(NEW, world(K, canary=15), prev(ro.STARTING, started=None, endpoint_status="Updating", target=K.name),
                           now=later(minutes=3))
    assert plan.status.step_started_at == later(minutes=3)
    assert plan.status.pause_ends_at == later(hours=1, minutes=3)
    assert plan.requeue_after == 30.0  # the analysis interval comes before the pause's end
    without_gates = with_rollout(NEW, analysis=None)
    plan = ro.plan_rollout(without_gates, world(K, canary=15), prev(ro.PROGRESSING), now=later(minutes=59, seconds=30))
    assert plan.requeue_after == 30.0  # the remaining pause
    assert plan.status.pause_ends_at == later(hours=1)


def test_a_restart_resumes_the_step_with_its_remaining_pause():
    # status from before the restart: step 2 began at T0; nothing is shifted again.
    plan = ro.plan_rollout(NEW, world(K, canary=50), prev(ro.PROGRESSING, 1, 50), now=later(minutes=45), gates=OK)
    assert shorts(plan) == []
    assert plan.status.step_started_at == T0
    assert plan.requeue_after == 30.0
    plan = ro.plan_rollout(with_rollout(NEW, analysis=None), world(K, canary=50), prev(ro.PROGRESSING, 1, 50), now=later(minutes=45))
    assert plan.requeue_after == 15 * 60


def test_rollback_names_the_gate_and_its_value_in_degraded():
    decision = reconcile(NEW, world(K, canary=50), 2, prev(ro.PROGRESSING, 1, 50), now=later(minutes=5), gates=FIRING)
    by_type = {c.type: c for c in decision.conditions}
    assert by_type["Degraded"].status == "True" and by_type["Degraded"].reason == "RolledBack"
    assert f"alarm {ALARM} is ALARM" in by_type["Degraded"].message
    assert "step 2 of 3" in by_type["Degraded"].message
    assert decision.status.rollout.last_gate == f"Failed: alarm {ALARM} is ALARM"
    landed = reconcile(NEW, world(OLD.config), 2, decision.status.model_copy(update={"endpoint": EndpointStatus(
        name=OLD.endpoint_name, status="Updating", config_name=K.name, target_config=OLD.config.name)}), now=later(minutes=6))
    assert conditions_by_type(landed) == {"Ready": ("False", "RolledBack"), "Progressing": ("False", "RolledBack"),
                                          "Degraded": ("True", "RolledBack")}
    assert landed.actions == ()  # nothing collected while rolled back: the canary stays until the spec changes
    assert landed.in_flight is False


def test_success_hands_over_to_garbage_collection():
    observed = world(NEW.config)
    decision = reconcile(NEW, observed, 2, prev(ro.PROMOTING, 2, 100, endpoint_status="Updating", target=NEW.config.name),
                         now=T0)
    assert [short(x) for x in decision.actions] == [
        f"DeleteEndpointConfig:{n}" for n in sorted([OLD.config.name, K.name])] + [f"DeleteModel:{OLD.models[0].name}"]
    assert conditions_by_type(decision)["Ready"] == ("True", "EndpointInService")
    assert decision.status.rollout.phase == ro.SUCCEEDED


def test_old_model_back_mid_rollout_updates_to_it_after_the_canary_drains():
    decision = reconcile(OLD, world(K, canary=0), 2, prev(ro.SUPERSEDED, 1, 50), now=T0)
    assert [short(x) for x in decision.actions] == [f"UpdateEndpoint:{OLD.config.name}"]
    assert decision.status.rollout is None


def test_conditions_while_canarying():
    decision = reconcile(NEW, world(K, canary=15), 2, prev(ro.PROGRESSING), now=later(minutes=1), gates=OK)
    assert conditions_by_type(decision) == {"Ready": ("False", "CanaryStep"), "Progressing": ("True", "CanaryStep"),
                                            "Degraded": ("False", "AsExpected")}
    assert decision.in_flight is False and decision.requeue_after == 30.0
    assert decision.actions == ()


def test_reconcile_needs_the_time_for_a_rollout():
    with pytest.raises(ValueError):
        reconcile(NEW, world(OLD.config), 2, None)


def test_commands_in_flight_wait_for_the_endpoint():
    plan = ro.plan_rollout(NEW, world(K, "Updating", canary=15), prev(ro.PROGRESSING), now=T0, command="promote")
    assert plan.step.in_flight and plan.status.handled_command is None and plan.notices == ()


def test_handled_command_is_forgotten_once_the_annotation_goes():
    plan = ro.plan_rollout(NEW, world(K, canary=15), prev(ro.PROGRESSING, handled="promote"), now=T0, gates=OK)
    assert plan.status.handled_command is None


def test_weights_never_sum_to_zero():
    for observed_canary in (0, 15, 50, 100):
        for plan in (
            ro.plan_rollout(NEW, world(K, canary=observed_canary), prev(ro.PROGRESSING, 1, 50), now=later(hours=2), gates=OK),
            ro.plan_rollout(NEW, world(K, canary=observed_canary), prev(ro.PROGRESSING, 1, 50), now=T0, gates=FIRING),
        ):
            for action in plan.step.actions if plan.step else ():
                if isinstance(action, a.ShiftTraffic):
                    assert sum(w for _, w in action.weights) == 100


# ---- gates ------------------------------------------------------------------------------

def test_metric_gates():
    analysis = with_rollout(NEW, analysis={"metrics": [
        {"name": "ModelLatency", "statistic": "p99", "max": "1100ms"},
        {"name": "Invocation5XXErrors", "statistic": "Average", "maxRatioToPrimary": 1.5},
    ]}).rollout.analysis
    query = query_for(analysis, "ep", T0)
    assert [m.key for m in query.metrics] == ["m0_canary", "m1_canary", "m1_primary"]
    # CloudWatch's ModelLatency is in microseconds: 900,000 is 900 ms.
    assert judge(analysis, GateReadings({}, {"m0_canary": 900_000, "m1_canary": 0.03, "m1_primary": 0.02})).outcome == "Passed"
    slow = judge(analysis, GateReadings({}, {"m0_canary": 1_300_000, "m1_canary": 0.03, "m1_primary": 0.02}))
    assert slow.outcome == "Failed" and "ModelLatency p99 of the canary is 1300ms (max 1100ms)" in slow.detail
    errors = judge(analysis, GateReadings({}, {"m0_canary": 900_000, "m1_canary": 0.04, "m1_primary": 0.02}))
    assert errors.outcome == "Failed" and "is 4%, 2.00 x the primary's 2%" in errors.detail
    assert judge(analysis, GateReadings({}, {"m0_canary": 900_000, "m1_canary": 0.01, "m1_primary": 0})).outcome == "Failed"
    assert judge(analysis, GateReadings({}, {"m0_canary": 900_000, "m1_canary": 0, "m1_primary": 0})).outcome == "Passed"
    assert judge(analysis, GateReadings({}, {"m0_canary": None, "m1_canary": 0.03, "m1_primary": 0.02})).outcome == "Waiting"
    assert judge(analysis, GateReadings({}, {"m0_canary": 900_000, "m1_canary": 0.03, "m1_primary": None})).outcome == "Waiting"


def test_a_latency_threshold_in_seconds_is_compared_in_microseconds():
    analysis = with_rollout(NEW, analysis={"metrics": [{"name": "ModelLatency", "statistic": "p99", "max": "1.1s"}]}).rollout.analysis
    assert judge(analysis, GateReadings({}, {"m0_canary": 1_099_000})).outcome == "Passed"
    assert judge(analysis, GateReadings({}, {"m0_canary": 1_101_000})).outcome == "Failed"


class CloudWatch:
    """What SageMaker publishes for `requests` calls split by the observed weights: per
    variant Invocations (Sum), Invocation5XXErrors (0 or 1 per request) and
    ModelLatency (microseconds). A variant without traffic publishes nothing."""

    def __init__(self, error_rate: dict[str, float], latency_us: dict[str, float] | None = None, requests: int = 1000):
        self.error_rate, self.latency_us, self.requests = error_rate, latency_us or {}, requests

    def read(self, query, observed: Observed) -> GateReadings:
        weights = {v.name: v.weight or 0.0 for v in observed.endpoint.variants}
        values = {}
        for m in query.metrics:
            calls = self.requests * weights.get(m.variant, 0.0) / sum(weights.values())
            errors = calls * self.error_rate.get(m.variant, 0.0)
            if calls == 0:
                values[m.key] = None
            elif m.metric == "Invocations":
                values[m.key] = calls
            elif m.metric == "Invocation5XXErrors":
                values[m.key] = {"Sum": errors, "Average": errors / calls}[m.statistic]
            else:
                values[m.key] = self.latency_us[m.variant]
        return GateReadings(alarms={}, metrics=values)


def test_a_ratio_of_error_sums_compares_error_rates_at_15_85():
    """At 15/85 a canary failing 5 % of its requests has fewer errors (7.5) than a
    primary failing 1 % (8.5): a ratio of Sums (0.88) would let it through a 1.5 gate."""
    bp = with_rollout(NEW, analysis={"metrics": [
        {"name": "Invocation5XXErrors", "statistic": "Sum", "maxRatioToPrimary": 1.5}]})
    observed, status = world(K, canary=15), prev(ro.PROGRESSING)
    readings = CloudWatch({"canary": 0.05, "primary": 0.01}).read(ro.gate_query(bp, observed, status), observed)
    plan = ro.plan_rollout(bp, observed, status, now=later(hours=1), gates=readings)
    assert shorts(plan) == ["ShiftTraffic:0"] and plan.status.phase == ro.ROLLING_BACK
    assert "Invocation5XXErrors per request of the canary is 5%, 5.00 x the primary's 1%" in plan.status.message


def test_a_ratio_gate_lets_the_last_step_at_100_percent_promote():
    """At 100 % the primary takes no requests and publishes no datapoints: the ratio is
    judged on the steps where both variants serve, and the rollout still ends."""
    bp = with_rollout(NEW, analysis={"metrics": [
        {"name": "Invocation5XXErrors", "statistic": "Average", "maxRatioToPrimary": 1.5}]})
    cloudwatch = CloudWatch({"canary": 0.01, "primary": 0.01})
    world_, status = walk(bp, None, cloudwatch=cloudwatch.read)
    assert world_.shifts == [50.0, 100.0]
    assert status.rollout.phase == ro.SUCCEEDED and world_.config == NEW.config.name
    assert "maxRatioToPrimary is not judged while the primary takes no traffic" in (status.rollout.last_gate or "")


def test_gates_waiting_past_the_inconclusive_limit_follow_on_failure():
    bp = with_rollout(NEW, analysis={"alarms": [ALARM], "inconclusiveAfter": "10m"})
    waiting = ro.plan_rollout(bp, world(K, canary=15), prev(ro.PROGRESSING), now=later(hours=1, minutes=9), gates=NO_DATA)
    assert shorts(waiting) == [] and waiting.status.phase == ro.PROGRESSING
    plan = ro.plan_rollout(bp, world(K, canary=15), prev(ro.PROGRESSING), now=later(hours=1, minutes=10), gates=NO_DATA)
    assert shorts(plan) == ["ShiftTraffic:0"] and plan.status.phase == ro.ROLLING_BACK
    assert plan.status.message.startswith(
        f"gate inconclusive at step 1 of 3 (canary 15%): alarm {ALARM} is INSUFFICIENT_DATA; still waiting 10m")
    assert plan.verdict.degraded[0] is True and "inconclusive" in plan.verdict.degraded[2]
    halted = ro.plan_rollout(with_rollout(bp, onFailure="Pause", analysis={"alarms": [ALARM], "inconclusiveAfter": "10m"}),
                             world(K, canary=15), prev(ro.PROGRESSING), now=later(hours=1, minutes=10), gates=NO_DATA)
    assert halted.status.phase == ro.HALTED and halted.status.message.startswith("Gate inconclusive at step 1 of 3")


def test_the_last_step_without_a_pause_is_inconclusive_an_hour_after_it_began_by_default():
    bp = with_rollout(NEW, analysis={"metrics": [{"name": "ModelLatency", "statistic": "p99", "max": "1100ms"}]})
    readings = GateReadings({}, {"m0_canary": None})
    at_100 = prev(ro.PROGRESSING, 2, 100)
    assert ro.plan_rollout(bp, world(K, canary=100), at_100, now=later(minutes=59), gates=readings).status.phase == ro.PROGRESSING
    plan = ro.plan_rollout(bp, world(K, canary=100), at_100, now=later(hours=1), gates=readings)
    assert plan.status.phase == ro.ROLLING_BACK
    assert "gate inconclusive at step 3 of 3 (canary 100%): ModelLatency p99 of the canary has no data yet" in plan.status.message


def test_gate_query_only_while_a_step_is_judged():
    assert ro.gate_query(NEW, world(K, canary=15), prev(ro.PROGRESSING)) is not None
    assert ro.gate_query(NEW, world(K, canary=15), prev(ro.AWAITING)) is not None
    assert ro.gate_query(NEW, world(K, "Updating", canary=15), prev(ro.PROGRESSING)) is None
    assert ro.gate_query(NEW, world(OLD.config), prev(ro.STARTING, started=None)) is None
    assert ro.gate_query(NEW, world(OLD.config), prev(ro.ROLLED_BACK)) is None
    assert ro.gate_query(NEW, world(NEW.config), None) is None
    assert ro.gate_query(with_rollout(NEW, analysis=None), world(K, canary=15), prev(ro.PROGRESSING)) is None


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("1h30m", 5400), ("500ms", 0.5), ("2d", 172800), ("1.5h", 5400)])
def test_durations(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


# ---- a whole walk -------------------------------------------------------------------------

class Walk:
    """SageMaker as the planner sees it: configs by name, one endpoint whose weights
    move only through ShiftTraffic and whose config only through UpdateEndpoint."""

    def __init__(self, old=OLD):
        self.configs = {old.config.name: old.config}
        self.models = {old.models[0].name}
        self.config, self.weights, self.status, self.pending = old.config.name, None, "InService", None
        self.shifts: list[float] = []

    def observe(self) -> Observed:
        config = self.configs[self.config]
        weights = self.weights or {v.name: v.weight for v in config.variants}
        variants = tuple(ObservedVariant(name=v.name, weight=weights[v.name], current_instances=1) for v in config.variants)
        ep = ObservedEndpoint(name=OLD.endpoint_name, status=self.status, config_name=self.config, variants=variants)
        described = {n: ObservedConfig(name=n, variant_models=tuple(v.model_name for v in c.variants),
                                       variants=c.variants if n == self.config else ()) for n, c in self.configs.items()}
        return Observed(endpoint=ep, models=frozenset(self.models), configs=described)

    def apply(self, action):
        match action:
            case a.CreateModel(model=m):
                self.models.add(m.name)
            case a.CreateEndpointConfig(config=c):
                assert all(v.model_name in self.models for v in c.variants)
                self.configs[c.name] = c
            case a.UpdateEndpoint(config_name=c):
                assert self.status == "InService"
                self.status, self.pending = "Updating", c
            case a.ShiftTraffic(weights=w):
                assert self.status == "InService" and sum(dict(w).values()) > 0
                self.weights, self.status = dict(w), "Updating"
                self.shifts.append(dict(w)["canary"])
            case a.DeleteEndpointConfig(name=n):
                assert n != self.config
                del self.configs[n]
            case a.DeleteModel(name=n):
                self.models.discard(n)

    def tick(self):
        if self.status == "Updating":
            if self.pending:
                self.config, self.pending, self.weights = self.pending, None, None
            self.status = "InService"


def walk(bp, gates_at, command_at=lambda now: None, until=timedelta(hours=5), cloudwatch=None, old=OLD):
    """`old`: the blueprint the endpoint serves at first (a RealTime one unless said)."""
    world_, status, now = Walk(old), prev(None, bp=old, config=old.config), T0
    world_.progress = []  # the Step column as kubectl shows it, each change
    while now < T0 + until:
        observed = world_.observe()
        query = ro.gate_query(bp, observed, status)
        readings = (cloudwatch(query, observed) if cloudwatch else gates_at(now)) if query else None
        decision = reconcile(bp, observed, 3, status, now=now, gates=readings, command=command_at(now))
        for action in decision.actions:
            world_.apply(action)
        status = decision.status
        shown = status.rollout.progress if status.rollout else None
        if shown and (not world_.progress or world_.progress[-1] != shown):
            world_.progress.append(shown)
        world_.tick()
        now += timedelta(minutes=5)
    return world_, status


def test_walk_15_50_100_ends_on_the_new_model_alone():
    world_, status = walk(NEW, lambda now: OK)
    assert world_.shifts == [50.0, 100.0]
    assert world_.progress == ["1/3", "2/3", "3/3"]
    assert world_.config == NEW.config.name and set(world_.configs) == {NEW.config.name}
    assert world_.models == {NEW.models[0].name}
    assert status.rollout.phase == ro.SUCCEEDED


def test_walk_rolls_back_on_an_alarm_in_the_second_step_and_stays():
    world_, status = walk(NEW, lambda now: FIRING if now >= T0 + timedelta(hours=1, minutes=20) else OK)
    assert world_.shifts == [50.0, 0.0]
    assert world_.config == OLD.config.name
    assert status.rollout.phase == ro.ROLLED_BACK and "alarm canary-5xx is ALARM" in status.rollout.message
    # The Canary column reads status.rollout.weight: traffic is back on the primary.
    assert (status.rollout.weight, status.rollout.progress) == (0, "2/3")
