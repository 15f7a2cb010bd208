"""An endpoint Creating or Updating far longer than expected: a warning, never an action.

SageMaker says nothing while an endpoint is stuck (a container that never answers its
health check, an instance type without capacity) until it gives up and marks it
Failed, which can take an hour or more. From the moment the endpoint has spent longer
than the operator's threshold in one of these statuses (since its LastModifiedTime,
which moves with each change of status), the `Overdue` condition is True with the time
spent, and one Warning event says so when it turns True. It turns False once the
endpoint is out of the status. The decision's actions and requeue are left as they are:
how the endpoint is polled does not change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..api.resources import ObservedEndpoint
from ..api.status import ModelEndpointStatus
from .conditions import condition
from .decision import Decision

OVERDUE = "Overdue"
WATCHED_STATUSES = ("Creating", "Updating")
# Well before SageMaker's own give-up: its startup health check and model download may
# each take up to an hour (ContainerStartupHealthCheckTimeoutInSeconds and
# ModelDataDownloadTimeoutInSeconds, at most 3600), and a usual endpoint is InService
# in minutes.
DEFAULT_WARNING_SECONDS = 20 * 60
EVENT_REASON = "EndpointOverdue"


def spent(seconds: float) -> str:
    """12s, 25m, 1h05m: the time spent, to the unit a reader cares about."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def with_overdue(decision: Decision, ep: ObservedEndpoint | None, previous: ModelEndpointStatus | None,
                 now: datetime, warning_seconds: float, generation: int) -> Decision:
    """The decision with the Overdue condition (and its event) added when it applies."""
    was = next((c for c in (previous.conditions or ()) if c.type == OVERDUE), None) if previous else None
    watched = ep is not None and ep.status in WATCHED_STATUSES and ep.last_modified is not None
    elapsed = (now - ep.last_modified).total_seconds() if watched else 0.0
    if watched and elapsed >= warning_seconds:
        message = (f"Endpoint {ep.name} has been {ep.status} for {spent(elapsed)} on config {ep.config_name}, "
                   f"longer than the {spent(warning_seconds)} expected; SageMaker has not said why yet "
                   "(check the container's CloudWatch logs and the instance type's capacity)")
        overdue = condition(OVERDUE, True, f"{ep.status}TooLong", message, generation)
        notices = () if was is not None and was.status == "True" else (("Warning", EVENT_REASON, message),)
        return replace(decision, conditions=decision.conditions + (overdue,), notices=decision.notices + notices)
    if was is None:
        return decision  # never overdue: no condition at all
    status = ep.status if ep is not None else "gone"
    on_time = condition(OVERDUE, False, "NotOverdue", f"Endpoint is {status}: no transition is overdue", generation)
    return replace(decision, conditions=decision.conditions + (on_time,))
