"""Application Auto Scaling for SageMaker variants: scalable targets, scaling policies
(target tracking and step) and scheduled actions, in the shapes of api/scaling.py.

Registering an existing target updates its range in place; putting an existing policy
or scheduled action replaces it. Deregistering a target also removes its policies and
scheduled actions (AWS does so). Removing what is not there raises NotFound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..api.scaling import (
    SERVICE_NAMESPACE,
    STEP_SCALING,
    VARIANT_DIMENSION,
    TARGET_TRACKING,
    CustomizedMetric,
    ObservedPolicy,
    ScalableTarget,
    ScheduledAction,
    ScalingPolicy,
    StepAdjustment,
    StepScalingPolicy,
    TargetTrackingPolicy,
    dimension_of,
)
from .calls import ServiceGateway
from .errors import Invalid, NotFound

TARGET_IDS_PER_CALL = 50  # DescribeScalableTargets takes at most 50 resource ids
# AWS answers ObjectNotFoundException; some implementations a ValidationException saying so.
_MISSING_PHRASES = ("no scalable target", "no scaling policy", "no scheduled action")


class AutoScalingGateway(ServiceGateway):
    service = "application-autoscaling"

    # ---- observe ------------------------------------------------------------------------

    def scalable_targets(self, resource_ids: Iterable[str]) -> list[ScalableTarget]:
        """The registered targets among `resource_ids` (variants' instance counts,
        components' copy counts), one listing per scalable dimension."""
        by_dimension: dict[str, list[str]] = {}
        for resource_id in sorted(set(resource_ids)):
            by_dimension.setdefault(dimension_of(resource_id), []).append(resource_id)
        found: list[ScalableTarget] = []
        for dimension, ids in sorted(by_dimension.items()):
            for start in range(0, len(ids), TARGET_IDS_PER_CALL):
                for page in self._pages("DescribeScalableTargets", "read", ServiceNamespace=SERVICE_NAMESPACE,
                                        ResourceIds=ids[start:start + TARGET_IDS_PER_CALL],
                                        ScalableDimension=dimension):
                    found += [
                        ScalableTarget(resource_id=row["ResourceId"], min_capacity=row["MinCapacity"],
                                       max_capacity=row["MaxCapacity"])
                        for row in page.get("ScalableTargets", [])
                    ]
        return found

    def all_targets(self) -> list[ScalableTarget]:
        """Every SageMaker variant target of the account and region, all pages (50 a page):
        the scaling sweep. A sweep's read: it may take the limiter's reserve."""
        return [
            ScalableTarget(resource_id=row["ResourceId"], min_capacity=row["MinCapacity"],
                           max_capacity=row["MaxCapacity"])
            for page in self._pages("DescribeScalableTargets", "read", priority=True,
                                    ServiceNamespace=SERVICE_NAMESPACE, ScalableDimension=VARIANT_DIMENSION)
            for row in page.get("ScalableTargets", [])
        ]

    def all_policies(self) -> list[ObservedPolicy]:
        """Every SageMaker variant scaling policy of the account and region, all pages
        (10 a page: DescribeScalingPolicies' MaxResults "can be between 1 and 10")."""
        return [
            ObservedPolicy(name=row["PolicyName"], resource_id=row["ResourceId"], arn=row["PolicyARN"],
                           policy=policy_of(row))
            for page in self._pages("DescribeScalingPolicies", "read", priority=True,
                                    ServiceNamespace=SERVICE_NAMESPACE, ScalableDimension=VARIANT_DIMENSION)
            for row in page.get("ScalingPolicies", [])
        ]

    def policies(self, resource_id: str) -> list[ObservedPolicy]:
        return [
            ObservedPolicy(name=row["PolicyName"], resource_id=row["ResourceId"], arn=row["PolicyARN"],
                           policy=policy_of(row))
            for page in self._pages("DescribeScalingPolicies", "read", ServiceNamespace=SERVICE_NAMESPACE,
                                    ResourceId=resource_id, ScalableDimension=dimension_of(resource_id))
            for row in page.get("ScalingPolicies", [])
            if row["ResourceId"] == resource_id  # an exact match, whatever the service filters
        ]

    def scheduled_actions(self, resource_id: str) -> list[ScheduledAction]:
        return [
            scheduled_action_of(row)
            for page in self._pages("DescribeScheduledActions", "read", ServiceNamespace=SERVICE_NAMESPACE,
                                    ResourceId=resource_id, ScalableDimension=dimension_of(resource_id))
            for row in page.get("ScheduledActions", [])
            if row["ResourceId"] == resource_id
        ]

    # ---- apply --------------------------------------------------------------------------

    def register_target(self, target: ScalableTarget, tags: Mapping[str, str] | None = None) -> None:
        """Registers the variant, or moves the range of one already registered."""
        request: dict[str, Any] = dict(
            _target(target.resource_id), MinCapacity=target.min_capacity, MaxCapacity=target.max_capacity,
        )
        if tags:
            request["Tags"] = dict(tags)
        self._call("RegisterScalableTarget", "mutation", **request)

    def deregister_target(self, resource_id: str) -> None:
        self._mutate("DeregisterScalableTarget", **_target(resource_id))

    def put_policy(self, policy: ScalingPolicy) -> str:
        """Creates or replaces the policy and returns its ARN."""
        response = self._call("PutScalingPolicy", "mutation", **policy_request(policy))
        return response["PolicyARN"]

    def delete_policy(self, resource_id: str, name: str) -> None:
        self._mutate("DeleteScalingPolicy", PolicyName=name, **_target(resource_id))

    def put_scheduled_action(self, action: ScheduledAction) -> None:
        self._call("PutScheduledAction", "mutation", **scheduled_action_request(action))

    def delete_scheduled_action(self, resource_id: str, name: str) -> None:
        self._mutate("DeleteScheduledAction", ScheduledActionName=name, **_target(resource_id))

    def _mutate(self, operation: str, **params: Any) -> None:
        try:
            self._call(operation, "mutation", **params)
        except Invalid as error:
            if any(p in error.message.lower() for p in _MISSING_PHRASES):
                raise NotFound(operation, error.code, error.message) from error
            raise


# ---- request and answer shapes (pure) ----------------------------------------------------

def _target(resource_id: str) -> dict[str, str]:
    return {"ServiceNamespace": SERVICE_NAMESPACE, "ResourceId": resource_id, "ScalableDimension": dimension_of(resource_id)}


def policy_request(policy: ScalingPolicy) -> dict[str, Any]:
    request: dict[str, Any] = {"PolicyName": policy.name, **_target(policy.resource_id)}
    if isinstance(policy, TargetTrackingPolicy):
        config: dict[str, Any] = {
            "TargetValue": float(policy.target_value),
            "ScaleInCooldown": policy.scale_in_cooldown,
            "ScaleOutCooldown": policy.scale_out_cooldown,
        }
        if policy.predefined_metric:
            config["PredefinedMetricSpecification"] = {"PredefinedMetricType": policy.predefined_metric}
        if policy.customized_metric:
            metric = policy.customized_metric
            config["CustomizedMetricSpecification"] = {
                "Namespace": metric.namespace,
                "MetricName": metric.metric_name,
                "Statistic": metric.statistic,
                "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(metric.dimensions.items())],
            }
        request.update(PolicyType=TARGET_TRACKING, TargetTrackingScalingPolicyConfiguration=config)
    else:
        steps = []
        for step in policy.steps:
            row: dict[str, Any] = {"ScalingAdjustment": step.adjustment}
            if step.lower_bound is not None:
                row["MetricIntervalLowerBound"] = float(step.lower_bound)
            if step.upper_bound is not None:
                row["MetricIntervalUpperBound"] = float(step.upper_bound)
            steps.append(row)
        request.update(PolicyType=STEP_SCALING, StepScalingPolicyConfiguration={
            "AdjustmentType": policy.adjustment_type,
            "StepAdjustments": steps,
            "Cooldown": policy.cooldown,
            "MetricAggregationType": policy.metric_aggregation,
        })
    return request


def policy_of(row: Mapping[str, Any]) -> TargetTrackingPolicy | StepScalingPolicy | None:
    """The policy in the shape the operator writes, or None for one it never writes."""
    name, resource_id = row["PolicyName"], row["ResourceId"]
    if row.get("PolicyType") == TARGET_TRACKING:
        config = row.get("TargetTrackingScalingPolicyConfiguration") or {}
        if config.get("DisableScaleIn"):
            return None
        predefined = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
        custom = config.get("CustomizedMetricSpecification")
        return TargetTrackingPolicy(
            name=name,
            resource_id=resource_id,
            target_value=float(config.get("TargetValue", 0.0)),
            predefined_metric=predefined,
            customized_metric=CustomizedMetric(
                namespace=custom.get("Namespace", ""),
                metric_name=custom.get("MetricName", ""),
                statistic=custom.get("Statistic", "Average"),
                dimensions={d["Name"]: d["Value"] for d in custom.get("Dimensions", [])},
            ) if custom else None,
            scale_in_cooldown=int(config.get("ScaleInCooldown", 300)),
            scale_out_cooldown=int(config.get("ScaleOutCooldown", 300)),
        )
    if row.get("PolicyType") == STEP_SCALING:
        config = row.get("StepScalingPolicyConfiguration") or {}
        return StepScalingPolicy(
            name=name,
            resource_id=resource_id,
            steps=tuple(
                StepAdjustment(
                    lower_bound=step.get("MetricIntervalLowerBound"),
                    upper_bound=step.get("MetricIntervalUpperBound"),
                    adjustment=int(step["ScalingAdjustment"]),
                )
                for step in config.get("StepAdjustments", [])
            ),
            adjustment_type=config.get("AdjustmentType", "ChangeInCapacity"),
            cooldown=int(config.get("Cooldown", 0)),
            metric_aggregation=config.get("MetricAggregationType", "Average"),
        )
    return None


def scheduled_action_request(action: ScheduledAction) -> dict[str, Any]:
    capacity = {
        key: value
        for key, value in (("MinCapacity", action.min_capacity), ("MaxCapacity", action.max_capacity))
        if value is not None
    }
    return {
        "ScheduledActionName": action.name,
        **_target(action.resource_id),
        "Schedule": action.schedule,
        "Timezone": action.timezone,
        "ScalableTargetAction": capacity,
    }


def scheduled_action_of(row: Mapping[str, Any]) -> ScheduledAction:
    capacity = row.get("ScalableTargetAction") or {}
    return ScheduledAction(
        name=row["ScheduledActionName"],
        resource_id=row["ResourceId"],
        schedule=row.get("Schedule", ""),
        timezone=row.get("Timezone") or "UTC",
        min_capacity=capacity.get("MinCapacity"),
        max_capacity=capacity.get("MaxCapacity"),
    )
