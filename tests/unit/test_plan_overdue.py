"""with_overdue(): an endpoint Creating or Updating past the threshold gets the Overdue
condition with the time spent and one Warning event; the decision's actions and
requeue stay exactly as the planner made them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_plan_kit import bp_of, built, endpoint, realtime_spec, status_of

from endpoint_operator.api.conditions import merge_conditions
from endpoint_operator.plan.overdue import EVENT_REASON, OVERDUE, spent, with_overdue
from endpoint_operator.plan.reconcile import reconcile

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
BP = bp_of(realtime_spec())
LIMIT = 1200


def planned(status: str, minutes: float, previous=None):
    ep = endpoint(BP, status=status, last_modified=NOW - timedelta(minutes=minutes))
    decision = reconcile(BP, built(BP, ep=ep), 1, previous or status_of(BP, "Creating"), now=NOW)
    return decision, with_overdue(decision, ep, previous or status_of(BP, "Creating"), NOW, LIMIT, 1)


def overdue_of(decision):
    return next((c for c in decision.conditions if c.type == OVERDUE), None)


@pytest.mark.parametrize("status", ["Creating", "Updating"])
def test_a_transition_past_the_threshold_is_overdue_with_the_time_spent(status):
    before, after = planned(status, 27)
    condition = overdue_of(after)
    assert (condition.status, condition.reason) == ("True", f"{status}TooLong")
    assert f"has been {status} for 27m" in condition.message and "longer than the 20m expected" in condition.message
    assert after.notices == before.notices + (("Warning", EVENT_REASON, condition.message),)
    # Nothing else changes: the same actions, the same polling.
    assert (after.actions, after.in_flight, after.requeue_after) == (before.actions, before.in_flight, before.requeue_after)
    assert after.conditions[:-1] == before.conditions


def test_within_the_threshold_or_at_rest_there_is_no_condition():
    for status, minutes in (("Creating", 19), ("InService", 300)):
        before, after = planned(status, minutes)
        assert after == before


def test_the_event_is_posted_once_and_the_condition_clears_when_the_transition_ends():
    _, first = planned("Creating", 25)
    previous = replace_conditions(status_of(BP, "Creating"), first)
    _, again = planned("Creating", 40, previous)
    assert overdue_of(again).status == "True" and "for 40m" in overdue_of(again).message
    assert not [n for n in again.notices if n[1] == EVENT_REASON]  # said once, when it turned True
    _, served = planned("InService", 0, replace_conditions(previous, again))
    assert (overdue_of(served).status, overdue_of(served).reason) == ("False", "NotOverdue")


def replace_conditions(status, decision):
    return status.model_copy(update={"conditions": merge_conditions(status.conditions, decision.conditions, NOW)})


@pytest.mark.parametrize("seconds, text", [(12, "12s"), (60, "1m"), (1500, "25m"), (3900, "1h05m"), (7200, "2h00m")])
def test_time_spent_reads_in_the_unit_that_matters(seconds, text):
    assert spent(seconds) == text
