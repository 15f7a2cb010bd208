"""How SageMaker itself moves an endpoint to a new config: its deployment guardrails
(UpdateEndpoint's DeploymentConfig), for the changes a canary does not cover (an
instance type, an image, an environment variable, a volume) and for a model change
without spec.rollout.

Developer guide, "Deployment guardrails for updating models in production":
blue/green deployments (all at once, canary or linear traffic shifting) bring up a
new fleet and keep the old one until the baking period ends; rolling deployments
replace the fleet in batches, for large fleets or scarce instance types. Any alarm
named here that trips during the deployment makes SageMaker roll it back.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import Field

from .patterns import ascii_re
from .rules import Rule, SpecModel

# SageMaker's AlarmName, (?!\s*$).+ in Java: not only white space, no line terminator
# (RE2 has no look-ahead: at least one character that is neither).
ALARM_NAME = ascii_re("^[^\n\r\x85\u2028\u2029]*[^ \t\n\x0B\f\r\x85\u2028\u2029][^\n\r\x85\u2028\u2029]*$")


class Strategy(str, Enum):
    BLUE_GREEN = "BlueGreen"
    ROLLING = "Rolling"


class TrafficShifting(str, Enum):
    ALL_AT_ONCE = "AllAtOnce"
    CANARY = "Canary"
    LINEAR = "Linear"


class DeploymentSpec(SpecModel):
    strategy: Annotated[Strategy, Field(description="BlueGreen brings up a whole new fleet and shifts traffic to it; Rolling replaces the fleet in batches (no second fleet: for large fleets or scarce instance types). Defaults to BlueGreen.")] = Strategy.BLUE_GREEN
    traffic_shifting: Annotated[TrafficShifting, Field(description="BlueGreen only: AllAtOnce, Canary (canaryPercent of the new fleet first, then the rest) or Linear (linearPercent at a time). Defaults to Canary.")] = TrafficShifting.CANARY
    canary_percent: Annotated[int, Field(ge=1, le=50, description="Canary: percent of the new fleet's capacity that takes traffic first; SageMaker allows at most 50. Defaults to 10.")] = 10
    linear_percent: Annotated[int, Field(ge=10, le=50, description="Linear: percent of the capacity turned on at each step; SageMaker allows 10 to 50. Defaults to 25.")] = 25
    batch_percent: Annotated[int, Field(ge=5, le=50, description="Rolling: percent of the fleet replaced in each batch; SageMaker allows 5 to 50. Defaults to 25.")] = 25
    wait_seconds: Annotated[int, Field(ge=0, le=3600, description="Baking period after each step or batch, during which the alarms are watched. Defaults to 300.")] = 300
    termination_wait_seconds: Annotated[int, Field(ge=0, le=3600, description="BlueGreen: seconds the old fleet is kept after all traffic moved, for a fast rollback. Defaults to 0.")] = 0
    alarms: Annotated[list[Annotated[str, Field(min_length=1, max_length=255, pattern=ALARM_NAME)]] | None, Field(min_length=1, max_length=10, description="CloudWatch alarms that roll the deployment back when they trip (AutoRollbackConfiguration); at most 10. Without alarms there is nothing to roll back on.")] = None

    rules = (
        Rule("trafficShifting", "spec.deployment.trafficShifting applies only to spec.deployment.strategy BlueGreen",
             "!has(self.trafficShifting) || !has(self.strategy) || self.strategy == 'BlueGreen'",
             lambda d: d.strategy == Strategy.BLUE_GREEN or "traffic_shifting" not in d.model_fields_set),
    )
