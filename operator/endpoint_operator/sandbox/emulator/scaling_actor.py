"""Application Auto Scaling acting on SageMaker variants, driven by the virtual clock.

moto stores scalable targets, policies, scheduled actions and alarms, and does nothing
with them. Here, once per virtual second (ticker.py):

- every metric alarm is evaluated on moto's data points (alarms.py), its StateValue kept
  for DescribeAlarms; an alarm in ALARM invokes the Application Auto Scaling policy its
  action names, at each evaluation while it stays there;
- a target tracking policy sets the capacity the metric asks for, a step scaling policy
  applies the step its metric falls in, each within the target's range and cooldowns;
- scheduled actions run at their schedule (schedules.py) and set the target's range;
- a capacity change is an endpoint update: DesiredInstanceCount moves, the endpoint is
  Updating for the instance start time (a sandbox setting), then InService at the new
  count; DescribeScalingActivities lists what happened.

Not modelled: several policies on one target deciding together (each acts alone here),
predictive scaling, suspended scaling (SuspendedState), and the scale-in protection of
DisableScaleIn on step policies.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.cloudwatch.models import cloudwatch_backends
from moto.moto_api._internal import mock_random
from moto.sagemaker.models import sagemaker_backends

from . import alarms, clock
from .sagemaker import IN_SERVICE, SageMakerExtensions, set_instance_count
from .schedules import ScheduleNotUnderstood, fires

SAGEMAKER = "sagemaker"
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
DEFAULT_INSTANCE_START_SECONDS = 120.0  # virtual seconds; AWS documents no figure


@dataclass
class Activity:
    """One scaling activity, in the shape of the API's ScalingActivity."""

    activity_id: str
    resource_id: str
    description: str
    cause: str
    start: float
    end: float
    capacity: int

    def response(self, now: float) -> dict[str, Any]:
        done = now >= self.end
        row = {
            "ActivityId": self.activity_id, "ServiceNamespace": SAGEMAKER, "ResourceId": self.resource_id,
            "ScalableDimension": VARIANT_DIMENSION, "Description": self.description, "Cause": self.cause,
            "StartTime": self.start,
            # ScalingActivity, StatusCode (API reference): "Indicates the status of the scaling activity."
            "StatusCode": "Successful" if done else "InProgress",
            "StatusMessage": (f"Successfully set desired instance count to {self.capacity}. Change successfully "
                              "fulfilled by sagemaker." if done else f"Setting desired instance count to {self.capacity}."),
        }
        if done:
            row["EndTime"] = self.end
        return row


@dataclass
class Cooldowns:
    """When a target last scaled each way, for the policies' cooldowns."""

    out_end: float | None = None  # when the last scale-out completed
    out_base: int = 0  # the capacity before the scale-out that started the cooldown
    in_end: float | None = None


@dataclass
class AccountRegion:
    index: alarms.MetricIndex = field(default_factory=alarms.MetricIndex)
    activities: list[Activity] = field(default_factory=list)
    cooldowns: dict[str, Cooldowns] = field(default_factory=dict)
    last_schedule_check: datetime | None = None
    unclamped: set[str] = field(default_factory=set)  # a range a scheduled action set, the endpoint busy


