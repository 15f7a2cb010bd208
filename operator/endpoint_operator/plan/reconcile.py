"""Blueprint x observed -> Decision: one level-based step towards the spec.

Order of work in one decision: models, then the config (an endpoint needs both),
then artifacts, then the endpoint, then garbage, then autoscaling (see scaling_step). The handler runs the actions in
order and stops at the first failure, so a later action never runs without the
earlier ones it depends on.
"""

from __future__ import annotations

from datetime import datetime
from dataclasses import replace

from ..api.resources import ObservedEndpoint
from ..api.status import ModelEndpointStatus
from .actions import Action, CreateEndpointConfig, CreateModel
from .artifacts import ArtifactSync
from .blueprint import Blueprint
from .components import ComponentPlan, plan_components, scaling_in_reach
from .decision import NOT_DEGRADED, Decision, Verdict
from .endpoint import EndpointStep, endpoint_step
from .errors import PlanError
from .failures import plan_failure
from .finalize import finalize
from .gates import GateReadings
from .garbage import collect_garbage
from .scaling_step import out_of_range, plan_scaling, scaling_status
from .identity import foreign_owner
from .observed import Observed
from .rollout import ACTIVE, RolloutPlan, plan_rollout
from .rollout_artifacts import rollout_artifacts
from .rollout_capacity import rollout_scaling
from .serverless import concurrency_updates
from .status_view import endpoint_status, instances_summary, variants, variants_summary

__all__ = ["Decision", "reconcile", "plan_failure", "finalize"]


def reconcile(bp: Blueprint, observed: Observed, generation: int, previous: ModelEndpointStatus | None, *,
              now: datetime | None = None, gates: GateReadings | None = None, command: str | None = None) -> Decision:
    """`now` is required when a rollout may be involved (the handler always passes it);
    `gates` are the readings of gate_query(), `command` the rollout annotation's value."""
    ep = observed.endpoint
    prev_ep = previous.endpoint if previous else None
    if ep is not None:
        other = foreign_owner(ep.tags, bp.owner)
        if other is not None:
            return _not_owned(bp, ep, other, generation, previous)

    creates, restored = _missing_resources(bp, observed)
    canary = _rollout(bp, observed, previous, now, gates, command)
    step = canary.step or endpoint_step(bp, ep, prev_ep, previous.revision if previous else None)
    # Superseded artifact folders go once the desired config alone serves (never while
    # a canary's primary still reads the old one; a rolled-back canary's go, see rollout_artifacts).
    on_desired = ep is not None and ep.status == "InService" and ep.config_name == bp.config.name
    artifacts = rollout_artifacts(bp, observed, canary.status, serving=step.serving and on_desired)
    garbage = collect_garbage(bp, observed, ep) if step.serving and ep is not None else ()
    tuning = concurrency_updates(bp, ep) if step.serving and ep is not None else ()
    serving_config = observed.configs.get(ep.config_name) if ep is not None and ep.config_name else None
    components = plan_components(bp.components, bp.scaling, observed, serving=on_desired and not step.actions)
    desired_scaling, scaling_serves = _desired_scaling(bp, canary, ep, step.serving)
    desired_scaling = scaling_in_reach(bp.components, desired_scaling, observed)
    scaling = plan_scaling(bp.endpoint_name, desired_scaling, bp.config, observed.scaling, ep, serving_config,
                           step.actions, scaling_serves, bp.tags)
    # Components after the endpoint and before their scaling; a component goes after its target.
    actions: tuple[Action, ...] = (creates + artifacts.actions + scaling.endpoint_actions + tuning + garbage
                                   + components.actions + scaling.actions + components.removals)

    corrections = restored + ((step.correction,) if step.correction else ())
    verdict = canary.verdict or _verdict(bp, step, creates, bool(restored), artifacts, garbage, tuning, components)
    if scaling.actions and not verdict.progressing[0]:
        message = f"Configuring autoscaling of endpoint {bp.endpoint_name}: {len(scaling.actions)} changes"
        verdict = replace(verdict, progressing=(True, "ConfiguringAutoscaling", message))
    moving = out_of_range(bp.scaling, bp.config, ep) if canary.verdict is None else None
    if moving:
        verdict = replace(verdict, progressing=(True, "ScalingIntoRange", moving))
    return Decision(
        actions=actions,
        conditions=verdict.conditions(generation),
        endpoint_phase=step.phase,
        in_flight=bool(actions) or step.in_flight,
        corrections=corrections,
        status=_status(bp, observed, step, generation).model_copy(
            update={"rollout": canary.status, "components": components.status, "pinned": components.pinned}),
        requeue_after=canary.requeue_after,
        notices=canary.notices,
    )


def _rollout(bp: Blueprint, observed: Observed, previous: ModelEndpointStatus | None, now: datetime | None,
             gates: GateReadings | None, command: str | None) -> RolloutPlan:
    if bp.rollout is None and not (previous and previous.rollout) and command is None:
        return RolloutPlan(step=None, status=None)
    if now is None:
        raise ValueError("reconcile() needs now= when spec.rollout or a rollout status is present")
    return plan_rollout(bp, observed, previous, now=now, gates=gates, command=command)


