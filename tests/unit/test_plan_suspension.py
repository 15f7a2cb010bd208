"""Suspension on a weekly schedule, judged at injected times (the planner has no clock), and
one step of a suspension."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from endpoint_operator.api.cost_controls import CostControlsSpec, SuspensionScheduleSpec
from endpoint_operator.api.scaling import ObservedScaling, ScalableTarget
from endpoint_operator.plan import actions as a
from endpoint_operator.plan.scaling_actions import DeregisterScalableTarget
from endpoint_operator.plan.suspension import SuspensionState, scheduled_state, suspend, suspension_state
from unit.test_plan_kit import bp_of, built, conditions_by_type, endpoint, realtime_spec

UTC = timezone.utc
# Nights (20:00 to 07:00) and weekends, in Berlin.
NIGHTS = SuspensionScheduleSpec(suspend="0 20 * * 1-5", resume="0 7 * * 1-5", time_zone="Europe/Berlin")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize("now, suspended, next_change", [
    # Tuesday 2026-12-01, Berlin is UTC+1 in winter
    ("2026-12-01T12:00:00+01:00", False, "2026-12-01T20:00:00+01:00"),  # working hours
    ("2026-12-01T19:59:00+01:00", False, "2026-12-01T20:00:00+01:00"),
    ("2026-12-01T20:00:00+01:00", True, "2026-12-02T07:00:00+01:00"),  # the suspension fires
    ("2026-12-02T03:00:00+01:00", True, "2026-12-02T07:00:00+01:00"),  # the night
    ("2026-12-02T07:00:00+01:00", False, "2026-12-02T20:00:00+01:00"),  # the resume fires
    ("2026-12-05T12:00:00+01:00", True, "2026-12-07T07:00:00+01:00"),  # Saturday: suspended since Friday night
    ("2026-12-07T06:59:00+01:00", True, "2026-12-07T07:00:00+01:00"),  # Monday before seven
    ("2026-07-01T19:30:00+02:00", False, "2026-07-01T20:00:00+02:00"),  # summer time: the local hour counts
])
def test_nights_and_weekends(now, suspended, next_change):
    state = scheduled_state(NIGHTS, at(now))
    assert state.suspended is suspended
    assert state.next_change == at(next_change)
    assert state.reason == ("SuspendedBySchedule" if suspended else "ResumedBySchedule")


def test_suspended_by_hand_wins_over_the_schedule():
    controls = CostControlsSpec(suspended=True, schedule=NIGHTS)
    state = suspension_state(controls, at("2026-12-01T12:00:00+01:00"))
    assert state.suspended and state.reason == "SuspendedBySpec" and state.next_change is None


def test_no_suspension_declared():
    assert suspension_state(None, at("2026-12-01T12:00:00+01:00")) is None
    assert suspension_state(CostControlsSpec(idle_after="24h"), at("2026-12-01T12:00:00+01:00")) is None
    state = suspension_state(CostControlsSpec(suspended=False, schedule=NIGHTS), at("2026-12-01T21:00:00+01:00"))
    assert state.suspended


# ---- one step of a suspension, table-style ----------------------------------------------------

NOW = at("2026-12-01T21:00:00+01:00")
BY_HAND = SuspensionState(True, "SuspendedBySpec", "spec.costControls.suspended is true")


def test_a_serving_endpoint_loses_its_scaling_then_the_endpoint_and_keeps_models_and_config():
    bp = bp_of(realtime_spec())
    target = ScalableTarget(resource_id=f"endpoint/{bp.endpoint_name}/variant/primary", min_capacity=1, max_capacity=4)
    observed = replace(built(bp, ep=endpoint(bp)), scaling=ObservedScaling(targets=(target,)))
    decision = suspend(bp, observed, 2, None, BY_HAND, NOW)
    assert [type(x) for x in decision.actions] == [DeregisterScalableTarget, a.DeleteEndpoint]
    assert not any(isinstance(x, (a.DeleteEndpointConfig, a.DeleteModel)) for x in decision.actions)
    assert conditions_by_type(decision)["Suspended"] == ("True", "SuspendedBySpec")
    assert decision.status.cost.monthly_usd == 0
    assert decision.status.suspension.endpoint_config == bp.config.name


def test_an_endpoint_in_transition_is_waited_for():
    bp = bp_of(realtime_spec())
    decision = suspend(bp, built(bp, ep=endpoint(bp, status="Updating")), 2, None, BY_HAND, NOW)
    assert decision.actions == ()
    assert conditions_by_type(decision)["Progressing"] == ("True", "Suspended")


def test_once_the_endpoint_is_gone_nothing_is_left_to_do_and_a_schedule_asks_to_look_again():
    bp = bp_of(realtime_spec())
    state = scheduled_state(NIGHTS, NOW)
    decision = suspend(bp, built(bp), 2, None, state, NOW)
    assert decision.actions == ()
    assert conditions_by_type(decision)["Ready"] == ("False", "Suspended")
    assert conditions_by_type(decision)["Progressing"] == ("False", "Suspended")
    assert decision.requeue_after == (at("2026-12-02T07:00:00+01:00") - NOW).total_seconds()
    assert decision.status.suspension.resumes_at == at("2026-12-02T07:00:00+01:00")
