"""Deletion of a ModelEndpoint: with policy Delete, its autoscaling and the endpoint
first (waiting out whatever SageMaker is doing), then configs, models and artifacts;
with Retain, nothing."""

from __future__ import annotations

from ..api.resources import IN_FLIGHT_STATUSES, S3Object
from ..api.spec import DeletionPolicy
from ..api.status import ModelEndpointStatus
from .actions import Action, DeleteArtifact, DeleteEndpoint, DeleteEndpointConfig, DeleteInferenceComponent, DeleteModel
from .decision import NOT_DEGRADED, Decision, Verdict
from .identity import Owner, foreign_owner
from .naming import is_owned_name
from .observed import Observed, full_key
from .s3url import s3_url
from .scaling_step import removal
from .status_view import endpoint_status


def finalize(
    endpoint_name: str,
    observed: Observed,
    policy: DeletionPolicy,
    artifact_prefix: S3Object | None,
    generation: int,
    owner: Owner | None = None,
) -> Decision:
    """`owner`, when given with an observed endpoint's tags, keeps another owner's
    endpoint (and the same-named configs and models) from being deleted."""
    ep = observed.endpoint
    # The artifact prefix stays recorded until the artifacts are gone: each pass of a
    # deletion plans from the status the last one wrote.
    status = ModelEndpointStatus(observed_generation=generation, endpoint=endpoint_status(endpoint_name, ep),
                                 artifact_prefix=s3_url(artifact_prefix) if artifact_prefix is not None else None)
    if policy is DeletionPolicy.RETAIN:
        kept = f"endpoint {endpoint_name} and its configs and models"
        if artifact_prefix is not None:
            kept += f", and the model artifacts under {s3_url(artifact_prefix)}"
        return _done("Retained", f"Deletion policy Retain: {kept} are kept", status, generation)
    other = foreign_owner(ep.tags, owner) if ep is not None and owner is not None else None
    if other is not None:
        return _done("EndpointNotOwned", f"SageMaker endpoint {endpoint_name} belongs to ModelEndpoint {other}; nothing was deleted", status, generation)
    if ep is not None:
        if ep.status in IN_FLIGHT_STATUSES:
            return _working((), "Deleting", f"Waiting for endpoint {endpoint_name} to finish {ep.status} before deleting the rest", status, generation)
        # Scaling first: a target left behind would outlive its endpoint.
        components = observed.components or {}
        if components:
            # Inference components go before their endpoint, each after its scalable target.
            deletes = tuple(DeleteInferenceComponent(name=n) for n, c in sorted(components.items())
                            if c.status not in IN_FLIGHT_STATUSES)
            actions = removal(observed.scaling) + deletes
            return _working(actions, "Deleting", f"Deleting the {len(components)} inference components of endpoint "
                                                 f"{endpoint_name} before the endpoint", status, generation)
        actions = removal(observed.scaling) + (DeleteEndpoint(name=endpoint_name),)
        return _working(actions, "Deleting", f"Deleting endpoint {endpoint_name}", status, generation)
    # The endpoint is gone: nothing uses the configs and models any more.
    actions: list[Action] = list(removal(observed.scaling))
    actions += [DeleteEndpointConfig(name=n) for n in sorted(observed.configs) if is_owned_name(endpoint_name, n)]
    actions += [DeleteModel(name=n) for n in sorted(observed.models) if is_owned_name(endpoint_name, n)]
    if artifact_prefix is not None:
        actions += artifact_deletions(artifact_prefix, observed.artifacts)
    if not actions:
        return _done("Deleted", f"Endpoint {endpoint_name} and all its configs, models and artifacts are deleted", status, generation)
    return _working(tuple(actions), "Deleting", f"Deleting {len(actions)} configs, models and artifacts of endpoint {endpoint_name}", status, generation)


def artifact_deletions(prefix: S3Object, keys) -> list[DeleteArtifact]:
    """Deletions of the artifacts listed under `prefix` (`keys` relative to it)."""
    return [DeleteArtifact(obj=S3Object(bucket=prefix.bucket, key=full_key(prefix, k))) for k in sorted(keys)]


def deletion_leftover(spec_prefix: S3Object | None, recorded: S3Object | None) -> S3Object | None:
    """A recorded prefix the spec no longer places artifacts under (moved while the
    endpoint still served from it): a deletion with policy Delete empties it too, or
    it would outlive the object."""
    return recorded if recorded is not None and spec_prefix is not None and recorded != spec_prefix else None


def _working(actions: tuple[Action, ...], reason: str, message: str, status: ModelEndpointStatus, generation: int) -> Decision:
    verdict = Verdict(ready=(False, reason, message), progressing=(True, reason, message), degraded=NOT_DEGRADED)
    return Decision(actions=actions, conditions=verdict.conditions(generation), endpoint_phase="Deleting",
                    in_flight=True, corrections=(), status=status)


def _done(reason: str, message: str, status: ModelEndpointStatus, generation: int) -> Decision:
    verdict = Verdict(ready=(False, reason, message), progressing=(False, reason, message), degraded=NOT_DEGRADED)
    return Decision(actions=(), conditions=verdict.conditions(generation), endpoint_phase=reason,
                    in_flight=False, corrections=(), status=status, done=True)
