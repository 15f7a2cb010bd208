"""The shadow step, transition by transition: onto the shadow config, held for its
pause while the gates compare the shadow with the primary, then the canary; a failed
gate goes straight back to the config served before."""

from __future__ import annotations

from datetime import timedelta

from test_plan_kit import bp_of, realtime_spec
from test_plan_rollout import OLD, T0, V8, ep_on, notices, shorts

from endpoint_operator.api.resources import ObservedConfig
from endpoint_operator.api.status import EndpointStatus, ModelEndpointStatus, RolloutStatus
from endpoint_operator.plan import rollout as ro
from endpoint_operator.plan.gates import GateReadings
from endpoint_operator.plan.observed import Observed

GATE = {"name": "Invocation5XXErrors", "max": "1%"}
ROLL = {"shadow": {"samplingPercent": 20, "pause": "1h"}, "steps": [{"weight": 15, "pause": "1h"}, {"weight": 100}],
        "analysis": {"metrics": [GATE], "interval": "30s"}}
NEW = bp_of(realtime_spec(data=V8, rollout=ROLL))
S = ro.shadow_config(NEW, OLD.config.variants[0], 1, 20)
K = ro.canary_config(NEW, OLD.config.variants[0], 1, 15)
CLEAN = GateReadings(alarms={}, metrics={"m0_shadow": 0.0})
ERRORS = GateReadings(alarms={}, metrics={"m0_shadow": 0.25})


def world(config, configs=(OLD.config, NEW.config, S)) -> Observed:
    described = {c.name: ObservedConfig(name=c.name, variant_models=tuple(v.model_name for v in c.variants),
                                        shadow_models=tuple(v.model_name for v in c.shadow_variants), variants=c.variants)
                 for c in configs}
    models = frozenset(v.model_name for c in configs for v in c.variants + c.shadow_variants)
    return Observed(endpoint=ep_on(config), models=models, configs=described)


def prev(config, started=None) -> ModelEndpointStatus:
    rollout = RolloutStatus(phase=ro.SHADOWING, steps=2, weight=0, step_started_at=started, from_revision=OLD.config.name,
                            to_revision=NEW.config.name, shadow_config=S.name, sampling_percent=20, primary_instances=1)
    return ModelEndpointStatus(observed_generation=2, revision=NEW.revision, rollout=rollout,
                               endpoint=EndpointStatus(name=OLD.endpoint_name, status="InService", config_name=config.name))


def test_the_shadow_config_answers_with_the_primary_alone_and_copies_a_share_to_the_new_model():
    assert [(v.name, v.model_name, v.weight) for v in S.variants] == [("primary", OLD.config.variants[0].model_name, 100.0)]
    assert [(v.name, v.model_name, v.weight) for v in S.shadow_variants] == [("shadow", NEW.models[0].name, 20.0)]


def test_a_model_change_starts_with_the_shadow():
    plan = ro.plan_rollout(NEW, world(OLD.config, configs=(OLD.config, NEW.config)), None, now=T0)
    assert shorts(plan) == [f"CreateEndpointConfig:{S.name}", f"UpdateEndpoint:{S.name}"]
    assert plan.status.phase == ro.SHADOWING and notices(plan) == ["ShadowStarted"]


def test_the_shadow_is_judged_against_the_shadow_variant_and_held_for_its_pause():
    entered = ro.plan_rollout(NEW, world(S), prev(S), now=T0)
    assert entered.status.step_started_at == T0 and notices(entered) == ["ShadowStep"]
    assert ro.gate_query(NEW, world(S), prev(S, T0)).metrics[0].variant == "shadow"
    held = ro.plan_rollout(NEW, world(S), prev(S, T0), now=T0 + timedelta(minutes=30), gates=CLEAN)
    assert shorts(held) == [] and held.status.phase == ro.SHADOWING and held.requeue_after == 30.0


def test_a_passed_shadow_starts_the_canary_from_the_config_served_before():
    plan = ro.plan_rollout(NEW, world(S, configs=(OLD.config, NEW.config, S)), prev(S, T0), now=T0 + timedelta(hours=1),
                           gates=CLEAN)
    assert shorts(plan) == [f"CreateEndpointConfig:{K.name}", f"UpdateEndpoint:{K.name}"]
    assert plan.status.phase == ro.STARTING and plan.status.from_revision == OLD.config.name
    assert notices(plan) == ["ShadowPassed", "RolloutStarted"]


def test_a_failed_shadow_gate_goes_back_to_the_config_served_before():
    plan = ro.plan_rollout(NEW, world(S), prev(S, T0), now=T0 + timedelta(minutes=5), gates=ERRORS)
    assert shorts(plan) == [f"UpdateEndpoint:{OLD.config.name}"]
    assert plan.status.phase == ro.ROLLING_BACK and notices(plan) == ["RollingBack"]
    assert "Invocation5XXErrors Average of the shadow is 25%" in plan.status.message