def _desired_scaling(bp: Blueprint, canary: RolloutPlan, ep: ObservedEndpoint | None, serving: bool):
    """The blueprint's scaling, or, while the endpoint serves a rollout's canary
    config, both variants' (see rollout_capacity): (desired, whether to converge)."""
    r = canary.status
    if canary.step is None or r is None or r.phase not in ACTIVE or ep is None or ep.config_name != r.canary_config:
        return bp.scaling, serving
    during = rollout_scaling(bp, r, ep)
    return (during, ep.status == "InService") if during else (bp.scaling, serving)


def _missing_resources(bp: Blueprint, observed: Observed) -> tuple[tuple[Action, ...], tuple[str, ...]]:
    """Creates for desired models and config that do not exist, and a correction for
    each that evidently existed before (it was deleted out of band)."""
    config = bp.config.name
    ep = observed.endpoint
    creates: list[Action] = []
    restored: list[str] = []
    for model in bp.models:
        if model.name not in observed.models:
            creates.append(CreateModel(model=model))
            if config in observed.configs:  # models are made before their config
                restored.append(f"Model {model.name} was deleted out of band; recreating it")
    if config not in observed.configs:
        creates.append(CreateEndpointConfig(config=bp.config))
        if ep is not None and ep.config_name == config:
            restored.append(f"Endpoint config {config} was deleted out of band; recreating it")
    return tuple(creates), tuple(restored)


def _verdict(bp: Blueprint, step: EndpointStep, creates: tuple, restoring: bool, artifacts: ArtifactSync, garbage: tuple,
             tuning: tuple = (), components: ComponentPlan = ComponentPlan()) -> Verdict:
    degraded = (True, *step.failure) if step.failure else NOT_DEGRADED
    if components.failures and not step.failure:
        degraded = (True, "ComponentFailed", "; ".join(components.failures))
    if creates:
        names = ", ".join(f"model {a.model.name}" if isinstance(a, CreateModel) else f"endpoint config {a.config.name}" for a in creates)
        work = ("RestoringResources" if restoring else "CreatingResources", f"Creating {names}")
    elif artifacts.actions:
        work = ("SyncingArtifacts", artifacts.describe(bp.artifact_prefix))
    elif step.serving and not components.settled:
        work = ("DeployingComponents", components.describe())
    elif step.serving and components.failures:
        work = ("ComponentFailed", "; ".join(components.failures))
    else:
        work = None

    if step.serving and work is None:
        ready = (True, step.reason, step.message)
    elif step.serving:
        ready = (False, *work)
    else:
        ready = (False, step.reason, step.message)

    if step.actions or step.in_flight:
        progressing = (True, step.reason, step.message)
    elif work is not None:
        progressing = (work[0] != "ComponentFailed", *work)  # a failed component waits for a spec change
    elif tuning:
        progressing = (True, "UpdatingConcurrency", "; ".join(a.describe() for a in tuning))
    elif garbage:
        progressing = (True, "CollectingGarbage", f"Deleting {len(garbage)} superseded configs and models of endpoint {bp.endpoint_name}")
    elif step.failure:
        progressing = (False, step.reason, step.message)
    else:
        progressing = (False, "Reconciled", step.message)
    return Verdict(ready=ready, progressing=progressing, degraded=degraded)


def _status(bp: Blueprint, observed: Observed, step: EndpointStep, generation: int) -> ModelEndpointStatus:
    ep = observed.endpoint
    return ModelEndpointStatus(
        observed_generation=generation,
        mode=bp.mode.value,
        mode_reason=bp.mode_reason,
        revision=bp.revision,
        endpoint=endpoint_status(bp.endpoint_name, ep, step.target_config, step.failed_config),
        variants=scaling_status(variants(ep, _models_by_variant(bp, observed)), observed.scaling),
        variants_summary=variants_summary(ep),
        instances=instances_summary(ep),
        models=list(bp.served_models),
    )


def _models_by_variant(bp: Blueprint, observed: Observed) -> dict[str, str]:
    ep = observed.endpoint
    if ep is None:
        return {}
    if ep.config_name == bp.config.name:
        return {v.name: v.model_name for v in bp.config.variants}
    serving = observed.configs.get(ep.config_name or "")
    if serving is not None and len(serving.variant_models) == len(ep.variants):
        return {v.name: model for v, model in zip(ep.variants, serving.variant_models)}
    return {}


def _not_owned(bp: Blueprint, ep: ObservedEndpoint, other: str, generation: int, previous: ModelEndpointStatus | None) -> Decision:
    """Never act on an endpoint another ModelEndpoint made."""
    error = PlanError(
        "EndpointNotOwned",
        "spec.endpointName",
        f"spec.endpointName: SageMaker endpoint {ep.name} belongs to ModelEndpoint {other}; choose another name",
    )
    return plan_failure(error, generation, previous)
