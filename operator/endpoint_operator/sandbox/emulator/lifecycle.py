"""Endpoint status transitions on moto's own mechanism, the state manager.

Fills the moto gap "endpoints are InService at once": moto's ManagedState moves a
model through its transitions when its status is read, after a configured time
(`progression: time`), after N describes (`manual`) or at once (`immediate`).
Every endpoint shares the model name `sagemaker::endpoint`, so one setting (ours
or moto's `/moto-api/state-manager/set-transition`) paces them all.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from . import clock
from .settings import DEFAULT_DELAY_SECONDS, DELAY_ENV

MODEL_NAME = "sagemaker::endpoint"


def transition_for(seconds: float) -> dict[str, Any]:
    if seconds < 0:
        raise ValueError("a transition delay cannot be negative")
    if seconds == 0:
        return {"progression": "immediate"}
    return {"progression": "time", "seconds": seconds}


def register_default_delay(seconds: float | None = None) -> None:
    """The start-up pace: `seconds`, else the environment's, else two seconds per transition."""
    if seconds is None:
        seconds = float(os.environ.get(DELAY_ENV, DEFAULT_DELAY_SECONDS))
    state_manager.register_default_transition(MODEL_NAME, transition_for(seconds))


def set_delay(seconds: float) -> None:
    state_manager.set_transition(MODEL_NAME, transition_for(seconds))


def set_describes_per_transition(times: int) -> None:
    """Manual pace: each transition waits for `times` DescribeEndpoint calls."""
    state_manager.set_transition(MODEL_NAME, {"progression": "manual", "times": times})


def restore_default_delay() -> None:
    state_manager.unset_transition(MODEL_NAME)


def current_transition() -> dict[str, Any]:
    return state_manager.get_transition(MODEL_NAME)


class EndpointLifecycle(ManagedState):
    """One endpoint's status: a single transition at a time, from a transient
    status (Creating, Updating, Deleting) to its outcome (InService, Failed, Deleted)."""

    # DescribeEndpoint, EndpointStatus: "Creating: CreateEndpoint is executing. Updating: UpdateEndpoint or
    # UpdateEndpointWeightsAndCapacities is executing. ... Deleting: DeleteEndpoint is executing." The pace
    # (seconds, describes or immediate) is a sandbox control; AWS documents no duration.

    def __init__(self, transient: str, outcome: str):
        super().__init__(MODEL_NAME, [(transient, outcome)])
        self._deadline: float | None = None

    def begin(self, transient: str, outcome: str, deadline: float | None = None) -> None:
        """`deadline`: the virtual time (clock.py) the transition ends at, instead of the shared pace."""
        # ManagedState fixes its transitions at construction; an endpoint lives
        # through many, so each operation starts a fresh one with a fresh clock.
        self._transitions = [(transient, outcome)]
        self._status = transient
        self._tick = 0
        self._time_progressed = datetime.now()
        self._deadline = deadline

    @property
    def status(self) -> str | None:
        if self._deadline is None:
            return ManagedState.status.fget(self)  # type: ignore[attr-defined]
        if clock.timestamp() >= self._deadline:
            self._status = self._get_last_status(previous=self._status)
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value
