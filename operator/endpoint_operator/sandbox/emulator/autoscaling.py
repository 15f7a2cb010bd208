"""Application Auto Scaling behaviour for SageMaker variants that moto 5 lacks, as a
layer over moto's backend: the extensions run before moto for the operations below
and either answer themselves or let moto answer. Each handler names the gap it fills.

Not emulated on purpose: AWS deregisters a deleted endpoint's variants when the caller
may; an operator must not rely on that permission, so the emulator leaves the
targets behind and a test sees whether the operator removed them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from moto.applicationautoscaling.models import (
    ApplicationAutoscalingBackend,
    FakeApplicationAutoscalingPolicy,
    ScalableDimensionValueSet,
    applicationautoscaling_backends,
)
from moto.cloudwatch.models import cloudwatch_backends
from moto.moto_api._internal import mock_random
from moto.sagemaker.models import sagemaker_backends

from .components import IN_SERVICE, UPDATING, components_of
from .responses import validation_error
from .sagemaker import SageMakerExtensions, clamp_instance_count

if TYPE_CHECKING:
    from .scaling_actor import ScalingActor

SAGEMAKER = "sagemaker"
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"
COMPONENT_DIMENSION = "sagemaker:inference-component:DesiredCopyCount"


def _accept_component_dimension() -> None:
    """moto's ScalableDimension enum predates inference components; the service model's
    ScalableDimension enum lists sagemaker:inference-component:DesiredCopyCount."""
    if COMPONENT_DIMENSION in ScalableDimensionValueSet._value2member_map_:
        return
    member = object.__new__(ScalableDimensionValueSet)
    member._name_, member._value_ = "SAGEMAKER_INFERENCE_COMPONENT_DESIRED_COPY_COUNT", COMPONENT_DIMENSION
    ScalableDimensionValueSet._member_map_[member._name_] = member
    ScalableDimensionValueSet._member_names_.append(member._name_)
    ScalableDimensionValueSet._value2member_map_[COMPONENT_DIMENSION] = member


_accept_component_dimension()

Params = dict[str, Any]
Payload = dict[str, Any] | None  # None: moto answers


class AutoScalingExtensions:
    def __init__(self, actor: ScalingActor | None = None) -> None:
        self._actor = actor
        self._handlers: dict[str, Callable[[str, str, Params], Payload]] = {
            "RegisterScalableTarget": self._register,
            "DeregisterScalableTarget": self._deregister,
            "PutScalingPolicy": self._put_policy,
            "DescribeScalingActivities": self._activities,
        }

    def before_moto(self, account: str, region: str, operation: str, params: Params) -> Payload:
        handler = self._handlers.get(operation)
        return handler(account, region, params) if handler else None

    # ---- moto registers any resource id, existing or not --------------------------

    def _register(self, account: str, region: str, params: Params) -> Payload:
        if params.get("ServiceNamespace") == SAGEMAKER and params.get("ScalableDimension") == COMPONENT_DIMENSION:
            return self._register_component(account, region, params)
        if params.get("ServiceNamespace") != SAGEMAKER or params.get("ScalableDimension") != VARIANT_DIMENSION:
            return None
        resource_id = params.get("ResourceId", "")
        parts = resource_id.split("/")
        # RegisterScalableTarget, ResourceId: "SageMaker endpoint variant - The resource type is variant and the
        # unique identifier is the resource ID. Example: endpoint/my-end-point/variant/KMeansClustering."
        if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant":
            raise validation_error(f"Unsupported resource ID {resource_id} for the sagemaker namespace")
        sagemaker = sagemaker_backends[account][region]
        SageMakerExtensions.settle(sagemaker)
        endpoint = sagemaker.endpoints.get(parts[1])
        variants = {v["VariantName"] for v in endpoint.production_variants} if endpoint else set()
        if parts[3] not in variants:
            raise validation_error(f"The endpoint variant {resource_id} does not exist")
        # API reference, RegisterScalableTarget: "If the specified resource is not active
        # in the target service, this operation does not change the resource's current
        # capacity. Otherwise, it changes the resource's current capacity to a value that
        # is inside of this range." moto only records the range. For a variant the change
        # is an endpoint update: the endpoint goes Updating, then InService at the new count.
        # "Any parameters that you don't specify are not changed by this update request."
        registered = applicationautoscaling_backends[account][region].targets.get(VARIANT_DIMENSION, {}).get(resource_id)
        low = params.get("MinCapacity", getattr(registered, "min_capacity", None))
        high = params.get("MaxCapacity", getattr(registered, "max_capacity", None))
        if low is not None and high is not None:
            clamp_instance_count(endpoint, parts[3], int(low), int(high))
        return None

    def _register_component(self, account: str, region: str, params: Params) -> Payload:
        resource_id = params.get("ResourceId", "")
        kind, _, name = resource_id.partition("/")
        # RegisterScalableTarget, ResourceId: "SageMaker inference component - The resource type is
        # inference-component and the unique identifier is the resource ID. Example:
        # inference-component/my-inference-component."
        if kind != "inference-component" or not name or "/" in name:
            raise validation_error(f"Unsupported resource ID {resource_id} for the sagemaker namespace")
        sagemaker = sagemaker_backends[account][region]
        SageMakerExtensions.settle(sagemaker)
        component = components_of(sagemaker).get(name)
        if component is None:
            raise validation_error(f"The inference component {resource_id} does not exist")
        # The same rule as a variant's (RegisterScalableTarget: "it changes the resource's current capacity to a
        # value that is inside of this range"); for a component the change is an update of its copy count.
        registered = applicationautoscaling_backends[account][region].targets.get(COMPONENT_DIMENSION, {}).get(resource_id)
        low = params.get("MinCapacity", getattr(registered, "min_capacity", None))
        high = params.get("MaxCapacity", getattr(registered, "max_capacity", None))
        copies = component.desired_copies
        if component.status == IN_SERVICE and low is not None and high is not None and not int(low) <= copies <= int(high):
            component.pending_copies = min(max(copies, int(low)), int(high))
            component.begin(UPDATING, IN_SERVICE)
        return None

    # ---- moto keeps a deregistered target's policies and scheduled actions -------

    def _deregister(self, account: str, region: str, params: Params) -> Payload:
        # API reference, DeregisterScalableTarget: "Deregistering a scalable target deletes the scaling policies
        # and the scheduled actions that are associated with it."
        backend = applicationautoscaling_backends[account][region]
        namespace, resource_id, dimension = (
            params.get("ServiceNamespace", ""), params.get("ResourceId", ""), params.get("ScalableDimension", ""))
        if resource_id not in backend.targets.get(dimension, {}):
            return None  # moto's own error
        for key, policy in list(backend.policies.items()):
            if (policy.service_namespace, policy.resource_id, policy.scalable_dimension) == (namespace, resource_id, dimension):
                policy.delete_alarms(account, region)
                del backend.policies[key]
        backend.scheduled_actions = [
            a for a in backend.scheduled_actions
            if (a.service_namespace, a.resource_id, a.scalable_dimension) != (namespace, resource_id, dimension)
        ]
        return None

    # ---- moto has no scaling activities --------------------------------------------

    def _activities(self, account: str, region: str, params: Params) -> Payload:
        # DescribeScalingActivities (API reference): "Provides descriptive information about the scaling activities
        # in the specified namespace from the previous six weeks." The activities are the emulator's own
        # (scaling_actor.py), newest first; one page.
        if self._actor is None or params.get("ServiceNamespace") != SAGEMAKER:
            return None
        rows = self._actor.activities(account, region, params.get("ResourceId"))
        dimension = params.get("ScalableDimension")
        rows = [r for r in rows if dimension in (None, r["ScalableDimension"])]
        return {"ScalingActivities": rows[:int(params.get("MaxResults") or 50)]}

    # ---- moto makes target tracking's alarms for DynamoDB and ECS only ------------

    def _put_policy(self, account: str, region: str, params: Params) -> Payload:
        if params.get("ServiceNamespace") != SAGEMAKER or params.get("PolicyType") != "TargetTrackingScaling":
            return None
        backend: ApplicationAutoscalingBackend = applicationautoscaling_backends[account][region]
        key = FakeApplicationAutoscalingPolicy.formulate_key(
            SAGEMAKER, params.get("ResourceId", ""), params.get("ScalableDimension", ""), params.get("PolicyName", ""))
        previous = backend.policies.get(key)
        if previous is not None:
            previous.delete_alarms(account, region)  # AWS replaces them with the policy
        policy = backend.put_scaling_policy(
            policy_name=params.get("PolicyName", ""),
            service_namespace=SAGEMAKER,
            resource_id=params.get("ResourceId", ""),
            scalable_dimension=params.get("ScalableDimension", ""),
            policy_body=params.get("TargetTrackingScalingPolicyConfiguration") or {},
            policy_type="TargetTrackingScaling",
        )
        # PutScalingPolicy response, Alarms: "The CloudWatch alarms created for the target tracking scaling policy."
        policy.alarms = _tracking_alarms(account, region, policy)
        return {
            "PolicyARN": policy.policy_arn,
            "Alarms": [{"AlarmName": a.name, "AlarmARN": a.alarm_arn} for a in policy.alarms],
        }


def _tracking_alarms(account: str, region: str, policy: FakeApplicationAutoscalingPolicy) -> list[Any]:
    """AlarmHigh (3 of 3 datapoints) and AlarmLow (15 of 15), as AWS names them."""
    # User guide, "How target tracking scaling for Application Auto Scaling works": "Application Auto Scaling
    # creates and manages the CloudWatch alarms that invoke the scaling policy". The datapoint counts and the
    # 90 % scale-in threshold are not in the API reference.
    cloudwatch = cloudwatch_backends[account][region]
    config = policy.target_tracking_scaling_policy_configuration or {}
    target = float(config.get("TargetValue", 0.0))
    metric = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType", "")
    custom = config.get("CustomizedMetricSpecification") or {}
    high_resolution = metric.endswith("HighResolution")
    # SageMaker API Reference, ScalingPolicyMetric: InvocationsPerInstance is "the number
    # of invocations sent to a model, normalized by InstanceCount ... 1/numberOfInstances
    # is sent as the value on each request": its Sum over a minute is requests per
    # instance per minute, the quantity a target such as 70 is compared with.
    statistic = "Sum" if metric == "SageMakerVariantInvocationsPerInstance" else "Average"
    action = f"{policy.policy_arn}:createdBy/{mock_random.uuid4()}"
    # A customized metric's alarms watch its own dimensions (API reference,
    # CustomizedMetricSpecification: "If you published your metric with dimensions,
    # you must specify the same dimensions in your scaling policy"): an async
    # endpoint's ApproximateBacklogSizePerInstance has EndpointName alone.
    dimensions = custom.get("Dimensions") if custom else _predefined_dimensions(policy.resource_id)
    alarms = []
    for suffix, comparison, periods, threshold in (
        ("AlarmHigh", "GreaterThanThreshold", 3, target),
        ("AlarmLow", "LessThanThreshold", 15, target * 0.9),
    ):
        # Developer guide, "Define a scaling policy": high-resolution metrics emit every 10 seconds, so the policy
        # scales out faster than on standard metrics and scales in at the standard speed.
        period = 10 if high_resolution and suffix == "AlarmHigh" else 60
        alarms.append(cloudwatch.put_metric_alarm(
            name=f"TargetTracking-{policy.resource_id}-{suffix}-{mock_random.uuid4()}",
            namespace=custom.get("Namespace", "AWS/SageMaker"),
            metric_name=custom.get("MetricName") or _metric_name(metric),
            metric_data_queries=None,
            comparison_operator=comparison,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            period=period,
            threshold=threshold,
            statistic=custom.get("Statistic", statistic),
            extended_statistic=None,
            description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {action}",
            dimensions=dimensions,
            alarm_actions=[action],
            ok_actions=[],
            insufficient_data_actions=[],
            unit=None,
            actions_enabled=True,
            treat_missing_data=None,
            evaluate_low_sample_count_percentile=None,
            threshold_metric_id=None,
            rule=None,
            tags=None,
        ))
    return alarms


def _predefined_dimensions(resource_id: str) -> list[dict[str, str]]:
    parts = resource_id.split("/")
    if parts[0] == "inference-component":
        # A component's metrics carry its name ("Scale an endpoint to zero instances" alarms on
        # "Name=InferenceComponentName,Value=inference-component-name").
        return [{"Name": "InferenceComponentName", "Value": parts[1]}]
    return [{"Name": "EndpointName", "Value": parts[1]}, {"Name": "VariantName", "Value": parts[3]}]


def _metric_name(metric_type: str) -> str:
    # Developer guide, "Define a scaling policy": "Specify a high-resolution predefined metric (CloudWatch metrics:
    # ConcurrentRequestsPerModel and ConcurrentRequestsPerCopy)": the predefined type's CloudWatch metric drops the
    # "HighResolution" of its name as well as its prefix.
    for prefix in ("SageMakerVariant", "SageMakerInferenceComponent"):
        if metric_type.startswith(prefix):
            return metric_type.removeprefix(prefix).removesuffix("HighResolution")
    return metric_type or "Unknown"
