"""Conditions in the KEP-1623 shape: the planner computes type/status/reason/message;
api/conditions.py adds lastTransitionTime when status is written."""

from __future__ import annotations

from ..api.status import Condition, ConditionType

READY = ConditionType.READY.value
PROGRESSING = ConditionType.PROGRESSING.value
DEGRADED = ConditionType.DEGRADED.value


def condition(kind: str, status: bool, reason: str, message: str, generation: int) -> Condition:
    return Condition(
        type=kind,
        status="True" if status else "False",
        reason=reason,
        message=message,
        observed_generation=generation,
    )
