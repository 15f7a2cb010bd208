"""Carry out one planned scaling action through Application Auto Scaling, CloudWatch
or (a fixed instance count) SageMaker.

Puts replace what is there; removals of what is already gone are no-ops, so an action
planned twice (after a restart) is harmless.
"""

from __future__ import annotations

from ..aws.autoscaling import AutoScalingGateway
from ..aws.cloudwatch import CloudWatchGateway
from ..aws.errors import NotFound
from ..aws.sagemaker import SageMakerGateway
from ..plan import scaling_actions as s

SCALING_ACTIONS = (
    s.RegisterScalableTarget,
    s.DeregisterScalableTarget,
    s.PutScalingPolicy,
    s.DeleteScalingPolicy,
    s.PutScheduledAction,
    s.DeleteScheduledAction,
    s.PutMetricAlarm,
    s.DeleteAlarms,
    s.SetVariantInstanceCount,
)
_REMOVALS = (s.DeregisterScalableTarget, s.DeleteScalingPolicy, s.DeleteScheduledAction, s.DeleteAlarms)


def execute_scaling(action: s.ScalingAction, sagemaker: SageMakerGateway,
                    autoscaling: AutoScalingGateway | None, cloudwatch: CloudWatchGateway | None) -> None:
    try:
        _dispatch(action, sagemaker, autoscaling, cloudwatch)
    except NotFound:
        if not isinstance(action, _REMOVALS):
            raise


def _dispatch(action: s.ScalingAction, sagemaker: SageMakerGateway,
              autoscaling: AutoScalingGateway | None, cloudwatch: CloudWatchGateway | None) -> None:
    if isinstance(action, s.SetVariantInstanceCount):
        sagemaker.update_weights_and_capacities(action.endpoint, {}, {action.variant: action.count})
        return
    if isinstance(action, (s.PutMetricAlarm, s.DeleteAlarms)):
        if cloudwatch is None:
            raise TypeError(f"{type(action).__name__} needs a CloudWatch gateway")
        if isinstance(action, s.PutMetricAlarm):
            cloudwatch.put_metric_alarm(action.alarm, action.tags)
        else:
            cloudwatch.delete_alarms(action.names)
        return
    if autoscaling is None:
        raise TypeError(f"{type(action).__name__} needs an Application Auto Scaling gateway")
    match action:
        case s.RegisterScalableTarget(target=target, tags=tags):
            autoscaling.register_target(target, tags)
        case s.DeregisterScalableTarget(resource_id=resource_id):
            autoscaling.deregister_target(resource_id)
        case s.PutScalingPolicy(policy=policy):
            autoscaling.put_policy(policy)
        case s.DeleteScalingPolicy(resource_id=resource_id, name=name):
            autoscaling.delete_policy(resource_id, name)
        case s.PutScheduledAction(action=scheduled):
            autoscaling.put_scheduled_action(scheduled)
        case s.DeleteScheduledAction(resource_id=resource_id, name=name):
            autoscaling.delete_scheduled_action(resource_id, name)
        case _:
            raise TypeError(f"no executor for {type(action).__name__}")
