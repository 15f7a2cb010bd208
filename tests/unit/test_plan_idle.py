"""The Idle condition, judged from readings and times given to it (the planner has no clock)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from endpoint_operator.api.cost_controls import CostControlsSpec
from endpoint_operator.api.status import Condition, CostStatus, ModelEndpointStatus
from endpoint_operator.plan.idle import InvocationReading, idle_condition, with_idle
from endpoint_operator.plan.suspension import SuspensionState, suspend
from unit.test_plan_kit import bp_of, built, conditions_by_type, realtime_spec

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(hours=24)
COST = CostStatus(hourly_usd=0.23, monthly_usd=167.9, instances=2)


def reading(invocations: float, hours: float = 24) -> InvocationReading:
    return InvocationReading(invocations=invocations, start=NOW - timedelta(hours=hours), end=NOW)


@pytest.mark.parametrize("ready_since, seen, status, reason", [
    (None, reading(0), "False", "NotServing"),
    (NOW - timedelta(hours=2), reading(0), "False", "ServingForLessThanIdleAfter"),  # too new to judge
    (NOW - timedelta(days=3), None, "False", "NotMeasuredYet"),
    (NOW - timedelta(days=3), reading(0, hours=1), "False", "NotMeasuredYet"),  # a reading shorter than the window
    (NOW - timedelta(days=3), reading(1), "False", "Invoked"),
    (NOW - timedelta(days=3), reading(0), "True", "NoInvocations"),
    (NOW - timedelta(hours=24), reading(0), "True", "NoInvocations"),  # exactly idleAfter
])
def test_idle_only_after_serving_a_whole_window_without_invocations(ready_since, seen, status, reason):
    flag = idle_condition(DAY, seen, ready_since, COST, NOW, 3)
    assert (flag.status, flag.reason, flag.observed_generation) == (status, reason, 3)


def test_the_message_says_what_it_costs_while_idle():
    flag = idle_condition(DAY, reading(0), NOW - timedelta(days=2), COST, NOW, 1)
    assert "No invocations over 1d up to" in flag.message
    assert "0.23 USD an hour (167.9 USD a month) while idle" in flag.message


def test_a_suspended_endpoint_is_not_idle():
    """A suspension's decision (Ready=False) turns a previous Idle=True into NotServing."""
    bp = bp_of(realtime_spec())
    previous = ModelEndpointStatus(conditions=[Condition(type="Idle", status="True", reason="NoInvocations")])
    decision = suspend(bp, built(bp), 2, previous, SuspensionState(True, "SuspendedBySpec", "by hand"), NOW)
    decision = with_idle(decision, CostControlsSpec(idle_after="24h", suspended=True), reading(0), previous, NOW, 2)
    assert conditions_by_type(decision)["Idle"] == ("False", "NotServing")