class ScalingActor:
    def __init__(self, exclusive: Callable[[], AbstractContextManager[None]]) -> None:
        self._exclusive = exclusive
        self._lock = threading.Lock()
        self._state: dict[tuple[str, str], AccountRegion] = {}
        self.instance_start_seconds = DEFAULT_INSTANCE_START_SECONDS

    # ---- settings and reads --------------------------------------------------------

    def set_instance_start_seconds(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("an instance start time cannot be negative")
        self.instance_start_seconds = float(seconds)

    def reset(self) -> None:
        with self._lock:
            self._state.clear()
        self.instance_start_seconds = DEFAULT_INSTANCE_START_SECONDS

    def activities(self, account: str, region: str, resource_id: str | None) -> list[dict[str, Any]]:
        """Newest first, as DescribeScalingActivities lists them."""
        now = clock.timestamp()
        with self._lock:
            rows = list(self._where(account, region).activities)
        return [a.response(now) for a in reversed(rows) if resource_id in (None, a.resource_id)]

    # ---- the tick ------------------------------------------------------------------

    def tick(self, now: datetime) -> None:
        for account, region in self._places():
            with self._exclusive(), self._lock:
                place = self._where(account, region)
                SageMakerExtensions.settle(sagemaker_backends[account][region])
                self._run_schedules(account, region, place, now)
                self._evaluate_alarms(account, region, place, now)

    def _places(self) -> Iterator[tuple[str, str]]:
        """Every account and region with an alarm or a variant registered for scaling."""
        places = {(account, region)
                  for account, regions in list(cloudwatch_backends.items())
                  for region, backend in list(regions.items()) if backend.alarms}
        places |= {(account, region)
                   for account, regions in list(applicationautoscaling_backends.items())
                   for region, backend in list(regions.items()) if backend.targets.get(VARIANT_DIMENSION)}
        return iter(sorted(places))

    def _where(self, account: str, region: str) -> AccountRegion:
        return self._state.setdefault((account, region), AccountRegion())

    # ---- alarms and policies -------------------------------------------------------

    def _evaluate_alarms(self, account: str, region: str, place: AccountRegion, now: datetime) -> None:
        cloudwatch = cloudwatch_backends[account][region]
        second = int(now.timestamp())
        due = [a for a in list(cloudwatch.alarms.values())
               if a.metric_name and second % alarms.evaluation_step(int(a.period or 60)) == 0]
        if not due:
            return
        place.index.refresh(cloudwatch.metric_data)
        for alarm in due:
            verdict = alarms.evaluate(alarm, place.index, now)
            if verdict is None:
                continue
            if verdict.state != alarm.state_value:
                alarm.update_state(verdict.reason, "{}", verdict.state)
                alarm.state_updated_timestamp = now.astimezone(timezone.utc).replace(tzinfo=None)
            # CloudWatch user guide, "Alarm actions": "Except for Auto Scaling actions, the actions happen only on
            # state transitions, and are not performed again if the condition persists for hours or days."
            if verdict.state == alarms.ALARM and alarm.actions_enabled:
                for action in alarm.alarm_actions:
                    policy = _policy_for(account, region, action)
                    if policy is not None and verdict.value is not None:
                        self._invoke(account, region, place, policy, alarm, verdict.value, now)

    def _invoke(self, account: str, region: str, place: AccountRegion, policy: Any, alarm: Any,
                value: float, now: datetime) -> None:
        target = applicationautoscaling_backends[account][region].targets.get(VARIANT_DIMENSION, {}).get(policy.resource_id)
        current = _desired_count(account, region, policy.resource_id)
        if target is None or current is None:
            return
        cooldowns = place.cooldowns.setdefault(policy.resource_id, Cooldowns())
        moment = now.timestamp()
        if policy.policy_type == "TargetTrackingScaling":
            wanted = _tracking_capacity(policy, alarm, value, current, cooldowns, moment)
        else:
            wanted = _step_capacity(policy, alarm, value, current, cooldowns, moment)
        if wanted is None:
            return
        wanted = min(max(wanted, int(target.min_capacity)), int(target.max_capacity))
        if wanted == current:
            return
        cause = (f"monitor alarm {alarm.name} in state ALARM triggered policy {policy.policy_name}")
        self._scale(account, region, place, policy.resource_id, current, wanted, cause, moment,
                    _out_cooldown(policy))

    def _scale(self, account: str, region: str, place: AccountRegion, resource_id: str, current: int,
               wanted: int, cause: str, moment: float, out_cooldown: float = 0.0) -> None:
        endpoint_name, variant = resource_id.split("/")[1], resource_id.split("/")[3]
        endpoint = sagemaker_backends[account][region].endpoints.get(endpoint_name)
        end = moment + self.instance_start_seconds
        if endpoint is None or not set_instance_count(endpoint, variant, wanted, end):
            return  # not InService: the alarm invokes the policy again at its next evaluation
        cooldowns = place.cooldowns.setdefault(resource_id, Cooldowns())
        if wanted > current:
            if cooldowns.out_end is None or moment >= cooldowns.out_end + out_cooldown:
                cooldowns.out_base = current  # a new cooldown starts; within one, its base stays
            cooldowns.out_end = end
        else:
            cooldowns.in_end = end
        place.activities.append(Activity(
            activity_id=str(mock_random.uuid4()), resource_id=resource_id,
            description=f"Setting desired instance count to {wanted}.", cause=cause,
            start=moment, end=end, capacity=wanted,
        ))

    # ---- scheduled actions -----------------------------------------------------------

    def _run_schedules(self, account: str, region: str, place: AccountRegion, now: datetime) -> None:
        for resource_id in sorted(place.unclamped):
            self._clamp(account, region, place, resource_id, "the scheduled range", now)
        since, place.last_schedule_check = place.last_schedule_check, now
        if since is None or since >= now:
            return
        backend = applicationautoscaling_backends[account][region]
        for action in list(backend.scheduled_actions):
            if action.service_namespace != SAGEMAKER or action.scalable_dimension != VARIANT_DIMENSION:
                continue
            if not _within(action, now):
                continue
            created = datetime.fromtimestamp(float(action.creation_time), tz=timezone.utc)
            try:
                due = fires(action.schedule, action.timezone, since, now, created)
            except (ScheduleNotUnderstood, ValueError, KeyError):
                continue
            if due:
                self._run_scheduled(account, region, place, action, now)

    def _run_scheduled(self, account: str, region: str, place: AccountRegion, action: Any, now: datetime) -> None:
        target = applicationautoscaling_backends[account][region].targets.get(VARIANT_DIMENSION, {}).get(action.resource_id)
        if target is None:
            return
        capacity = action.scalable_target_action or {}
        # ScalableTargetAction (API reference): "At the scheduled time, if the current capacity is below the minimum
        # capacity, Application Auto Scaling scales out to the minimum capacity. If the current capacity is above the
        # maximum capacity, Application Auto Scaling scales in to the maximum capacity."
        if capacity.get("MinCapacity") is not None:
            target.min_capacity = int(capacity["MinCapacity"])
        if capacity.get("MaxCapacity") is not None:
            target.max_capacity = int(capacity["MaxCapacity"])
        place.unclamped.add(action.resource_id)
        self._clamp(account, region, place, action.resource_id,
                    f"scheduled action name {action.scheduled_action_name} was triggered", now)

    def _clamp(self, account: str, region: str, place: AccountRegion, resource_id: str, cause: str,
               now: datetime) -> None:
        """The capacity into the target's range, once the endpoint is InService."""
        target = applicationautoscaling_backends[account][region].targets.get(VARIANT_DIMENSION, {}).get(resource_id)
        current = _desired_count(account, region, resource_id)
        if target is None:
            place.unclamped.discard(resource_id)
            return
        if current is None:
            return  # Updating: again at the next tick
        place.unclamped.discard(resource_id)
        wanted = min(max(current, int(target.min_capacity)), int(target.max_capacity))
        if wanted != current:
            self._scale(account, region, place, resource_id, current, wanted, cause, now.timestamp())


# ---- what a policy asks for -------------------------------------------------------------

def _tracking_capacity(policy: Any, alarm: Any, value: float, current: int, cooldowns: Cooldowns,
                       moment: float) -> int | None:
    config = policy.target_tracking_scaling_policy_configuration or {}
    target_value = float(config.get("TargetValue", 0.0))
    if target_value <= 0:
        return None
    # User guide, "How target tracking scaling for Application Auto Scaling works": "When the metric is above the
    # target value, Application Auto Scaling scales out by adding capacity to reduce the difference between the
    # metric value and the target value. When the metric is below the target value, Application Auto Scaling scales
    # in by removing capacity." The capacity is proportional: the metric per unit of capacity times the capacity
    # over the target (the guide gives no formula; this is the one that keeps the metric at the target).
    scaling_out = alarm.comparison_operator.startswith("Greater")
    if scaling_out:
        out_cooldown = float(config.get("ScaleOutCooldown", 300))
        in_cooldown_out = cooldowns.out_end is not None and moment < cooldowns.out_end + out_cooldown
        # ScaleOutCooldown (API reference): "While the cooldown period is in effect, the capacity that has been
        # added by the previous scale out event that initiated the cooldown is calculated as part of the desired
        # capacity for the next scale out. The intention is to continuously (but not excessively) scale out."
        # The metric does not yet see the capacity added, so the base is the capacity before it.
        base = cooldowns.out_base if in_cooldown_out else current
        # With no instance the metric per instance is the whole load on one.
        wanted = math.ceil(max(base, 1) * value / target_value)
        return wanted if wanted > current else None
    if config.get("DisableScaleIn"):
        return None
    in_cooldown = float(config.get("ScaleInCooldown", 300))
    # ScaleInCooldown (API reference): "The amount of time, in seconds, after a scale in activity completes before
    # another scale in activity can start."
    if cooldowns.in_end is not None and moment < cooldowns.in_end + in_cooldown:
        return None
    wanted = math.ceil(current * value / target_value)
    return wanted if wanted < current else None


def _step_capacity(policy: Any, alarm: Any, value: float, current: int, cooldowns: Cooldowns,
                   moment: float) -> int | None:
    config = policy.step_scaling_policy_configuration or {}
    # StepAdjustment (API reference): "Describes an adjustment based on the difference between the value of the
    # aggregated CloudWatch metric and the breach threshold that you've defined for the alarm." ...
    # MetricIntervalLowerBound: "If the metric value is above the breach threshold, the lower bound is inclusive
    # (the metric must be greater than or equal to the threshold plus the lower bound). Otherwise, it's exclusive".
    difference = value - float(alarm.threshold)
    step = next((s for s in config.get("StepAdjustments", []) if _in_interval(s, difference)), None)
    if step is None:
        return None
    adjustment = int(step["ScalingAdjustment"])
    kind = config.get("AdjustmentType", "ChangeInCapacity")
    # AdjustmentType (API reference): "ChangeInCapacity, PercentChangeInCapacity, and ExactCapacity".
    if kind == "ExactCapacity":
        wanted = adjustment
    elif kind == "PercentChangeInCapacity":
        change = current * adjustment / 100
        magnitude = int(config.get("MinAdjustmentMagnitude") or 0)
        change = math.copysign(max(abs(math.trunc(change)), magnitude), adjustment) if adjustment else 0
        wanted = current + int(change)
    else:
        wanted = current + adjustment
    cooldown = float(config.get("Cooldown", 0))
    # StepScalingPolicyConfiguration, Cooldown (API reference): "With scale-out policies, ... The scaling policy
    # won't increase the desired capacity again unless either a larger scale out is triggered or the cooldown
    # period ends." / "With scale-in policies, ... Application Auto Scaling scales in ... only after the cooldown".
    if wanted > current:
        if cooldowns.out_end is not None and moment < cooldowns.out_end + cooldown:
            base = cooldowns.out_base
            wanted = base + (wanted - current) if kind == "ChangeInCapacity" else wanted
            return wanted if wanted > current else None
        return wanted
    if cooldowns.in_end is not None and moment < cooldowns.in_end + cooldown:
        return None
    return wanted if wanted < current else None


def _out_cooldown(policy: Any) -> float:
    if policy.policy_type == "TargetTrackingScaling":
        return float((policy.target_tracking_scaling_policy_configuration or {}).get("ScaleOutCooldown", 300))
    return float((policy.step_scaling_policy_configuration or {}).get("Cooldown", 0))


def _in_interval(step: dict[str, Any], difference: float) -> bool:
    lower, upper = step.get("MetricIntervalLowerBound"), step.get("MetricIntervalUpperBound")
    low = -math.inf if lower is None else float(lower)
    high = math.inf if upper is None else float(upper)
    if difference >= 0:
        return low <= difference < high
    return low < difference <= high


# ---- moto lookups ---------------------------------------------------------------------

def _policy_for(account: str, region: str, action: str) -> Any:
    """The policy an alarm action names: its ARN, or (target tracking's own alarms) the
    ARN followed by `:createdBy/<id>`."""
    for policy in applicationautoscaling_backends[account][region].policies.values():
        if action == policy.policy_arn or action.startswith(policy.policy_arn + ":createdBy/"):
            return policy
    return None


def _desired_count(account: str, region: str, resource_id: str) -> int | None:
    parts = resource_id.split("/")
    if len(parts) != 4:
        return None
    endpoint = sagemaker_backends[account][region].endpoints.get(parts[1])
    if endpoint is None or endpoint.endpoint_status != IN_SERVICE:
        return None
    variant = next((v for v in endpoint.production_variants if v["VariantName"] == parts[3]), None)
    count = variant.get("DesiredInstanceCount") if variant else None
    return int(count) if count is not None else None


def _within(action: Any, now: datetime) -> bool:
    """StartTime/EndTime (API reference): "The date and time for this scheduled action to start/end, in UTC."."""
    for bound, later in ((action.start_time, False), (action.end_time, True)):
        if not bound:
            continue
        moment = bound if isinstance(bound, datetime) else (
            datetime.fromtimestamp(float(bound), tz=timezone.utc) if isinstance(bound, (int, float))
            else datetime.fromisoformat(str(bound).replace("Z", "+00:00")))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        if (now > moment) if later else (now < moment):
            return False
    return True

