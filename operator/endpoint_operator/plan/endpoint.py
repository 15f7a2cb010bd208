"""The endpoint's next step: create, wait, update, replace, or nothing.

SageMaker allows one operation at a time on an endpoint and none on a Failed one,
so this looks at the observed status first and the desired config second.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api.resources import IN_FLIGHT_STATUSES, ObservedEndpoint
from ..api.status import EndpointStatus
from .actions import Action, CreateEndpoint, DeleteEndpoint, UpdateEndpoint
from .blueprint import Blueprint
from .naming import is_owned_name


@dataclass(frozen=True)
class EndpointStep:
    phase: str
    reason: str  # CamelCase, for Progressing (and Ready while not serving)
    message: str
    actions: tuple[Action, ...] = ()
    serving: bool = False  # InService on the desired config
    in_flight: bool = False  # SageMaker is working on it: wait
    failure: tuple[str, str] | None = None  # (Degraded reason, message)
    correction: str | None = None
    target_config: str | None = None  # the config a create or update was sent to
    failed_config: str | None = None  # a desired config whose update SageMaker rolled back


def endpoint_step(bp: Blueprint, ep: ObservedEndpoint | None, prev: EndpointStatus | None, prev_revision: str | None) -> EndpointStep:
    if ep is None:
        return _create(bp, prev)
    if ep.status in IN_FLIGHT_STATUSES:
        return _wait(bp, ep, prev)
    if ep.status == "Failed":
        return _failed(bp, ep)
    if ep.status == "InService":
        if ep.config_name == bp.config.name:
            return EndpointStep(
                phase="InService",
                reason="EndpointInService",
                message=f"Endpoint {ep.name} is InService on config {ep.config_name}",
                serving=True,
            )
        return _converge(bp, ep, prev, prev_revision)
    return _stuck(ep)


def _create(bp: Blueprint, prev: EndpointStatus | None) -> EndpointStep:
    name, desired = bp.endpoint_name, bp.config.name
    # A known endpoint that vanished without us deleting it (we delete only Failed ones).
    vanished = prev is not None and prev.status not in (None, "Deleting", "Failed")
    return EndpointStep(
        phase="Creating",
        reason="CreatingEndpoint",
        message=f"Creating endpoint {name} on config {desired}",
        actions=(CreateEndpoint(name=name, config_name=desired, tags=bp.tags),),
        correction=f"Endpoint {name} was deleted out of band; recreating it" if vanished else None,
        target_config=desired,
    )


def _wait(bp: Blueprint, ep: ObservedEndpoint, prev: EndpointStatus | None) -> EndpointStep:
    target = prev.target_config if prev else None
    heading = f"; target config {target}" if target and target != ep.config_name else ""
    # The operator deletes only Failed endpoints; one seen Deleting after it served was
    # deleted out of band. Said now: once it is gone, status no longer tells who did it.
    deleted_out_of_band = ep.status == "Deleting" and prev is not None and prev.status not in (None, "Deleting", "Failed")
    return EndpointStep(
        phase=ep.status,
        reason=f"Endpoint{ep.status}",
        message=f"Endpoint {ep.name} is {ep.status} on config {ep.config_name}{heading}",
        in_flight=True,
        target_config=target,
        failed_config=_still_failed(bp, prev),
        correction=f"Endpoint {ep.name} is being deleted out of band; it will be recreated" if deleted_out_of_band else None,
    )


def _failed(bp: Blueprint, ep: ObservedEndpoint) -> EndpointStep:
    desired = bp.config.name
    failure = ("EndpointFailed", f"Endpoint {ep.name} failed on config {ep.config_name}: {ep.failure_reason or 'no reason given'}")
    if ep.config_name == desired:
        return EndpointStep(
            phase="Failed",
            reason="EndpointFailed",
            message=f"Endpoint {ep.name} failed on config {desired}; change the spec to try again",
            failure=failure,
        )
    # A Failed endpoint cannot be updated: delete it, and the next pass recreates it.
    return EndpointStep(
        phase="Deleting",
        reason="ReplacingFailedEndpoint",
        message=f"Deleting failed endpoint {ep.name} to recreate it on config {desired}",
        actions=(DeleteEndpoint(name=ep.name),),
        failure=failure,
    )


def _still_failed(bp: Blueprint, prev: EndpointStatus | None) -> str | None:
    if prev is not None and prev.failed_config == bp.config.name:
        return prev.failed_config
    return None


def _rolled_back(bp: Blueprint, ep: ObservedEndpoint, prev: EndpointStatus | None) -> bool:
    """Our update to the desired config ended with SageMaker back on the old one.

    Evidence: we sent that update, and the endpoint now carries a failure reason it
    did not carry before (or was seen in flight since), so a stale reason from an
    older failure, or an update call that never went through, is not taken for one."""
    if prev is None or prev.target_config != bp.config.name or not ep.failure_reason:
        return False
    return prev.status in IN_FLIGHT_STATUSES or prev.failure_reason != ep.failure_reason


def _converge(bp: Blueprint, ep: ObservedEndpoint, prev: EndpointStatus | None, prev_revision: str | None) -> EndpointStep:
    """InService on a config other than the desired one."""
    desired = bp.config.name
    failed = _still_failed(bp, prev) or (desired if _rolled_back(bp, ep, prev) else None)
    if failed:
        message = (
            f"Update of endpoint {ep.name} to config {desired} failed and SageMaker rolled back to config "
            f"{ep.config_name}: {ep.failure_reason or 'no reason given'}; change the spec to try again"
        )
        return EndpointStep(
            phase="InService",
            reason="UpdateFailed",
            message=message,
            failure=("UpdateFailed", message),
            failed_config=failed,
        )
    ours = {prev_revision} | ({prev.config_name, prev.target_config} if prev else set())
    out_of_band = not is_owned_name(bp.endpoint_name, ep.config_name or "") or (prev is not None and ep.config_name not in ours)
    return EndpointStep(
        phase="Updating",
        reason="UpdatingEndpoint",
        message=f"Updating endpoint {ep.name} from config {ep.config_name} to {desired}",
        actions=(UpdateEndpoint(name=ep.name, config_name=desired, deployment=bp.deployment),),
        correction=(
            f"Endpoint {ep.name} was switched to config {ep.config_name} out of band; updating it back to {desired}"
            if out_of_band
            else None
        ),
        target_config=desired,
    )


def _stuck(ep: ObservedEndpoint) -> EndpointStep:
    """OutOfService, UpdateRollbackFailed or a status this operator does not know:
    not safe to act on, so say so and wait."""
    message = f"Endpoint {ep.name} is {ep.status} on config {ep.config_name}: {ep.failure_reason or 'no reason given'}"
    return EndpointStep(phase=ep.status, reason=f"Endpoint{ep.status}", message=message, failure=(f"Endpoint{ep.status}", message))
