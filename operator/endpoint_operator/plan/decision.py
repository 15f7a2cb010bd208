"""What one planning pass returns to the handler."""

from __future__ import annotations

from dataclasses import dataclass

from ..api.status import Condition, ModelEndpointStatus
from .actions import Action
from .conditions import DEGRADED, PROGRESSING, READY, condition


@dataclass(frozen=True)
class Decision:
    actions: tuple[Action, ...]  # in execution order; stop at the first failure
    conditions: tuple[Condition, ...]  # Ready, Progressing, Degraded without lastTransitionTime
    endpoint_phase: str  # Creating, Updating, InService, Failed, Deleting, ...
    in_flight: bool  # something is in flight or was just asked for: look again soon (else at rest)
    corrections: tuple[str, ...]  # drift found and being corrected, for events
    # The planner's status fields (no conditions). None only for a failure that is not
    # the object's (plan/failures.py): status stays as it is and only `conditions` change.
    status: ModelEndpointStatus | None
    done: bool = False  # finalize(): nothing left, the finalizer can go
    requeue_after: float | None = None  # seconds until something time-based is due (a rollout pause)
    notices: tuple[tuple[str, str, str], ...] = ()  # (event type, reason, message): rollout steps, commands


@dataclass(frozen=True)
class Verdict:
    """The three conditions as (status, reason, message)."""

    ready: tuple[bool, str, str]
    progressing: tuple[bool, str, str]
    degraded: tuple[bool, str, str]

    def conditions(self, generation: int) -> tuple[Condition, ...]:
        return (
            condition(READY, *self.ready, generation),
            condition(PROGRESSING, *self.progressing, generation),
            condition(DEGRADED, *self.degraded, generation),
        )


NOT_DEGRADED = (False, "AsExpected", "No failure observed")
