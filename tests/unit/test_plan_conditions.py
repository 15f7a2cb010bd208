"""merge_conditions(): lastTransitionTime moves only when a status flips (KEP-1623)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from endpoint_operator.api.status import Condition
from endpoint_operator.api.conditions import merge_conditions

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
NOW = datetime(2026, 1, 2, tzinfo=timezone.utc)


def cond(kind="Ready", status="True", reason="EndpointInService", when=None, generation=2):
    return Condition(type=kind, status=status, reason=reason, message="m", last_transition_time=when, observed_generation=generation)


@pytest.mark.parametrize("previous, computed, expected_time", [
    ([cond(when=T0)], cond(), T0),
    ([cond(when=T0, reason="EndpointInService")], cond(reason="CollectingGarbage"), T0),
    ([cond(status="False", when=T0)], cond(status="True"), NOW),
    ([cond(when=None)], cond(), NOW),
    ([cond(kind="Degraded", when=T0)], cond(), NOW),
    (None, cond(), NOW),
], ids=["same-status-keeps-time", "reason-change-keeps-time", "flip-moves-time", "never-stamped", "new-type", "no-previous"])
def test_transition_time(previous, computed, expected_time):
    (merged, *_) = merge_conditions(previous, [computed], NOW)
    assert merged.last_transition_time == expected_time
    assert (merged.status, merged.reason, merged.observed_generation) == (computed.status, computed.reason, computed.observed_generation)


def test_other_types_are_kept_after_the_computed_ones():
    rollout = cond(kind="RolloutGate", when=T0)
    merged = merge_conditions([cond(when=T0), rollout], [cond(), cond(kind="Progressing", status="False")], NOW)
    assert [c.type for c in merged] == ["Ready", "Progressing", "RolloutGate"]
    assert merged[2] == rollout
