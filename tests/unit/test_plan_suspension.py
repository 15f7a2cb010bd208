"""Suspension on a weekly schedule, judged at injected times (the planner has no clock)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from endpoint_operator.api.cost_controls import CostControlsSpec, SuspensionScheduleSpec
from endpoint_operator.plan.suspension import scheduled_state, suspension_state

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
