"""The decisions of a sync that cannot go on: a spec the planner refuses, AWS busy,
AWS refusing a call. Each is a Decision with no actions, written like any other
(kube/status_writer.py)."""

from __future__ import annotations

from ..api.status import ModelEndpointStatus
from .conditions import DEGRADED, PROGRESSING, READY, condition
from .decision import Decision, Verdict
from .errors import PlanError

WAITING_FOR_AWS = "WaitingForAWS"
AWS_REJECTED = "AwsRejected"


def plan_failure(error: PlanError, generation: int, previous: ModelEndpointStatus | None) -> Decision:
    """A spec the planner refuses: Ready=False with the error's reason, no actions.
    What was built for an earlier generation stays as it is and as status shows it."""
    message = error.message
    verdict = Verdict(ready=(False, error.reason, message), progressing=(False, error.reason, message), degraded=(True, error.reason, message))
    kept = previous.model_copy(update={"conditions": None}) if previous else ModelEndpointStatus()
    phase = previous.endpoint.status if previous and previous.endpoint and previous.endpoint.status else "Unknown"
    return Decision(
        actions=(),
        conditions=verdict.conditions(generation),
        endpoint_phase=phase,
        in_flight=False,
        corrections=(),
        status=kept.model_copy(update={"observed_generation": generation}),
    )


def waiting_for_aws(message: str, generation: int | None) -> Decision:
    """Throttled, a server error, unreachable, or waiting for the operator's own budget
    of calls: not a failure of the object. Progressing says so; Ready and the rest of
    status keep what they were (status None: only these conditions change)."""
    return _conditions_only((condition(PROGRESSING, True, WAITING_FOR_AWS, message, generation),))


def aws_rejected(message: str, generation: int | None) -> Decision:
    """AWS refused a call for good (validation, access, a quota): Ready=False and
    Degraded name the call and AWS's message; the rest of status stays."""
    return _conditions_only((condition(READY, False, AWS_REJECTED, message, generation),
                             condition(DEGRADED, True, AWS_REJECTED, message, generation),
                             condition(PROGRESSING, False, AWS_REJECTED, message, generation)))


def _conditions_only(conditions: tuple) -> Decision:
    return Decision(actions=(), conditions=conditions, endpoint_phase="Unknown", in_flight=False, corrections=(),
                    status=None)
