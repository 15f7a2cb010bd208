"""Deployment guardrails (UpdateEndpoint's DeploymentConfig), which moto lacks: a
blue/green deployment with all-at-once, canary or linear traffic shifting, or a
rolling deployment in batches, each step followed by a baking period during which
the AutoRollbackConfiguration alarms are watched; an alarm in ALARM rolls it back.

Developer guide, "Deployment guardrails for updating models in production": "Traffic
shifting modes in blue/green deployments, such as canary and linear, give you granular
control over the traffic shifting process ... There are also built-in safeguards such
as auto-rollbacks". Durations follow the emulator's clock (clock.py); provisioning a
fleet or a batch takes the emulator's transition delay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from moto.cloudwatch.models import cloudwatch_backends

from . import clock
from .responses import validation_error

# ProductionVariantStatus.Status (service model): Creating | Updating | Deleting | ActivatingTraffic | Baking.
CREATING, UPDATING, ACTIVATING, BAKING = "Creating", "Updating", "ActivatingTraffic", "Baking"


@dataclass(frozen=True)
class Stage:
    status: str  # ProductionVariantStatus.Status
    seconds: float
    message: str
    watched: bool  # alarms watched: "If any of your alarms trip during the specified monitoring period ..."


@dataclass
class Deployment:
    config: dict[str, Any]
    alarms: tuple[str, ...]
    stages: tuple[Stage, ...]
    started: float = field(default_factory=clock.timestamp)

    def current(self) -> tuple[int, Stage] | None:
        """The stage in progress, None once every stage is over."""
        elapsed = clock.timestamp() - self.started
        for index, stage in enumerate(self.stages):
            if elapsed < stage.seconds:
                return index, stage
            elapsed -= stage.seconds
        return None

    def tripped(self, account: str, region: str) -> str | None:
        """AutoRollbackConfig.Alarms (API reference): "If any alarms are tripped during a deployment, SageMaker rolls
        back the deployment." The first alarm in ALARM while a watched stage runs."""
        now = self.current()
        if now is None or not now[1].watched:
            return None
        alarms = cloudwatch_backends[account][region].alarms
        for name in self.alarms:
            if name in alarms and alarms[name].state_value == "ALARM":
                return name
        return None

    def variant_status(self) -> list[dict[str, Any]]:
        now = self.current()
        if now is None:
            return []
        index, stage = now
        return [{"Status": stage.status, "StatusMessage": f"{stage.message} (step {index + 1} of {len(self.stages)})",
                 "StartTime": self.started + sum(s.seconds for s in self.stages[:index])}]


def plan_deployment(config: dict[str, Any], old_variants: list[dict[str, Any]], new_variants: list[dict[str, Any]],
                    provision_seconds: float) -> Deployment | None:
    """The stages of a DeploymentConfig; None without a blue/green or rolling policy (SageMaker's default update)."""
    blue_green, rolling = config.get("BlueGreenUpdatePolicy"), config.get("RollingUpdatePolicy")
    if not blue_green and not rolling:
        return None
    # Exclusions (developer guide, "Exclusions"): "your new endpoint configuration must have the same variant name as
    # the old endpoint configuration" and, for a rolling deployment, not "Serverless inference endpoints" nor
    # "Multi-variant inference endpoints".
    if sorted(v["VariantName"] for v in old_variants) != sorted(v["VariantName"] for v in new_variants):
        raise validation_error("A blue/green or rolling deployment needs the new endpoint configuration to have the "
                               "same variant names as the old one.")
    if rolling and (len(new_variants) != 1 or any(v.get("ServerlessConfig") for v in new_variants)):
        raise validation_error("A rolling deployment is not supported for serverless or multi-variant endpoints.")
    alarms = tuple(a["AlarmName"] for a in (config.get("AutoRollbackConfiguration") or {}).get("Alarms") or [])
    instances = sum(int(v.get("InitialInstanceCount") or 1) for v in new_variants)
    if rolling:
        stages = _rolling(rolling, instances, provision_seconds)
    else:
        stages = _blue_green(blue_green, instances, provision_seconds)
    return Deployment(config=config, alarms=alarms, stages=stages)


def _size(capacity: dict[str, Any], instances: int) -> int:
    """CapacitySize in instances: INSTANCE_COUNT as given, CAPACITY_PERCENT of the fleet, at least one."""
    if capacity.get("Type") == "INSTANCE_COUNT":
        return max(1, min(instances, int(capacity["Value"])))
    return max(1, min(instances, math.ceil(instances * float(capacity["Value"]) / 100)))


def _blue_green(policy: dict[str, Any], instances: int, provision: float) -> tuple[Stage, ...]:
    # Developer guide, "Blue/Green Deployments": SageMaker "provisions the green fleet", shifts traffic by the routing
    # type with a baking period (WaitIntervalInSeconds) after each shift, then terminates the blue fleet after
    # TerminationWaitInSeconds.
    routing = policy.get("TrafficRoutingConfiguration") or {}
    wait = float(routing.get("WaitIntervalInSeconds", 0))
    kind = routing.get("Type", "ALL_AT_ONCE")
    stages = [Stage(CREATING, provision, f"Creating the new fleet of {instances} instances", False)]
    if kind == "CANARY":
        canary = _size(routing.get("CanarySize") or {}, instances)
        stages.append(Stage(BAKING, wait, f"Canary: {canary} of {instances} new instances take traffic", True))
    elif kind == "LINEAR":
        step = _size(routing.get("LinearStepSize") or {}, instances)
        for active in range(step, instances, step):
            stages.append(Stage(BAKING, wait, f"Linear: {active} of {instances} new instances take traffic", True))
    stages.append(Stage(BAKING, wait, f"All traffic on the new fleet of {instances} instances", True))
    termination = float(policy.get("TerminationWaitInSeconds", 0))
    if termination:
        stages.append(Stage(BAKING, termination, "Keeping the old fleet before terminating it", True))
    return tuple(stages)


def _rolling(policy: dict[str, Any], instances: int, provision: float) -> tuple[Stage, ...]:
    # Developer guide, "Use rolling deployments": "instances on the old fleet are cleaned up after each traffic shift
    # to the new fleet"; each batch of MaximumBatchSize is followed by the baking period WaitIntervalInSeconds.
    batch = _size(policy.get("MaximumBatchSize") or {}, instances)
    wait = float(policy.get("WaitIntervalInSeconds", 0))
    batches = math.ceil(instances / batch)
    stages = []
    for index in range(batches):
        done = min(instances, (index + 1) * batch)
        stages.append(Stage(UPDATING, provision, f"Rolling batch {index + 1} of {batches}: replacing instances", False))
        stages.append(Stage(BAKING, wait, f"Rolling batch {index + 1} of {batches}: {done} of {instances} instances new",
                            True))
    return tuple(stages)
