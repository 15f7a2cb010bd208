"""Which strategy each kind of change takes, for `endpoint-operator plan`: the same
choices the planner makes (rollout.py for a model change, the guardrails of
spec.deployment for the rest), said in words, with what SageMaker does not allow."""

from __future__ import annotations

from ..api.deployment import DeploymentSpec, Strategy, TrafficShifting
from ..api.spec import Mode
from .blueprint import Blueprint
from .builders import profile_of

DEFAULT_UPDATE = "SageMaker's default update (a new fleet, all traffic at once once it is healthy)"


def update_strategies(bp: Blueprint) -> dict[str, str]:
    """{kind of change: strategy}."""
    other = guardrail(bp.deployment) if bp.deployment is not None else DEFAULT_UPDATE
    if bp.mode == Mode.SERVERLESS:
        other = f"{DEFAULT_UPDATE}; SageMaker has no deployment guardrails for serverless endpoints"
    return {"modelChange": model_change(bp, other), "otherChange": other}


# A multi-model endpoint's model list is an S3 concern whatever the strategy (plan/artifacts.py).
MODEL_LIST = "adding or removing a model is an S3 copy or delete in the folder in service, no new fleet"


def model_change(bp: Blueprint, other: str) -> str:
    rollout = bp.rollout
    if bp.mode == Mode.MULTI_MODEL:
        # A changed artifact is a new content folder, hence a new model (plan/rollout_artifacts.py).
        if rollout is None:
            return f"a changed artifact moves to a new content folder: {other}; {MODEL_LIST}"
        steps = " -> ".join(f"{s.weight}%" for s in rollout.steps)
        return (f"canary steps {steps} (a changed artifact: primary on the old content folder, canary on the new; "
                f"the old folder goes at the promotion, the new one at a rollback); {MODEL_LIST}")
    if rollout is None:
        return other
    # RealTime and Async take the canary steps here (their profiles' `rollouts`);
    # MultiModel's were said above; Serverless and InferenceComponents never get here
    # with spec.rollout: the schema and the planner refuse it.
    if not profile_of(bp.mode).rollouts or len(bp.models) != 1:
        why = {Mode.SERVERLESS: "SageMaker allows one production variant on a serverless endpoint"}.get(bp.mode, "one model only")
        return f"{other}; spec.rollout is ignored ({why})"
    steps = " -> ".join(f"{s.weight}%" for s in rollout.steps)
    canary = f"canary steps {steps}"
    if rollout.shadow is not None:
        return f"shadow step ({rollout.shadow.sampling_percent}% of requests copied for {rollout.shadow.pause}), then {canary}"
    return canary


def guardrail(d: DeploymentSpec) -> str:
    alarms = f", rolled back on alarm {', '.join(d.alarms)}" if d.alarms else ", no rollback alarm"
    if d.strategy == Strategy.ROLLING:
        return f"rolling deployment in batches of {d.batch_percent}%, {d.wait_seconds}s baking each{alarms}"
    shift = {TrafficShifting.ALL_AT_ONCE: "all at once", TrafficShifting.CANARY: f"a {d.canary_percent}% canary first",
             TrafficShifting.LINEAR: f"{d.linear_percent}% at a time"}[d.traffic_shifting]
    return f"blue/green deployment, {shift}, {d.wait_seconds}s baking{alarms}"
