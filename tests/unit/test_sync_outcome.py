"""outcome_of(): the outcome of a sync that carried a decision out, built from the
decision alone. Actions that start an endpoint transition leave it to the sweep; other
actions are polled until observed; nothing to do and nothing in flight is at rest."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from test_plan_kit import bp_of, built, endpoint, realtime_spec, status_of

from endpoint_operator.handlers.outcome import AWAIT, DONE, POLL, done
from endpoint_operator.handlers.sync import outcome_of
from endpoint_operator.plan.reconcile import reconcile

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
FIXED = {"type": "ml.m5.large", "min": 1, "max": 1}
BP = bp_of(realtime_spec(instances=FIXED))
NEW = bp_of(realtime_spec(data="s3://models/recsys/v8/model.tar.gz", instances=FIXED))


def test_a_create_that_starts_the_endpoint_awaits_its_transition():
    decision = reconcile(BP, built(BP), 1, None, now=NOW)
    assert outcome_of(decision, None) == (AWAIT, ("Creating", None))


def test_actions_that_start_no_transition_are_polled():
    ep = endpoint(NEW, last_modified=NOW)
    decision = reconcile(NEW, built(NEW, BP, ep=ep), 1, status_of(NEW), now=NOW)  # the old config is collected
    assert decision.actions and decision.endpoint_phase == "InService"
    assert outcome_of(decision, ep) == (POLL, ("InService", NOW))


def test_an_endpoint_updating_with_nothing_to_do_is_left_to_the_sweep():
    ep = endpoint(BP, "Updating", last_modified=NOW)
    decision = reconcile(NEW, built(BP, NEW, ep=ep), 1, status_of(BP), now=NOW)
    assert decision.actions == ()
    assert outcome_of(decision, ep) == (AWAIT, ("Updating", NOW))


def test_at_rest_is_done_with_the_decisions_deadline():
    ep = endpoint(BP, last_modified=NOW)
    decision = reconcile(BP, built(BP, ep=ep), 1, status_of(BP), now=NOW)
    assert outcome_of(decision, ep) == (DONE, ("InService", NOW))
    later = dataclasses.replace(decision, requeue_after=30.0)
    assert outcome_of(later, ep)[0] == done(30.0)
