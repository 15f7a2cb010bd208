"""Async: one model on instances behind an S3 queue; results land in S3.

Scale to zero (SageMaker's recipe: minimum capacity 0, target tracking on
ApproximateBacklogSizePerInstance, a step policy on a HasBacklogWithoutCapacity alarm)
is planned with the endpoint's autoscaling; the builder only says whether it applies.

A model change under spec.rollout walks the canary steps as on RealTime
(plan/rollout.py): the canary config keeps this config's AsyncInferenceConfig, which
belongs to the config, not to a variant. Its scaling during the steps:
plan/rollout_capacity.py.
"""

from __future__ import annotations

from ...api.pricing import PriceTable
from ...api.resources import AsyncConfig
from ...api.async_metrics import ASYNC_REQUESTS_METRIC, ASYNC_VARIANT_METRICS
from ...api.spec import ASYNC_METRICS, Mode, ModelEndpointSpec, ScalingMetric, TrafficPattern, unpublished_async_gates
from ..cost import CostEstimate, instance_floor_cost, scale_to_zero_cost
from ..errors import invalid
from .common import BuildContext, Parts, hashed_config, instance_variant, refuse_shadow, single_model
from .profile import EndpointKind, ModeProfile


def scales_to_zero(spec: ModelEndpointSpec) -> bool:
    """Whether the endpoint may scale to zero instances: asked for in
    spec.async.scaleToZero, or chosen by Auto for scheduled bulk scoring."""
    if spec.async_ is not None and spec.async_.scale_to_zero:
        return True
    return spec.mode is Mode.AUTO and spec.traffic is not None and spec.traffic.pattern is TrafficPattern.SCHEDULED


def build(ctx: BuildContext) -> Parts:
    spec = ctx.spec
    refuse_shadow(ctx, "asynchronous")
    check_rollout(spec)
    if len(spec.models) != 1:
        raise invalid("spec.models", f"an asynchronous endpoint serves one model, not {len(spec.models)}; split them into several ModelEndpoints")
    settings = spec.async_
    if settings is None:
        # Reachable through mode Auto: the schema requires spec.async only for mode Async.
        raise invalid("spec.async.outputPath", "mode Async writes results to S3; set spec.async.outputPath")
    async_config = AsyncConfig(
        output_path=settings.output_path,
        failure_path=settings.failure_path,
        success_topic_arn=settings.success_topic_arn,
        error_topic_arn=settings.error_topic_arn,
        kms_key_id=settings.kms_key_id,
        max_concurrent_invocations_per_instance=settings.max_concurrent_invocations_per_instance,
    )
    model = single_model(ctx)
    config = hashed_config(ctx, (instance_variant(ctx, model),), async_config=async_config)
    return Parts(
        models=(model,),
        config=config,
        served_models=(spec.models[0].name,),
        scale_to_zero=scales_to_zero(spec),
    )


def check_rollout(spec: ModelEndpointSpec) -> None:
    """What the schema refuses for an explicit mode Async, judged again when mode Auto
    picks it: gates only on metrics the endpoint publishes per variant (the shadow step is
    refused by refuse_shadow, as for MultiModel)."""
    if spec.rollout is None:
        return
    unpublished = unpublished_async_gates(spec)
    if unpublished:
        names = ", ".join(f"[{i}].name {spec.rollout.analysis.metrics[i].name}" for i in unpublished)
        raise invalid("spec.rollout.analysis.metrics",
                      f"{names}: not published per variant by the Async endpoint mode Auto chose here; gate on "
                      f"{', '.join(ASYNC_VARIANT_METRICS)}")


def cost(spec: ModelEndpointSpec, prices: PriceTable) -> CostEstimate:
    if scales_to_zero(spec):
        return scale_to_zero_cost(spec, prices)
    return instance_floor_cost(spec, prices, notes=("async without scale-to-zero keeps its floor like a real-time endpoint",))


PROFILE = ModeProfile(
    mode=Mode.ASYNC,
    build=build,
    kind=EndpointKind.ASYNCHRONOUS,
    cost=cost,
    scale_to_zero=scales_to_zero,
    # An asynchronous endpoint publishes no invocation or concurrency metric: it
    # scales on its queue's backlog (or a metric of the user's own).
    default_metric=ScalingMetric.APPROXIMATE_BACKLOG_SIZE_PER_INSTANCE,
    metrics=ASYNC_METRICS,
    rollouts=True,
    requests_metric=ASYNC_REQUESTS_METRIC,
)
